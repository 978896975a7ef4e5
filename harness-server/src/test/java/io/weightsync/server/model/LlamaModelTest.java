package io.weightsync.server.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import io.weightsync.core.ckpt.Checkpoint;
import io.weightsync.core.ckpt.CheckpointWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DJL model agrees with the plain-Java reference, through prefill, cached decode and batching. */
class LlamaModelTest {

    @TempDir
    Path dir;

    private static final int[] PROMPT = {256, 72, 101, 108, 108, 111, 44, 32, 119};

    @Test
    void tinyPrefillMatchesTheReference() throws IOException {
        assertModelMatchesReference(TinyModel.config());
    }

    @Test
    void qwen3QkNormsQwen2BiasesAndTiedEmbeddingsMatchTheReference() throws IOException {
        assertModelMatchesReference(new ModelConfig("qwen3", 64, 32, 48, 2, 4, 2, 16, 1e-6, 1e6, 64, true, 1, List.of(2)));
        assertModelMatchesReference(new ModelConfig("qwen2", 64, 32, 48, 2, 4, 1, 8, 1e-6, 1e4, 64, false, 1, List.of(2)));
    }

    private void assertModelMatchesReference(ModelConfig config) throws IOException {
        Path folder = dir.resolve(config.modelType());
        java.nio.file.Files.createDirectories(folder);
        CheckpointWriter.write(folder, TinyModel.tensors(config, 7), Map.of(), CheckpointWriter.Options.DEFAULT);
        int[] prompt = java.util.Arrays.stream(PROMPT).map(t -> t % config.vocabSize()).toArray();
        try (Checkpoint ckpt = Checkpoint.open(folder);
                NDManager root = NDManager.newBaseManager();
                LlamaModel model = new LlamaModel(config, root, 32);
                Weights w = Weights.load(ckpt, new WeightSpec(config), root, folder, "test");
                KvCache cache = new KvCache(root, config, 4, 32)) {
            ReferenceLlama reference = new ReferenceLlama(config, ckpt);

            // prefill of the whole prompt
            float[] expected = reference.lastLogits(prompt);
            try (NDManager step = root.newSubManager()) {
                assertClose(model.prefill(step, w, cache, 0, new int[][] {prompt}), expected);
            }

            // prefill all but the last token, then one cached decode step
            int[] head = java.util.Arrays.copyOf(prompt, prompt.length - 1);
            try (NDManager step = root.newSubManager()) {
                model.prefill(step, w, cache, 0, new int[][] {head});
                float[] decoded = model.decode(step, w, cache, new int[] {prompt[prompt.length - 1]},
                        new long[] {prompt.length - 1});
                assertClose(decoded, expected);
            }

            // three sequences of different lengths decoded in one batch
            int[][] seqs = {java.util.Arrays.copyOf(prompt, 3), java.util.Arrays.copyOf(prompt, 8), java.util.Arrays.copyOf(prompt, 5)};
            int[] next = new int[3];
            long[] positions = new long[3];
            try (NDManager step = root.newSubManager()) {
                int[][] heads = new int[3][];
                for (int s = 0; s < 3; s++) {
                    heads[s] = java.util.Arrays.copyOf(seqs[s], seqs[s].length - 1);
                    next[s] = seqs[s][seqs[s].length - 1];
                    positions[s] = seqs[s].length - 1;
                }
                // one batched, padded prefill; its last-position logits match the reference too
                float[] prefilled = model.prefill(step, w, cache, 0, heads);
                int vocab = config.vocabSize();
                for (int s = 0; s < 3; s++) {
                    assertClose(java.util.Arrays.copyOfRange(prefilled, s * vocab, (s + 1) * vocab), reference.lastLogits(heads[s]));
                }
                float[] batch = model.decode(step, w, cache, next, positions);
                int v = config.vocabSize();
                for (int s = 0; s < 3; s++) {
                    assertClose(java.util.Arrays.copyOfRange(batch, s * v, (s + 1) * v), reference.lastLogits(seqs[s]));
                }
            }
            assertThat(root.getManagedArrays().size()).as("arrays left after steps").isLessThan(200);
        }
    }

    private static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        double maxAbs = 0;
        for (float e : expected) {
            maxAbs = Math.max(maxAbs, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as("logit " + i).isCloseTo(expected[i], within(1e-4 + 1e-3 * maxAbs));
        }
    }
}
