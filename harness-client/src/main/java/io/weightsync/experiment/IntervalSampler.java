package io.weightsync.experiment;

import io.weightsync.client.ClientMetrics;
import io.weightsync.core.report.MetricHistograms;
import java.io.FileNotFoundException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.Recorder;

/**
 * The one reader of the client's Recorders while a mode runs, as wrk2 and HdrHistogram's own tools
 * do it: every second it takes each metric's interval histogram, writes it tagged with the metric's
 * name to an {@code .hlog} interval log ({@code HistogramLogWriter}; values in microseconds, i.e.
 * milliseconds x 1000) and adds it to the run's total. Every {@value #THROUGHPUT_MILLIS} ms it also
 * samples the chunks received, for the throughput timeline.
 */
final class IntervalSampler implements AutoCloseable {

    static final long THROUGHPUT_MILLIS = 250;
    private static final int TICKS_PER_INTERVAL = 4; // hlog interval: 1 s

    private final ClientMetrics metrics;
    private final LongSupplier chunks;
    private final HistogramLogWriter hlog;
    private final Map<String, Histogram> totals = new LinkedHashMap<>();
    private final Map<String, Histogram> reuse = new LinkedHashMap<>();
    private final List<ThroughputSample> throughput = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "interval-sampler");
        t.setDaemon(true);
        return t;
    });
    private long lastChunks;
    private final long firstChunks;
    private long lastNanos;
    private int ticks;
    private boolean closed;

    IntervalSampler(ClientMetrics metrics, LongSupplier chunks, Path hlogFile) throws FileNotFoundException {
        this.metrics = metrics;
        this.chunks = chunks;
        this.hlog = new HistogramLogWriter(hlogFile.toFile());
        long now = System.currentTimeMillis();
        hlog.outputComment("weightsync-harness client metrics; tag = metric name; values in microseconds (ms x 1000)");
        hlog.outputLogFormatVersion();
        hlog.outputStartTime(now);
        hlog.setBaseTime(now);
        hlog.outputLegend();
        for (String name : metrics.recorders().keySet()) {
            totals.put(name, MetricHistograms.create());
        }
        for (Recorder r : metrics.recorders().values()) {
            r.reset(); // anything recorded before the measured period starts is not the run's
        }
        lastChunks = chunks.getAsLong();
        firstChunks = lastChunks;
        lastNanos = System.nanoTime();
        timer.scheduleAtFixedRate(this::tick, THROUGHPUT_MILLIS, THROUGHPUT_MILLIS, TimeUnit.MILLISECONDS);
    }

    private synchronized void tick() {
        if (closed) {
            return;
        }
        sampleThroughput();
        if (++ticks % TICKS_PER_INTERVAL == 0) {
            drainIntervals();
        }
    }

    private void sampleThroughput() {
        long now = System.nanoTime();
        long c = chunks.getAsLong();
        double seconds = (now - lastNanos) / 1e9;
        if (seconds > 0) {
            throughput.add(new ThroughputSample(System.currentTimeMillis(), (c - lastChunks) / seconds));
        }
        lastChunks = c;
        lastNanos = now;
    }

    private void drainIntervals() {
        for (Map.Entry<String, Recorder> e : metrics.recorders().entrySet()) {
            Histogram interval = e.getValue().getIntervalHistogram(reuse.get(e.getKey()));
            reuse.put(e.getKey(), interval);
            if (interval.getTotalCount() == 0) {
                continue;
            }
            interval.setTag(e.getKey());
            hlog.outputIntervalHistogram(interval);
            totals.get(e.getKey()).add(interval);
        }
    }

    /** Every value recorded for {@code metric} since the sampler started (complete after {@link #close()}). */
    synchronized Histogram total(String metric) {
        return totals.get(metric);
    }

    /** Chunks (tokens) received by every stream, measured or not, while the sampler ran. */
    synchronized long chunksReceived() {
        return lastChunks - firstChunks;
    }

    synchronized List<ThroughputSample> throughput() {
        return List.copyOf(throughput);
    }

    /** Takes the last partial interval and closes the log. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        timer.shutdownNow();
        sampleThroughput();
        drainIntervals();
        hlog.close();
    }
}
