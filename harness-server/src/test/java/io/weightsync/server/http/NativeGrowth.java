package io.weightsync.server.http;

import io.weightsync.core.os.MallocInUse;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Native memory read at rest after each round of a workload, and the statistic that tells a leak
 * from the allocator settling.
 *
 * <p>A reading is taken after a GC (so buffers held only by dead Java objects are freed) and
 * glibc's {@code malloc_trim(0)}. The gate is <b>malloc in use</b> ({@link MallocInUse}): the
 * allocator's own count of live native bytes, which an arena stepping up to a new working set and
 * keeping it (glibc gives each allocating thread its own arena) does not move. The older
 * reading, anonymous RSS minus the JVM's committed heap and non-heap, is kept beside it for reading
 * only: it moved by up to 85 MiB from one rest to the next with every NDArray freed, which failed
 * CI, where malloc in use moved by at most ~16 MiB (docs/TESTING.md has the spread).
 *
 * <p>The verdict is the <b>Theil-Sen slope</b> of malloc in use over the rounds (the median of the
 * slopes between every pair of readings): a leak adds about the same every round, so the slope is
 * its rate, while a reading caught mid-spike (a compilation or a transient buffer holding memory at
 * that moment), even the first or the last, moves a few of the pairs and not their median, where
 * last-minus-first would take the spike for growth.
 */
public final class NativeGrowth {

    /** malloc in use at each reading, KiB, the baseline first. */
    private final List<Long> mallocKiB = new ArrayList<>();
    /** Anonymous RSS minus the JVM's committed memory at each reading, KiB (for reading only). */
    private final List<Long> rssNativeKiB = new ArrayList<>();

    /** Takes a reading now (the workload must be at rest) and keeps it. */
    public void read() {
        System.gc();
        MallocInUse.trim();
        mallocKiB.add(MallocInUse.bytes().orElseThrow(() -> new IllegalStateException("no glibc mallinfo2 here")) >> 10);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long committedKiB = (memory.getHeapMemoryUsage().getCommitted()
                + memory.getNonHeapMemoryUsage().getCommitted()) >> 10;
        long anonKiB = AnonymousMemory.bytes()
                .orElseThrow(() -> new IllegalStateException("no RssAnon in /proc/self/status")) >> 10;
        rssNativeKiB.add(anonKiB - committedKiB);
    }

    /**
     * The Theil-Sen slope of malloc in use, KiB per round; needs a baseline and at least three
     * rounds after it.
     */
    public double slopeKiBPerRound() {
        if (mallocKiB.size() < 4) {
            throw new IllegalStateException("a slope needs a baseline and at least 3 rounds, have "
                    + mallocKiB.size() + " readings");
        }
        return theilSenSlope(mallocKiB.stream().mapToLong(Long::longValue).toArray());
    }

    /** The median of the slopes between every pair of {@code values} (one per round), per round. */
    static double theilSenSlope(long[] values) {
        int n = values.length;
        double[] slopes = new double[n * (n - 1) / 2];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                slopes[k++] = (values[j] - values[i]) / (double) (j - i);
            }
        }
        Arrays.sort(slopes);
        int mid = slopes.length / 2;
        return slopes.length % 2 == 1 ? slopes[mid] : (slopes[mid - 1] + slopes[mid]) / 2;
    }

    /** For the test's output: every reading, MiB, and the slope. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "malloc in use at rest %s MiB (slope %+.2f MiB per round); "
                + "anonymous RSS less the JVM's committed %s MiB", mib(mallocKiB),
                mallocKiB.size() >= 4 ? slopeKiBPerRound() / 1024 : Double.NaN, mib(rssNativeKiB));
    }

    private static String mib(List<Long> kib) {
        return kib.stream().map(k -> String.format(Locale.ROOT, "%.1f", k / 1024.0)).collect(Collectors.joining(", "));
    }
}
