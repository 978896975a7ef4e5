package io.weightsync.soak;

import java.util.Locale;

/**
 * What a soak watches on the server, read from its {@code /metrics}, with the bound its growth must
 * stay within after warm-up. Each is summarised over a window of samples by the statistic that hides
 * its normal motion and keeps a leak: the median for values that jitter around a level (RSS, file
 * descriptors, threads), the minimum for sawtooths whose floor is the live set (the JVM heap between
 * collections; the engine's arrays, whose count rises only while an update holds two weight sets).
 */
public enum Resource {
    RSS("rss_mib", "resident set size (grows legitimately while the JVM commits heap up to -Xmx)", "MiB",
            Statistic.MEDIAN, 256,
            m -> mib(m.sum("process_resident_memory_bytes"))),
    NATIVE("native_mib", "native memory in use: glibc's count of live malloc bytes (harness_malloc_in_use_bytes)"
            + " where the server exports it, else anonymous RSS (plain RSS where a server lacks that) minus the JVM's"
            + " committed heap and non-heap: PyTorch's tensors, direct buffers, the JVM's own malloc",
            "MiB", Statistic.MEDIAN, 64, Resource::nativeInUse),
    HEAP("heap_mib", "JVM heap used (window minimum: the live set)", "MiB", Statistic.MIN, 32,
            m -> mib(m.sum("jvm_memory_used_bytes", "area", "heap"))),
    OPEN_FDS("open_fds", "open file descriptors", "", Statistic.MEDIAN, 32,
            m -> m.sum("process_open_fds")),
    THREADS("threads", "JVM threads", "", Statistic.MEDIAN, 8,
            m -> m.sum("jvm_threads_current")),
    NDARRAYS("ndarrays", "engine NDArrays between steps (native tensors)", "", Statistic.MIN, 0,
            m -> m.sum("harness_ndarrays"));

    /** Where a resource's value is in a scrape. */
    @FunctionalInterface
    private interface Reader {
        double read(PrometheusText scrape);
    }

    /** How a window of samples is summarised. */
    public enum Statistic { MEDIAN, MIN }

    /** Name in flags ({@code --bound rss_mib=128}), reports and the CSV. */
    public final String key;
    public final String description;
    public final String unit;
    public final Statistic statistic;
    /** Largest growth (last window minus first window after warm-up) that passes, in {@link #unit}. */
    public final double defaultBound;
    private final Reader reader;

    Resource(String key, String description, String unit, Statistic statistic, double defaultBound,
            Reader reader) {
        this.key = key;
        this.description = description;
        this.unit = unit;
        this.statistic = statistic;
        this.defaultBound = defaultBound;
        this.reader = reader;
    }

    /** The value in this scrape; NaN when the server does not expose it (a vLLM host has no JVM heap). */
    public double read(PrometheusText scrape) {
        return reader.read(scrape);
    }

    /**
     * malloc in use where the server exports it: resident memory also holds arenas' free pages,
     * which glibc keeps once an arena has grown (a 1-minute soak read +315 MiB of it after warm-up
     * with every NDArray freed; docs/TESTING.md), so it steps up without a leak.
     */
    private static double nativeInUse(PrometheusText m) {
        double malloc = m.sum("harness_malloc_in_use_bytes");
        if (!Double.isNaN(malloc)) {
            return mib(malloc);
        }
        return mib(anonymousOrAllResident(m) - m.sum("jvm_memory_committed_bytes", "area", "heap")
                - m.sum("jvm_memory_committed_bytes", "area", "nonheap"));
    }

    /**
     * RssAnon where the server exports it: plain RSS also holds file-backed pages (shared libraries'
     * code, mapped checkpoints until the JVM collects their buffers), which come and go without a
     * leak. In a 2-minute soak of the embedded server they were 84-90 MiB of 1.8 GiB.
     */
    private static double anonymousOrAllResident(PrometheusText m) {
        double anonymous = m.sum("harness_rss_anon_bytes");
        return Double.isNaN(anonymous) ? m.sum("process_resident_memory_bytes") : anonymous;
    }

    private static double mib(double bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    public static Resource byKey(String key) {
        for (Resource r : values()) {
            if (r.key.equals(key.toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        StringBuilder known = new StringBuilder();
        for (Resource r : values()) {
            known.append(known.length() == 0 ? "" : ", ").append(r.key);
        }
        throw new IllegalArgumentException("unknown resource '" + key + "' (known: " + known + ")");
    }
}
