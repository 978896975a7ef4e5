package io.weightsync.sim;

import io.weightsync.client.AdminClient;
import io.weightsync.client.ClientMetrics;
import io.weightsync.client.CompletionStreamer;
import io.weightsync.client.EventLog;
import io.weightsync.client.Rollout;
import io.weightsync.client.UpdateOutcome;
import io.weightsync.core.ckpt.CheckpointRoot;
import io.weightsync.core.events.CkptEvent;
import io.weightsync.core.events.GenEvent;
import io.weightsync.core.events.RolloutEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.sse.EventSource;

/**
 * The orchestrator half of the async RL loop, as prime-rl runs it.
 *
 * <p>Rollouts: {@code streams + queued} completions are always submitted (as a real orchestrator
 * over-submits), so with the client's Dispatcher admitting {@code streams}, {@code queued} wait in
 * its queue; each that ends is replaced at once. A step consumes {@code batchSize} completions
 * ({@code [gen] batch.start/batch.done}) and logs {@code [rollout] trunc_pct current_step ckpt_step
 * staleness}.
 *
 * <p>Weights, before each step: when {@code step - ckpt_step > async_level} the orchestrator waits
 * for {@code step_(step - async_level)/STABLE}, polling every {@code pollInterval} (prime-rl: 1 s;
 * {@code [ckpt] wait.start/wait.done}), then asks the server to load it through the admin client,
 * while the rollouts keep streaming. A failed update leaves the old weights (staleness grows; the
 * next step retries with a newer folder); a server without the endpoint (404) is warned about once
 * and then only the streams are measured, as prime-rl does.
 *
 * <p>Warm-up: the first {@code warmupBatches} batches run the same way but log nothing and record
 * nothing (JIT, connections, engine caches), and one untimed admin request warms the admin path;
 * only rollouts submitted after it are measured.
 */
public final class Orchestrator {

    public static final String ROLE = "orchestrator";
    private static final long RESUBMIT_AFTER_ERROR_MILLIS = 100;
    private static final long STALL_GRACE_NANOS = TimeUnit.SECONDS.toNanos(10);

    /**
     * @param streams rollouts in flight (the client's per-host limit)
     * @param queued rollouts submitted beyond that, waiting in the client's queue
     * @param batchSize completions per step
     * @param maxTokens per rollout
     * @param temperature sampling temperature (RL samples at 1.0)
     * @param asyncLevel steps the weights may lag (prime-rl's async_level)
     * @param steps measured steps (0..steps-1)
     * @param warmupBatches unmeasured batches first
     * @param pollInterval between checks for a checkpoint's STABLE
     * @param checkpointTimeout longest wait for one checkpoint
     * @param stallTimeout longest time without any completed rollout
     * @param seed prompts and sampling seeds
     * @param weightsRoot where the trainer publishes step_N (a path the server can read too)
     */
    public record Config(int streams, int queued, int batchSize, int maxTokens, double temperature, int asyncLevel,
            int steps, int warmupBatches, Duration pollInterval, Duration checkpointTimeout, Duration stallTimeout,
            long seed, Path weightsRoot) {
        public Config {
            positive("--streams", streams);
            nonNegative("--queued", queued);
            positive("--batch-size", batchSize);
            positive("--max-tokens", maxTokens);
            nonNegative("--async-level", asyncLevel);
            positive("--steps", steps);
            nonNegative("--warmup-batches", warmupBatches);
            if (!(temperature >= 0)) {
                throw new IllegalArgumentException("--temperature must be >= 0, was " + temperature);
            }
            Objects.requireNonNull(weightsRoot, "weightsRoot");
        }

        private static void positive(String flag, long value) {
            if (value < 1) {
                throw new IllegalArgumentException(flag + " must be >= 1, was " + value);
            }
        }

        private static void nonNegative(String flag, long value) {
            if (value < 0) {
                throw new IllegalArgumentException(flag + " must be >= 0, was " + value);
            }
        }
    }

    /** Told as the run advances (a progress bar). */
    public interface Listener {
        default void warmupDone() {}

        default void stepDone(int step, int steps) {}

        /** Something the person running it should know now (it is in the log too). */
        default void warning(String message) {}

        Listener NONE = new Listener() {};
    }

    /**
     * @param updates every update attempted, in order
     * @param measureStartEpochMillis when warm-up ended
     * @param endEpochMillis when the last step ended
     * @param updatesSupported false when the server answered 404 on the update endpoint
     */
    public record Result(List<UpdateOutcome> updates, long measureStartEpochMillis, long endEpochMillis,
            boolean updatesSupported) {}

    private final Config config;
    private final CompletionStreamer streamer;
    private final AdminClient admin;
    private final EventLog log;
    private final ClientMetrics metrics;
    private final Listener listener;
    private final CheckpointRoot checkpoints;

    private final BlockingQueue<Rollout> completions = new LinkedBlockingQueue<>();
    private final Map<Long, EventSource> live = new ConcurrentHashMap<>();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicLong submitted = new AtomicLong();
    private final AtomicLong streamErrors = new AtomicLong();
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private final ScheduledExecutorService resubmitter = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rollout-resubmit");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean running;
    private volatile boolean measuring;
    private volatile String abortReason;
    private final List<UpdateOutcome> updates = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean updatesSupported = true;
    private volatile long measureStart;
    /** Put in the completions queue to wake the loop when the run is aborted. */
    private static final Rollout ABORT = new Rollout(-1, false, 0, null, "aborted", true);

    public Orchestrator(Config config, CompletionStreamer streamer, AdminClient admin, EventLog log,
            ClientMetrics metrics, Listener listener) {
        this.config = config;
        this.streamer = streamer;
        this.admin = admin;
        this.log = log;
        this.metrics = metrics;
        this.listener = listener;
        this.checkpoints = new CheckpointRoot(config.weightsRoot());
    }

    /** Runs warm-up and every step; cancels the streams still running when done (or on failure). */
    public Result run() throws InterruptedException, OrchestratorException {
        running = true;
        try {
            measuring = config.warmupBatches() == 0; // no warm-up: the very first rollouts count
            topUp();
            if (config.warmupBatches() > 0) {
                admin.warmUp();
            }
            for (int b = 0; b < config.warmupBatches(); b++) {
                collect(config.batchSize());
            }
            measuring = true;
            measureStart = System.currentTimeMillis();
            listener.warmupDone();
            long ckptStep = 0;
            for (int step = 0; step < config.steps(); step++) {
                if (updatesSupported && step - ckptStep > config.asyncLevel()) {
                    long target = step - config.asyncLevel();
                    awaitCheckpoint(target);
                    UpdateOutcome outcome = admin.updateWeights(checkpoints.stepDir(target).toAbsolutePath().toString());
                    updates.add(outcome);
                    checkAborted();
                    if (outcome.ok()) {
                        ckptStep = target;
                    } else if (outcome.status() == UpdateOutcome.Status.NOT_SUPPORTED) {
                        updatesSupported = false;
                        String warning = outcome.error() + "; measuring the streams only from now on";
                        log.line(ROLE, "WARN " + warning);
                        listener.warning(warning);
                    }
                }
                runBatch(step, ckptStep);
                metrics.recordStalls(System.nanoTime() - STALL_GRACE_NANOS);
                listener.stepDone(step + 1, config.steps());
            }
            return resultSoFar();
        } finally {
            stop();
        }
    }

    /** What the run has done until now: all of it after {@link #run()} returned, a part after it threw. */
    public Result resultSoFar() {
        return new Result(List.copyOf(updates), measureStart, System.currentTimeMillis(), updatesSupported);
    }

    private void runBatch(int step, long ckptStep) throws InterruptedException, OrchestratorException {
        log.event(ROLE, new GenEvent.BatchStart(outstanding.get(), config.batchSize()));
        long t0 = System.nanoTime();
        List<Rollout> batch = collect(config.batchSize());
        double durMillis = (System.nanoTime() - t0) / 1e6;
        log.event(ROLE, new GenEvent.BatchDone(batch.size(), durMillis, outstanding.get()));
        long truncated = batch.stream().filter(Rollout::truncated).count();
        double truncPct = 100.0 * truncated / batch.size();
        log.event(ROLE, RolloutEvent.of(truncPct, step, ckptStep));
    }

    /**
     * Stops the run from another thread (the server it measures is gone): the loop ends with an
     * {@link OrchestratorException} carrying {@code reason} at its next wait.
     */
    public void abort(String reason) {
        abortReason = reason;
        completions.add(ABORT);
    }

    private void checkAborted() throws OrchestratorException {
        if (abortReason != null) {
            throw new OrchestratorException(abortReason);
        }
    }

    /** The next {@code n} completed rollouts, in the order they completed. */
    private List<Rollout> collect(int n) throws InterruptedException, OrchestratorException {
        List<Rollout> batch = new ArrayList<>(n);
        long timeoutMillis = config.stallTimeout().toMillis();
        while (batch.size() < n) {
            checkAborted();
            Rollout r = completions.poll(timeoutMillis, TimeUnit.MILLISECONDS);
            checkAborted();
            if (r == null) {
                throw new OrchestratorException("no rollout completed for " + config.stallTimeout().toSeconds() + " s ("
                        + streamErrors.get() + " stream errors" + (lastError.get() == null ? "" : "; last: " + lastError.get())
                        + ")");
            }
            batch.add(r);
        }
        return batch;
    }

    /** Waits for {@code step_target/STABLE}, logging the wait; prime-rl polls once a second. */
    private void awaitCheckpoint(long target) throws InterruptedException, OrchestratorException {
        log.event(ROLE, new CkptEvent.WaitStart(target));
        long t0 = System.nanoTime();
        long deadline = t0 + config.checkpointTimeout().toNanos();
        while (!checkpoints.isStable(target)) {
            checkAborted();
            if (System.nanoTime() > deadline) {
                throw new OrchestratorException("checkpoint " + checkpoints.stepDir(target) + " has no STABLE after "
                        + config.checkpointTimeout().toSeconds() + " s: is the trainer running and writing to "
                        + config.weightsRoot() + "?");
            }
            Thread.sleep(config.pollInterval().toMillis());
        }
        log.event(ROLE, new CkptEvent.WaitDone(target, (System.nanoTime() - t0) / 1e6));
    }

    /** Submits until {@code streams + queued} rollouts are outstanding. */
    private void topUp() {
        int target = config.streams() + config.queued();
        while (running) {
            int n = outstanding.get();
            if (n >= target) {
                return;
            }
            if (outstanding.compareAndSet(n, n + 1)) { // OkHttp threads top up concurrently
                submit();
            }
        }
    }

    private void submit() {
        long index = submitted.getAndIncrement();
        CompletionStreamer.Ask ask = new CompletionStreamer.Ask(Prompts.prompt(config.seed(), index), config.maxTokens(),
                config.temperature(), config.seed() + index);
        EventSource source = streamer.start(index, ask, System.nanoTime(), measuring, this::ended);
        live.put(index, source);
    }

    /** A rollout ended (OkHttp thread): hand a completion to the loop, replace it, or retry shortly after an error. */
    private void ended(Rollout rollout) {
        live.remove(rollout.index());
        outstanding.decrementAndGet();
        if (rollout.cancelled() || !running) {
            return;
        }
        if (rollout.completed()) {
            completions.add(rollout);
            topUp();
        } else {
            streamErrors.incrementAndGet();
            lastError.set(rollout.error());
            resubmitter.schedule(this::topUp, RESUBMIT_AFTER_ERROR_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void stop() {
        running = false;
        streamer.stopping();
        resubmitter.shutdownNow();
        for (EventSource source : live.values()) {
            source.cancel();
        }
        live.clear();
    }

    /** Stream errors seen (measured or not), for the summary. */
    public long streamErrors() {
        return streamErrors.get();
    }
}
