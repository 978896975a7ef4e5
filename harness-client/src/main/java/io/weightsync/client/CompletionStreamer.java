package io.weightsync.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weightsync.core.report.MetricNames;
import java.io.IOException;
import java.util.Objects;
import java.util.function.Consumer;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;

/**
 * Streams completions ({@code POST /v1/completions}, {@code stream: true},
 * {@code stream_options.include_usage}) over SSE with okhttp-sse, which enqueues each call on the
 * client's Dispatcher: beyond {@code streams} in flight, a rollout waits in that queue, as in
 * prime-rl's pool. Per stream it records queue time, TTFT, every chunk gap and E2E from the moment
 * the caller meant to send ({@link ClientMetrics}), offers chunk gaps to open update windows, and
 * counts chunks as they arrive (the throughput timeline).
 */
public final class CompletionStreamer {

    private static final MediaType JSON = MediaType.get("application/json");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final EventSource.Factory factory;
    private final HttpUrl completionsUrl;
    private final String model;
    private final ClientMetrics metrics;
    private final java.util.concurrent.atomic.AtomicLong chunks = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean stopping;

    public CompletionStreamer(OkHttpClient client, HttpUrl baseUrl, String model, ClientMetrics metrics) {
        this.factory = EventSources.createFactory(client);
        this.completionsUrl = baseUrl.newBuilder().addPathSegments("v1/completions").build();
        this.model = Objects.requireNonNull(model, "model");
        this.metrics = metrics;
    }

    /** What one rollout asks for. */
    public record Ask(String prompt, int maxTokens, double temperature, long seed) {}

    /**
     * From now on a failing stream is a cancellation (the run is ending and its streams are being
     * cancelled), not an error.
     */
    public void stopping() {
        stopping = true;
    }

    /** Chunks with a choice received so far, by every stream (measured or not). */
    public long chunks() {
        return chunks.get();
    }

    /**
     * Starts one stream; {@code onEnd} runs once, on an OkHttp thread, when it ends in any way.
     *
     * @param intendedNanos when the caller meant to send it ({@link System#nanoTime()})
     * @param measured record its stream metrics (false during warm-up)
     * @return a handle whose {@code cancel()} stops it
     */
    public EventSource start(long index, Ask ask, long intendedNanos, boolean measured, Consumer<Rollout> onEnd) {
        ObjectNode body = MAPPER.createObjectNode()
                .put("model", model)
                .put("prompt", ask.prompt())
                .put("max_tokens", ask.maxTokens())
                .put("temperature", ask.temperature())
                .put("seed", ask.seed())
                .put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        RequestTiming timing = new RequestTiming(intendedNanos);
        Request request = new Request.Builder()
                .url(completionsUrl)
                .tag(RequestTiming.class, timing)
                .post(RequestBody.create(body.toString(), JSON))
                .build();
        return factory.newEventSource(request, new StreamListener(index, timing, measured, onEnd));
    }

    /** One stream's state; okhttp-sse calls it from the call's thread only. */
    private final class StreamListener extends EventSourceListener {
        private final long index;
        private final RequestTiming timing;
        private final boolean measured;
        private final Consumer<Rollout> onEnd;
        private long lastChunkNanos = RequestTiming.UNSET;
        private long chunkCount;
        private long usageTokens = -1;
        private String finishReason;
        private boolean ended;

        StreamListener(long index, RequestTiming timing, boolean measured, Consumer<Rollout> onEnd) {
            this.index = index;
            this.timing = timing;
            this.measured = measured;
            this.onEnd = onEnd;
        }

        @Override
        public void onEvent(EventSource source, String id, String type, String data) {
            if (data.equals("[DONE]")) {
                return;
            }
            long now = System.nanoTime();
            JsonNode chunk;
            try {
                chunk = MAPPER.readTree(data);
            } catch (IOException e) {
                end(new Rollout(index, measured, chunkCount, null, "unparsable SSE chunk: " + e.getMessage(), false));
                source.cancel();
                return;
            }
            JsonNode usage = chunk.path("usage");
            if (usage.path("completion_tokens").isNumber()) {
                usageTokens = usage.get("completion_tokens").asLong();
            }
            JsonNode choices = chunk.path("choices");
            if (!choices.isArray() || choices.isEmpty()) {
                return; // the usage-only chunk
            }
            chunks.incrementAndGet();
            chunkCount++;
            if (measured) {
                if (lastChunkNanos == RequestTiming.UNSET) {
                    metrics.record(MetricNames.STREAM_TTFT_MS, (now - timing.intendedNanos()) / 1e6);
                } else {
                    metrics.record(MetricNames.STREAM_ITL_MS, (now - lastChunkNanos) / 1e6);
                }
            }
            if (lastChunkNanos != RequestTiming.UNSET) {
                metrics.chunkGap(lastChunkNanos, now);
            }
            lastChunkNanos = now;
            JsonNode reason = choices.get(0).path("finish_reason");
            if (reason.isTextual()) {
                finishReason = reason.asText();
            }
        }

        @Override
        public void onClosed(EventSource source) {
            long now = System.nanoTime();
            long tokens = usageTokens >= 0 ? usageTokens : chunkCount;
            if (finishReason == null) {
                end(new Rollout(index, measured, tokens, null, "stream ended without a finish_reason", false));
                return;
            }
            if (measured) {
                metrics.record(ClientMetrics.STREAM_QUEUE_MS, timing.queueMillis());
                metrics.record(MetricNames.STREAM_E2E_MS, (now - timing.intendedNanos()) / 1e6);
                metrics.requests.incrementAndGet();
                metrics.tokens.addAndGet(tokens);
                if ("length".equals(finishReason)) {
                    metrics.truncated.incrementAndGet();
                }
            }
            end(new Rollout(index, measured, tokens, finishReason, null, false));
        }

        @Override
        public void onFailure(EventSource source, Throwable t, Response response) {
            String error;
            if (response != null && response.code() != 200) {
                String message = "";
                try {
                    message = response.body() == null ? "" : response.body().string();
                } catch (IOException | IllegalStateException ignored) {
                    // the body is only context for the message
                }
                error = "HTTP " + response.code() + " " + message.replaceAll("\\s+", " ").trim();
            } else {
                error = t == null ? "stream failed" : t.getClass().getSimpleName() + ": " + t.getMessage();
            }
            boolean cancelled = stopping;
            if (!cancelled && measured) {
                metrics.errors.incrementAndGet();
            }
            end(new Rollout(index, measured, chunkCount, null, cancelled ? null : error, cancelled));
        }

        private void end(Rollout rollout) {
            if (!ended) {
                ended = true;
                onEnd.accept(rollout);
            }
        }
    }
}
