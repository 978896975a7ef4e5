package io.weightsync.server.model;

import ai.djl.ndarray.NDManager;
import io.weightsync.core.ckpt.Checkpoint;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuickPerfProbe {
    @TempDir Path dir;
    @Test
    void probe() throws Exception {
        ModelConfig c = TinyModel.config();
        Path step0 = TinyModel.ensure(dir);
        try (Checkpoint ckpt = Checkpoint.open(step0); NDManager root = NDManager.newBaseManager();
             LlamaModel model = new LlamaModel(c, root, 512);
             Weights w = Weights.load(ckpt, new WeightSpec(c), root, step0, "x");
             KvCache cache = new KvCache(root, c, 256, 512)) {
            for (int b : new int[] {1, 16, 64, 256}) {
                int[] toks = new int[b];
                long[] pos = new long[b];
                for (int i = 0; i < b; i++) { toks[i] = 65; pos[i] = 64 + (i % 32); }
                for (int i = 0; i < 30; i++) try (NDManager s = root.newSubManager()) { model.decode(s, w, cache, toks, pos); }
                int n = b >= 64 ? 20 : 100;
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) try (NDManager s = root.newSubManager()) { model.decode(s, w, cache, toks, pos); }
                double ms = (System.nanoTime() - t0) / 1e6 / n;
                System.out.printf("batch %d: %.2f ms/step, %.0f tok/s%n", b, ms, b / ms * 1000); System.out.flush();
            }
            long t0 = System.nanoTime();
            int[] prompt = new int[32];
            for (int i = 0; i < 20; i++) try (NDManager s = root.newSubManager()) { model.prefill(s, w, cache, i, new int[][] {prompt}); }
            System.out.printf("prefill 32: %.2f ms%n", (System.nanoTime() - t0) / 1e6 / 20);
        }
    }
}
