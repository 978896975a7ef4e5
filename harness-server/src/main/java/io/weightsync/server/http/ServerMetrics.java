package io.weightsync.server.http;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.weightsync.core.os.MallocInUse;
import io.weightsync.server.engine.Engine;
import io.weightsync.server.engine.EngineListener;
import io.weightsync.server.engine.FinishReason;
import io.weightsync.server.engine.UpdateResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * What {@code GET /metrics} shows, in the Prometheus text format, vLLM-style names under
 * {@code harness_}. Engine counts are read from {@link Engine#stats()} at scrape time; step and update
 * durations are observed through an {@link EngineListener}. One registry per server, so several
 * servers in one JVM (tests) do not share series.
 */
final class ServerMetrics implements EngineListener {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final AtomicInteger openStreams = new AtomicInteger();
    private final Counter requestsFinished;
    private final Counter rejected;
    private final Counter slowReaders;
    private final Histogram stepSeconds;
    private final Histogram updateSeconds;
    private final Histogram adminOverheadSeconds;
    /**
     * The same admin overheads per path in microseconds, exact (3 significant digits): the p50, p99
     * and max that {@code bench serve} and the tests report, which the Prometheus buckets can only
     * bound ("under 10 ms").
     */
    private final Map<String, ConcurrentHistogram> adminOverheadMicros = new ConcurrentHashMap<>();

    ServerMetrics(Engine engine) {
        GaugeWithCallback.builder().name("harness_num_requests_running")
                .help("Requests in the engine's running batch")
                .callback(cb -> cb.call(engine.stats().running())).register(registry);
        GaugeWithCallback.builder().name("harness_num_requests_waiting")
                .help("Requests queued in the engine for a free slot")
                .callback(cb -> cb.call(engine.stats().waiting())).register(registry);
        GaugeWithCallback.builder().name("harness_open_streams")
                .help("SSE responses currently open")
                .callback(cb -> cb.call(openStreams.get())).register(registry);
        GaugeWithCallback.builder().name("harness_weight_step")
                .help("Step of the weights now serving (-1: not a step_N folder)")
                .callback(cb -> cb.call(engine.stats().weightStep())).register(registry);
        GaugeWithCallback.builder().name("harness_paused")
                .help("1 while the engine is paused by /pause")
                .callback(cb -> cb.call(engine.stats().paused() ? 1 : 0)).register(registry);
        CounterWithCallback.builder().name("harness_generation_tokens")
                .help("Tokens generated")
                .callback(cb -> cb.call(engine.stats().generatedTokens())).register(registry);
        CounterWithCallback.builder().name("harness_prompt_tokens")
                .help("Prompt tokens prefilled")
                .callback(cb -> cb.call(engine.stats().promptTokens())).register(registry);
        CounterWithCallback.builder().name("harness_weight_updates")
                .help("Weight updates applied (no-ops excluded)")
                .callback(cb -> cb.call(engine.stats().updates())).register(registry);
        CounterWithCallback.builder().name("harness_weight_update_failures")
                .help("Weight updates refused (bad checkpoint); the old weights kept serving")
                .callback(cb -> cb.call(engine.stats().updatesFailed())).register(registry);
        requestsFinished = Counter.builder().name("harness_requests_finished")
                .help("Completions finished, by finish reason").labelNames("finished_reason").register(registry);
        rejected = Counter.builder().name("harness_requests_rejected")
                .help("Requests refused with 503 by --max-concurrent-requests").register(registry);
        slowReaders = Counter.builder().name("harness_slow_readers_disconnected")
                .help("Streams closed because the client fell too far behind").register(registry);
        stepSeconds = Histogram.builder().name("harness_step_duration_seconds")
                .help("Engine step (one batched decode, admission included)").classicOnly()
                .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
                .register(registry);
        updateSeconds = Histogram.builder().name("harness_weight_update_duration_seconds")
                .help("Weight update load + swap").classicOnly()
                .classicUpperBounds(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60).register(registry);
        adminOverheadSeconds = Histogram.builder().name("harness_admin_overhead_seconds")
                .help("Admin request: server.recv to response, minus the engine call (rpc)").classicOnly()
                .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1)
                .labelNames("path").register(registry);
        GaugeWithCallback.builder().name("harness_ndarrays")
                .help("NDArrays alive in the engine between two steps (weights, KV cache, rotary tables): flat over a long run")
                .callback(cb -> cb.call(engine.arraysBetweenSteps())).register(registry);
        if (AnonymousMemory.bytes().isPresent()) { // Linux
            GaugeWithCallback.builder().name("harness_rss_anon_bytes")
                    .help("Anonymous resident memory (RssAnon): heap, malloc, tensors; no file-backed pages (libraries, mapped checkpoints)")
                    .callback(cb -> cb.call(AnonymousMemory.bytes().orElse(-1))).register(registry);
        }
        if (MallocInUse.bytes().isPresent()) { // glibc 2.33+
            GaugeWithCallback.builder().name("harness_malloc_in_use_bytes")
                    .help("Native memory in use as glibc's malloc counts it (mallinfo2 uordblks + hblkhd): tensors,"
                            + " direct buffers, the JVM's mallocs; free arena memory not counted")
                    .callback(cb -> cb.call(MallocInUse.bytes().orElse(-1))).register(registry);
        }
        // process_resident_memory_bytes, process_open_fds, jvm_memory_used_bytes, jvm_threads_current, ...:
        // what a soak run samples to tell a leak from a warm-up
        JvmMetrics.builder().register(registry);
        engine.addListener(this);
    }

    @Override
    public void onStep(int batch, long stepNanos) {
        stepSeconds.observe(stepNanos / 1e9);
    }

    @Override
    public void onUpdate(UpdateResult result) {
        updateSeconds.observe((result.loadMillis() + result.swapMillis()) / 1e3);
    }

    void requestFinished(FinishReason reason) {
        requestsFinished.labelValues(reason.openAiName).inc();
    }

    void rejected() {
        rejected.inc();
    }

    void slowReaderDisconnected() {
        slowReaders.inc();
    }

    void streamOpened() {
        openStreams.incrementAndGet();
    }

    void streamClosed() {
        openStreams.decrementAndGet();
    }

    void adminOverhead(String path, double millis) {
        adminOverheadSeconds.labelValues(path).observe(millis / 1e3);
        adminOverheadMicros.computeIfAbsent(path, p -> new ConcurrentHistogram(3))
                .recordValue(Math.round(millis * 1e3));
    }

    /** A copy of the admin overheads recorded for {@code path} so far, in microseconds; empty when none. */
    org.HdrHistogram.Histogram adminOverheadMicros(String path) {
        ConcurrentHistogram recorded = adminOverheadMicros.get(path);
        org.HdrHistogram.Histogram copy = new org.HdrHistogram.Histogram(3);
        if (recorded != null) {
            copy.add(recorded);
        }
        return copy;
    }

    String contentType() {
        return writer.getContentType();
    }

    /** The text exposition of every series. */
    byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // a byte array stream does not fail
        }
        return out.toByteArray();
    }
}
