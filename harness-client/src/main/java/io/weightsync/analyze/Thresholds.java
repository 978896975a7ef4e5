package io.weightsync.analyze;

/**
 * The diagnosis rules' limits (each one an {@code analyze} flag).
 *
 * @param queueRatio {@code frontend_queue} when p99 queue_ms > queueRatio x p50 rpc_ms ...
 * @param queueFloorMillis ... and p99 queue_ms > this, so a fast load does not make a few ms of
 *     network look like a queue
 * @param rpcMillis {@code weight_loading} when p99 rpc_ms > this
 * @param waitMillis {@code checkpoint_io} when p99 ckpt wait_ms > this
 * @param asyncLevel {@code staleness} when max staleness > this (prime-rl's async_level)
 * @param truncPct {@code truncation} when mean trunc_pct > this percent
 */
public record Thresholds(double queueRatio, double queueFloorMillis, double rpcMillis, double waitMillis,
        long asyncLevel, double truncPct) {

    /** The investigation's rules: queue 10x the load and over 100 ms, load over 2 s, wait over 1 s,
     *  staleness over async_level 2, over half the completions truncated. */
    public static final Thresholds DEFAULTS = new Thresholds(10, 100, 2000, 1000, 2, 50);

    /** A finding is critical, not a warning, when its value is at least this multiple of its limit. */
    public static final double CRITICAL_FACTOR = 4;

    /** These limits with another async_level (the staleness rule's limit). */
    public Thresholds withAsyncLevel(long level) {
        return new Thresholds(queueRatio, queueFloorMillis, rpcMillis, waitMillis, level, truncPct);
    }

    public Thresholds {
        positive("--queue-ratio", queueRatio);
        nonNegative("--queue-floor-ms", queueFloorMillis);
        nonNegative("--rpc-ms", rpcMillis);
        nonNegative("--wait-ms", waitMillis);
        nonNegative("--async-level", asyncLevel);
        if (!(truncPct >= 0 && truncPct <= 100)) {
            throw new IllegalArgumentException("--trunc-pct must be a percent in 0..100, was " + truncPct);
        }
    }

    private static void positive(String flag, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(flag + " must be > 0, was " + value);
        }
    }

    private static void nonNegative(String flag, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(flag + " must be >= 0, was " + value);
        }
    }
}
