package io.weightsync.cli.sim;

import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The RL loop's flags, shared by {@code experiment} and {@code orchestrator} (a picocli mixin):
 * the rollout workload, the async level, the checkpoint poll, the model and the admin token.
 */
public final class LoopOptions {

    @Option(names = "--streams", defaultValue = "64", description = "rollouts in flight: the rollout client's per-host limit (default: ${DEFAULT-VALUE})")
    public int streams;

    @Option(names = "--queued", defaultValue = "64", description = "rollouts submitted beyond --streams, waiting in the client's queue (default: ${DEFAULT-VALUE})")
    public int queued;

    @Option(names = "--batch-size", defaultValue = "64", description = "completions per RL step (default: ${DEFAULT-VALUE})")
    public int batchSize;

    @Option(names = "--max-tokens", defaultValue = "192", description = "max tokens per rollout (default: ${DEFAULT-VALUE})")
    public int maxTokens;

    @Option(names = "--async-level", defaultValue = "2", description = "steps the weights may lag, prime-rl's async_level (default: ${DEFAULT-VALUE})")
    public int asyncLevel;

    @Option(names = "--warmup-batches", defaultValue = "1", description = "unmeasured batches first (default: ${DEFAULT-VALUE})")
    public int warmupBatches;

    @Option(names = "--poll-interval", paramLabel = "SECONDS", defaultValue = "1", description = "checkpoint poll, as prime-rl (default: ${DEFAULT-VALUE})")
    public double pollInterval;

    @Option(names = "--temperature", defaultValue = "1.0", description = "rollout sampling temperature (default: ${DEFAULT-VALUE})")
    public double temperature;

    @Option(names = "--seed", defaultValue = "42", description = "prompts, sampling seeds and weight perturbations (default: ${DEFAULT-VALUE})")
    public long seed;

    @Option(names = "--model", description = "model name sent in requests (default: the server's first /v1/models entry)")
    public String model;

    @Option(names = "--admin-token", paramLabel = "TOKEN", defaultValue = "${env:HARNESS_ADMIN_TOKEN}", description = "bearer token for the admin endpoints (default: $HARNESS_ADMIN_TOKEN)")
    public String adminToken;

    /** @throws IllegalArgumentException naming the flag and its bounds */
    public void validate() {
        if (streams < 1 || batchSize < 1 || maxTokens < 1 || queued < 0 || asyncLevel < 0 || warmupBatches < 0) {
            throw new IllegalArgumentException("--streams, --batch-size and --max-tokens must be >= 1;"
                    + " --queued, --async-level and --warmup-batches >= 0");
        }
        if (!(pollInterval > 0)) {
            throw new IllegalArgumentException("--poll-interval must be > 0 seconds, was " + pollInterval);
        }
        if (!(temperature >= 0)) {
            throw new IllegalArgumentException("--temperature must be >= 0, was " + temperature);
        }
    }

    /** Seconds (as flags take them) as a Duration. */
    public static Duration seconds(double s) {
        return Duration.ofNanos(Math.round(s * 1e9));
    }
}
