package io.weightsync.server.engine;

import java.util.Arrays;

/**
 * When the last decode steps ended, for measuring what a weight update did to generation.
 * Written by the engine thread, read by the updater: every method is synchronized (cheap at
 * one call per step).
 */
final class StepClock {

    private static final int CAPACITY = 4096;
    private final long[] endNanos = new long[CAPACITY];
    private final long[] durationNanos = new long[CAPACITY];
    private long count;

    synchronized void record(long stepEndNanos, long stepDurationNanos) {
        int i = (int) (count % CAPACITY);
        endNanos[i] = stepEndNanos;
        durationNanos[i] = stepDurationNanos;
        count++;
    }

    synchronized long steps() {
        return count;
    }

    /** Median step duration over the last {@code n} steps that ended before {@code beforeNanos}; 0 if none. */
    synchronized double medianStepMillisBefore(long beforeNanos, int n) {
        long[] d = new long[n];
        int found = 0;
        for (long k = count - 1; k >= Math.max(0, count - CAPACITY) && found < n; k--) {
            int i = (int) (k % CAPACITY);
            if (endNanos[i] < beforeNanos) {
                d[found++] = durationNanos[i];
            }
        }
        if (found == 0) {
            return 0;
        }
        long[] s = Arrays.copyOf(d, found);
        Arrays.sort(s);
        return s[found / 2] / 1e6;
    }

    /**
     * Longest gap between consecutive step ends among the steps around [from, to]: from the last
     * step that ended before {@code from} to the first that ended after {@code to}.
     */
    synchronized double maxGapMillis(long from, long to) {
        long first = Math.max(0, count - CAPACITY);
        long max = 0;
        long previous = -1;
        for (long k = first; k < count; k++) {
            long end = endNanos[(int) (k % CAPACITY)];
            if (previous >= 0 && end >= from && previous <= to) {
                max = Math.max(max, end - previous);
            }
            previous = end;
        }
        return max / 1e6;
    }
}
