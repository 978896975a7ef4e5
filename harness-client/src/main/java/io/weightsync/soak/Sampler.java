package io.weightsync.soak;

import io.weightsync.client.ClientMetrics;
import io.weightsync.core.report.MetricHistograms;
import io.weightsync.core.report.MetricNames;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Takes one {@link ResourceSample} per interval (from the soak's timer thread only): scrapes the
 * server's {@code /metrics}, reads the client's interval histograms (the one reader of its
 * Recorders), appends a CSV row at once, and gives up on the server after
 * {@link Soak#MAX_SCRAPE_FAILURES} failed scrapes in a row.
 */
final class Sampler implements AutoCloseable {

    private final OkHttpClient client;
    private final Request metricsRequest;
    private final ClientMetrics metrics;
    private final SoakLoad load;
    private final PrintWriter csv;
    private final CompletableFuture<String> abort;
    private final List<ResourceSample> samples = new ArrayList<>();
    private final Map<String, Histogram> totals = Soak.emptyTotals();
    private long startNanos;
    private long lastNanos;
    private long lastChunks;
    private int failuresInARow;
    private volatile String line = "";

    Sampler(OkHttpClient client, Request metricsRequest, ClientMetrics metrics, SoakLoad load, Path csvFile,
            CompletableFuture<String> abort) throws IOException {
        this.client = client;
        this.metricsRequest = metricsRequest;
        this.metrics = metrics;
        this.load = load;
        this.abort = abort;
        this.csv = new PrintWriter(Files.newBufferedWriter(csvFile, StandardCharsets.UTF_8));
        StringBuilder header = new StringBuilder("elapsed_s");
        for (Resource r : Resource.values()) {
            header.append(',').append(r.key);
        }
        csv.println(header.append(",tokens_per_s,itl_p99_ms,streams_done,stream_errors,updates_ok,updates_failed"));
        csv.flush();
    }

    /** The load starts now. */
    void start(long nanos) {
        startNanos = nanos;
        lastNanos = nanos;
        lastChunks = load.chunks();
    }

    void sample() {
        PrometheusText scrape;
        try {
            scrape = Soak.scrape(client, metricsRequest);
            failuresInARow = 0;
        } catch (IOException e) {
            if (++failuresInARow >= Soak.MAX_SCRAPE_FAILURES) {
                abort.complete(metricsRequest.url() + " failed " + failuresInARow + " times in a row: " + e.getMessage());
            }
            return;
        }
        long now = System.nanoTime();
        long chunks = load.chunks();
        double tokensPerSecond = (chunks - lastChunks) / ((now - lastNanos) / 1e9);
        lastChunks = chunks;
        lastNanos = now;
        double itlP99 = Double.NaN;
        for (Map.Entry<String, Histogram> total : totals.entrySet()) {
            Recorder recorder = metrics.recorders().get(total.getKey());
            Histogram interval = recorder.getIntervalHistogram();
            total.getValue().add(interval);
            if (total.getKey().equals(MetricNames.STREAM_ITL_MS) && interval.getTotalCount() > 0) {
                itlP99 = interval.getValueAtPercentile(99) / (double) MetricHistograms.SCALE;
            }
        }
        metrics.recordStalls(now - 10_000_000_000L);
        ResourceSample s = new ResourceSample((now - startNanos) / 1e9, ResourceSample.read(scrape), tokensPerSecond,
                itlP99, metrics.requests.get(), metrics.errors.get(), metrics.updates.get(), metrics.updatesFailed.get());
        synchronized (samples) {
            samples.add(s);
        }
        writeRow(s);
        line = String.format(Locale.ROOT, "RSS %s MiB (native %s), heap %s MiB, fds %s, threads %s, arrays %s | %d streams,"
                + " %d updates", whole(s.value(Resource.RSS)), whole(s.value(Resource.NATIVE)), whole(s.value(Resource.HEAP)),
                whole(s.value(Resource.OPEN_FDS)),
                whole(s.value(Resource.THREADS)), whole(s.value(Resource.NDARRAYS)), s.streamsDone(), s.updatesOk());
    }

    /** The latest sample in a few words, for the progress bar. */
    String line() {
        return line;
    }

    List<ResourceSample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    /** The client's latency totals so far (after the last sample; call once sampling stopped). */
    Map<String, Histogram> totals() {
        for (Map.Entry<String, Histogram> total : totals.entrySet()) {
            total.getValue().add(metrics.recorders().get(total.getKey()).getIntervalHistogram());
        }
        return totals;
    }

    private void writeRow(ResourceSample s) {
        StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%.1f", s.elapsedSeconds()));
        for (Resource r : Resource.values()) {
            row.append(',').append(csvNumber(s.value(r)));
        }
        row.append(',').append(csvNumber(s.tokensPerSecond())).append(',').append(csvNumber(s.itlP99Millis()))
                .append(',').append(s.streamsDone()).append(',').append(s.streamErrors())
                .append(',').append(s.updatesOk()).append(',').append(s.updatesFailed());
        csv.println(row);
        csv.flush();
    }

    static String csvNumber(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String whole(double v) {
        return Double.isNaN(v) ? "-" : String.valueOf(Math.round(v));
    }

    @Override
    public void close() {
        csv.close();
    }
}
