package io.weightsync.server.engine;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/** One completion to generate: prompt tokens, sampling, and where the tokens go. */
public final class GenerationRequest {

    private final String id;
    private final int[] promptTokens;
    private final SamplingParams params;
    private final TokenSink sink;
    /** Set by whoever holds the request (e.g. the HTTP layer when the client goes away). */
    private final AtomicBoolean cancelled = new AtomicBoolean();
    /** When the engine received it, System.nanoTime(). */
    final long arrivalNanos = System.nanoTime();

    public GenerationRequest(String id, int[] promptTokens, SamplingParams params, TokenSink sink) {
        this.id = Objects.requireNonNull(id, "id");
        this.promptTokens = promptTokens.clone();
        this.params = Objects.requireNonNull(params, "params");
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    public String id() {
        return id;
    }

    int[] promptTokens() {
        return promptTokens;
    }

    public int promptLength() {
        return promptTokens.length;
    }

    public SamplingParams params() {
        return params;
    }

    TokenSink sink() {
        return sink;
    }

    /** The request leaves the engine at its next step and frees its slot; the sink gets ABORT. */
    public void cancel() {
        cancelled.set(true);
    }

    public boolean isCancelled() {
        return cancelled.get();
    }
}
