package io.weightsync.client;

import io.weightsync.core.report.MetricHistograms;
import io.weightsync.core.report.MetricNames;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * What the client measures, as the streams and updates happen: one HdrHistogram {@link Recorder}
 * per metric (many threads record, one sampler reads intervals; never a shared {@code Histogram}),
 * in thousandths of a millisecond as every report histogram ({@link MetricHistograms}), plus counters.
 *
 * <p>Stream metrics, all from the moment the orchestrator meant to send the request:
 * {@code stream.queue_ms} (until OkHttp wrote the request: Dispatcher queue + connect),
 * {@code stream.ttft_ms} (until the first chunk with a choice), {@code stream.itl_ms} (every gap
 * between two consecutive chunks of one stream, pooled over streams: vLLM's ITL, one sample per SSE
 * chunk, not averaged per request), {@code stream.e2e_ms} (until the stream ended).
 * {@code gen.stall_ms}: per weight update, the longest chunk gap of any stream that overlaps the
 * update's engine work (see {@link UpdateWindow}).
 */
public final class ClientMetrics {

    public static final String STREAM_QUEUE_MS = "stream.queue_ms";

    /** Metrics recorded here, in report order. */
    public static final List<String> RECORDED = List.of(STREAM_QUEUE_MS, MetricNames.STREAM_TTFT_MS,
            MetricNames.STREAM_ITL_MS, MetricNames.STREAM_E2E_MS, MetricNames.WEIGHTS_WALL_MS,
            MetricNames.WEIGHTS_RPC_MS, MetricNames.WEIGHTS_QUEUE_MS, MetricNames.GEN_STALL_MS);

    private final Map<String, Recorder> recorders = new LinkedHashMap<>();
    private final List<UpdateWindow> windows = new CopyOnWriteArrayList<>();

    /** Requests whose stream ended with a finish_reason. */
    public final AtomicLong requests = new AtomicLong();
    /** Streams that failed (HTTP error, broken connection, timeout); cancelled ones are not errors. */
    public final AtomicLong errors = new AtomicLong();
    /** Completion tokens received (usage.completion_tokens, or chunks when the server sends no usage). */
    public final AtomicLong tokens = new AtomicLong();
    /** Streams that ended with finish_reason "length". */
    public final AtomicLong truncated = new AtomicLong();
    public final AtomicLong updates = new AtomicLong();
    public final AtomicLong updatesFailed = new AtomicLong();

    public ClientMetrics() {
        for (String name : RECORDED) {
            recorders.put(name, new Recorder(MetricHistograms.SIGNIFICANT_DIGITS));
        }
    }

    /** Records {@code millis} (>= 0; a negative value, impossible on one monotonic clock, is clamped to 0). */
    public void record(String metric, double millis) {
        Recorder r = recorders.get(metric);
        if (r == null) {
            throw new IllegalArgumentException("not a client metric: " + metric);
        }
        if (Double.isNaN(millis)) {
            return;
        }
        r.recordValue(Math.round(Math.max(0, millis) * MetricHistograms.SCALE));
    }

    /** The recorders, by metric name, for the interval sampler. */
    public Map<String, Recorder> recorders() {
        return recorders;
    }

    /** A weight update starts now: chunk gaps overlapping it are candidates for its stall. */
    public UpdateWindow openWindow(long sendNanos) {
        UpdateWindow w = new UpdateWindow(sendNanos);
        windows.add(w);
        return w;
    }

    /** One stream saw a gap between two chunks, {@code fromNanos} to {@code toNanos}. */
    public void chunkGap(long fromNanos, long toNanos) {
        for (UpdateWindow w : windows) {
            w.offer(fromNanos, toNanos);
        }
    }

    /**
     * Closes every window whose update finished before {@code doneBeforeNanos}, records its stall into
     * {@code gen.stall_ms} and forgets it. A stream gap still open then is missed, so pass a time well
     * before now while streams run (the orchestrator uses 10 s) and {@link Long#MAX_VALUE} once they stopped.
     */
    public void recordStalls(long doneBeforeNanos) {
        for (UpdateWindow w : windows) {
            if (w.isDone() && w.doneNanos() < doneBeforeNanos) {
                double stall = w.stallMillis();
                if (!Double.isNaN(stall)) {
                    record(MetricNames.GEN_STALL_MS, stall);
                }
                windows.remove(w);
            }
        }
    }
}
