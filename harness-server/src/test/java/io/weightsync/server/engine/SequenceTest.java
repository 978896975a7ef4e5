package io.weightsync.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.weightsync.server.model.TinyModel;
import io.weightsync.server.tokenizer.ByteTokenizer;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Per-token decisions of a sequence, driven with hand-made logits. */
class SequenceTest {

    private static final int VOCAB = 258;

    private static float[] logitsFavouring(int token) {
        float[] logits = new float[VOCAB];
        logits[token] = 10f;
        return logits;
    }

    private static Sequence sequence(SamplingParams params, CollectingSink sink) {
        return new Sequence(new GenerationRequest("t", new int[] {TinyModel.BOS, 'h'}, params, sink),
                new ByteTokenizer(TinyModel.BOS), Set.of(TinyModel.EOS));
    }

    @Test
    void eosFinishesWithStopUnlessIgnoreEos() {
        CollectingSink sink = new CollectingSink();
        Sequence s = sequence(SamplingParams.greedy(10), sink);
        s.accept(logitsFavouring('a'), 0, VOCAB);
        s.accept(logitsFavouring(TinyModel.EOS), 0, VOCAB);
        assertThat(s.finished()).isTrue();
        s.complete();
        assertThat(sink.finished).isCompletedWithValue(FinishReason.STOP);
        assertThat(sink.text.toString()).isEqualTo("a");

        CollectingSink ignoring = new CollectingSink();
        Sequence t = sequence(SamplingParams.greedy(3).withIgnoreEos(true), ignoring);
        for (int i = 0; i < 3; i++) {
            assertThat(t.finished()).isFalse();
            t.accept(logitsFavouring(TinyModel.EOS), 0, VOCAB);
        }
        assertThat(t.finished()).isTrue();
        t.complete();
        assertThat(ignoring.finished).isCompletedWithValue(FinishReason.LENGTH);
        assertThat(ignoring.completionTokens).isEqualTo(3);
    }

    @Test
    void multiByteCharactersAreReleasedWhole() {
        CollectingSink sink = new CollectingSink();
        Sequence s = sequence(SamplingParams.greedy(10), sink);
        for (byte b : "é€".getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            s.accept(logitsFavouring(b & 0xFF), 0, VOCAB);
        }
        assertThat(sink.text.toString()).isEqualTo("é€");
        assertThat(sink.tokens()).hasSize(5);
    }

    @Test
    void stopStringsAreHeldBackUntilDecidedAndLeftOut() {
        StopMatcher m = new StopMatcher(List.of("END", "\n\n"));
        assertThat(m.offer("hello E")).isEqualTo("hello ");
        assertThat(m.offer("N")).isEmpty();
        assertThat(m.offer("D and more")).isEmpty();
        assertThat(m.stopped()).isTrue();

        StopMatcher n = new StopMatcher(List.of("END"));
        assertThat(n.offer("EN")).isEmpty();
        assertThat(n.offer("x")).isEqualTo("ENx");
        assertThat(n.offer("xE")).isEqualTo("x");
        assertThat(n.flush()).isEqualTo("E");
    }

    @Test
    void topKOneIsGreedyAndTopPKeepsOnlyTheNucleus() {
        float[] logits = new float[VOCAB];
        java.util.Arrays.fill(logits, -20f);
        logits[5] = 3f;
        logits[6] = 2.9f;
        logits[7] = -5f;
        Sampler topK = new Sampler(new SamplingParams(1, 1.0, 1, 1, 1L, List.of(), false));
        Sampler nucleus = new Sampler(new SamplingParams(1, 1.0, 0.5, -1, 1L, List.of(), false));
        for (int i = 0; i < 200; i++) {
            assertThat(topK.sample(logits, 0, VOCAB)).isEqualTo(5);
            assertThat(nucleus.sample(logits, 0, VOCAB)).isIn(5, 6);
        }
    }

    @Test
    void badSamplingParametersAreNamed() {
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> new SamplingParams(0, 0, 1, -1, null, null, false)))
                .hasMessage("max_tokens must be at least 1, got 0");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> new SamplingParams(1, -1, 1, -1, null, null, false)))
                .hasMessage("temperature must be a finite number >= 0, got -1.0");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> new SamplingParams(1, 1, 0, -1, null, null, false)))
                .hasMessage("top_p must be in (0, 1], got 0.0");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> new SamplingParams(1, 1, 1, -2, null, null, false)))
                .hasMessage("top_k must be -1, 0 or positive, got -2");
    }
}
