package io.weightsync.server.engine;

import io.weightsync.server.tokenizer.Tokenizer;
import java.util.Set;

/**
 * A running request inside the engine: its slot in the KV cache, how far it has got, and the
 * per-sequence sampler, detokenizer and stop matcher. Only the engine thread touches it.
 */
final class Sequence {

    final GenerationRequest request;
    /** Slot in the KV cache; running sequences occupy slots 0..B-1. */
    int slot;
    /** Tokens in the cache for this sequence: the next token is written at this position. */
    long position;
    /** The token to feed at the next decode step (the last one sampled). */
    int nextToken;
    int generated;
    private final Sampler sampler;
    private final Tokenizer.Decoder decoder;
    private final StopMatcher stops;
    private final Set<Integer> eos;
    private FinishReason finish;

    Sequence(GenerationRequest request, Tokenizer tokenizer, Set<Integer> eos) {
        this.request = request;
        this.sampler = new Sampler(request.params());
        this.decoder = tokenizer.newDecoder();
        this.stops = new StopMatcher(request.params().stop());
        this.eos = eos;
    }

    /**
     * Samples the next token from this sequence's row of logits and emits it; decides whether the
     * sequence is finished.
     */
    void accept(float[] logits, int offset, int vocab) {
        int token = sampler.sample(logits, offset, vocab);
        generated++;
        nextToken = token;
        SamplingParams p = request.params();
        if (eos.contains(token) && !p.ignoreEos()) {
            request.sink().onToken(token, stops.flush());
            finish = FinishReason.STOP;
            return;
        }
        String text = stops.offer(decoder.add(token));
        if (stops.stopped()) {
            request.sink().onToken(token, text);
            finish = FinishReason.STOP;
            return;
        }
        if (generated >= p.maxTokens()) {
            request.sink().onToken(token, text + stops.flush());
            finish = FinishReason.LENGTH;
            return;
        }
        request.sink().onToken(token, text);
    }

    boolean finished() {
        return finish != null;
    }

    void abort() {
        finish = FinishReason.ABORT;
    }

    /** Tells the sink how the completion ended. */
    void complete() {
        request.sink().onFinish(finish, request.promptLength(), generated);
    }
}
