package io.weightsync.sim;

import io.weightsync.client.EventLog;
import io.weightsync.core.ckpt.CheckpointRoot;
import io.weightsync.core.ckpt.CheckpointWriter;
import io.weightsync.core.events.CkptEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The trainer half of the RL loop: every {@code interval} it "trains" one step (a deterministic
 * perturbation of the current weights, {@link PolicyWeights}) and publishes {@code step_N} through the
 * project's checkpoint writer (config.json, weights, then STABLE, each atomic), logging
 * {@code [ckpt] write.done step write_ms}. Steps are scheduled from the start (step N is due at
 * {@code N x interval}), so a slow write delays one step, not every later one.
 */
public final class Trainer {

    public static final String ROLE = "trainer";

    /**
     * @param base the checkpoint folder the policy starts from (step 0: what the server loaded)
     * @param weightsRoot where {@code step_N/} folders are published
     * @param interval time between two steps
     * @param steps steps to publish: 1..steps
     * @param seed makes the perturbations, and so every checkpoint, reproducible
     * @param scale noise amplitude relative to each tensor's RMS
     * @param fsync fsync each file and folder (off only where durability does not matter)
     */
    public record Config(Path base, Path weightsRoot, Duration interval, int steps, long seed, double scale,
            boolean fsync) {
        public Config {
            Objects.requireNonNull(base, "base");
            Objects.requireNonNull(weightsRoot, "weightsRoot");
            if (interval.isNegative()) {
                throw new IllegalArgumentException("--step-interval must be >= 0, was " + interval);
            }
            if (steps < 1) {
                throw new IllegalArgumentException("--steps must be >= 1, was " + steps);
            }
            if (!(scale > 0) || scale > 1) {
                throw new IllegalArgumentException("--scale must be in (0, 1], was " + scale);
            }
        }
    }

    private final Config config;
    private final EventLog log;
    private final PolicyWeights policy;
    private final CheckpointRoot root;

    /** Loads the base weights; the root is created when absent. */
    public Trainer(Config config, EventLog log) throws IOException {
        this.config = config;
        this.log = log;
        this.policy = PolicyWeights.load(config.base());
        Files.createDirectories(config.weightsRoot());
        this.root = new CheckpointRoot(config.weightsRoot());
    }

    /**
     * Publishes steps 1..steps on schedule; returns when the last is published. A step already
     * published (STABLE present, e.g. a restarted trainer) is trained but not rewritten.
     *
     * @throws InterruptedException when stopped early: no partial checkpoint stays visible (STABLE is last)
     */
    public void run() throws IOException, InterruptedException {
        long start = System.nanoTime();
        for (int step = 1; step <= config.steps(); step++) {
            long due = start + config.interval().toNanos() * step;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("trainer stopped before step " + step);
            }
            publish(step);
        }
    }

    /** Trains and writes one step now; returns the write time in milliseconds. */
    double publish(int step) throws IOException {
        policy.step(step, config.seed(), config.scale());
        if (root.isStable(step)) {
            log.line(ROLE, "step " + step + " already published in " + root.stepDir(step) + "; kept");
            return 0;
        }
        long t0 = System.nanoTime();
        root.publish(step, policy.configJson(), policy.entries(), Map.of("format", "pt", "step", Long.toString(step)),
                new CheckpointWriter.Options(CheckpointWriter.Options.DEFAULT.maxShardBytes(), config.fsync()));
        double writeMillis = (System.nanoTime() - t0) / 1e6;
        log.event(ROLE, new CkptEvent.WriteDone(step, writeMillis));
        return writeMillis;
    }

    PolicyWeights policy() {
        return policy;
    }
}
