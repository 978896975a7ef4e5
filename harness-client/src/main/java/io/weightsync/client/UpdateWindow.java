package io.weightsync.client;

/**
 * One weight update's time on the client's clock, to find {@code gen.stall_ms}: the longest gap
 * between two chunks of a running stream across the update. Opened when the update is sent; every
 * chunk gap that overlaps it is offered. When the response arrives, {@link #done} narrows it to the
 * engine's work: the last {@code rpc_ms} before the response (the response itself is written as
 * soon as the engine is done; it is the request, not the answer, that queues). The stall is the
 * longest offered gap that overlaps that narrowed interval.
 *
 * <p>Gaps are kept until the window is done (a few thousand per update at most: one per chunk of
 * each stream while the request waits), 16 bytes each.
 */
public final class UpdateWindow {

    private final long sendNanos;
    private long[] gaps = new long[256]; // from, to, from, to, ...
    private int size;
    private volatile long doneNanos = Long.MAX_VALUE;
    private volatile double rpcMillis = Double.NaN;

    UpdateWindow(long sendNanos) {
        this.sendNanos = sendNanos;
    }

    synchronized void offer(long fromNanos, long toNanos) {
        if (toNanos <= sendNanos || fromNanos >= doneNanos) {
            return;
        }
        if (size + 2 > gaps.length) {
            gaps = java.util.Arrays.copyOf(gaps, gaps.length * 2);
        }
        gaps[size++] = fromNanos;
        gaps[size++] = toNanos;
    }

    /**
     * The response arrived at {@code nanos}; the engine worked for {@code rpcMillis} before it (NaN: failed,
     * or the response carried no rpc_ms: the engine's interval is unknown, so no stall is recorded).
     */
    public synchronized void done(long nanos, double rpcMillis) {
        this.rpcMillis = rpcMillis;
        this.doneNanos = nanos;
    }

    long doneNanos() {
        return doneNanos;
    }

    boolean isDone() {
        return doneNanos != Long.MAX_VALUE;
    }

    /** Longest gap overlapping the engine's work; NaN when the update failed or no stream was running. */
    synchronized double stallMillis() {
        if (Double.isNaN(rpcMillis)) {
            return Double.NaN;
        }
        long engineStart = doneNanos - Math.round(rpcMillis * 1e6);
        long longest = -1;
        for (int i = 0; i < size; i += 2) {
            long from = gaps[i];
            long to = gaps[i + 1];
            if (to > engineStart && from < doneNanos) {
                longest = Math.max(longest, to - from);
            }
        }
        return longest < 0 ? Double.NaN : longest / 1e6;
    }
}
