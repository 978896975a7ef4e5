package io.weightsync.server.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class OpCostProbe {
    static void time(String name, NDManager root, java.util.function.Function<NDManager, NDArray> op) {
        for (int i = 0; i < 200; i++) try (NDManager s = root.newSubManager()) { op.apply(s); }
        long t0 = System.nanoTime();
        int n = 2000;
        for (int i = 0; i < n; i++) try (NDManager s = root.newSubManager()) { op.apply(s); }
        System.out.printf("%-28s %7.1f us%n", name, (System.nanoTime() - t0) / 1e3 / n); System.out.flush();
    }
    @Test
    void probe() {
        try (NDManager root = NDManager.newBaseManager()) {
            NDArray w = root.randomNormal(new Shape(768, 256));
            NDArray x = root.randomNormal(new Shape(1, 256));
            NDArray k = root.randomNormal(new Shape(1, 4, 65, 32));
            NDArray q = root.randomNormal(new Shape(1, 4, 2, 32));
            NDArray big = root.zeros(new Shape(256, 4, 512, 32));
            NDArray flat = big.reshape(-1, 32);
            NDArray persistent = root.zeros(new Shape(4), ai.djl.ndarray.types.DataType.INT64);
            time("set(long[]) persistent", root, s -> { persistent.set(new long[] {1, 2, 3, 4}); return null; });
            time("create float[512*4]", root, s -> s.create(new float[2048], new Shape(4, 512)));
            NDArray kc = k.transpose(0, 1, 3, 2).duplicate();
            time("matmul attn contiguous kT", root, s -> q.matMul(kc));
            time("batchMatMul attn 3d", root, s -> q.reshape(4, 2, 32).batchMatMul(kc.reshape(4, 32, 65)));
            time("sigmoid*x", root, s -> x.mul(Activation.sigmoid(x)));
            NDArray wT = w.transpose().duplicate();
            time("matMul x @ wT contiguous", root, s -> x.matMul(wT));
            time("matMul x @ w.transpose()", root, s -> x.matMul(w.transpose()));
            time("norm(2,[1],true)", root, s -> x.norm(2, new int[] {1}, true));
            time("mean keepdims", root, s -> x.mean(new int[] {1}, true));
            time("square", root, s -> x.square());
            time("mul scalar", root, s -> x.mul(2f));
            time("empty submanager", root, s -> null);
            time("create long[1]", root, s -> s.create(new long[] {1}));
            time("add (1,256)", root, s -> x.add(x));
            time("linear 1x256 @ 768x256", root, s -> Linear.linear(x, w).singletonOrThrow());
            time("matmul attn", root, s -> q.matMul(k.transpose(0, 1, 3, 2)));
            time("softmax", root, s -> q.softmax(3));
            time("swish", root, s -> Activation.swish(x, 1f));
            time("get slice view", root, s -> big.get(s, new NDIndex(":{}, :, :{}, :", 1, 65)));
            time("NDIndex parse only", root, s -> { new NDIndex(":{}, :, :{}, :", 1, 65); return null; });
            time("reshape", root, s -> x.reshape(1, 8, 32));
            time("adv set", root, s -> { flat.set(new NDIndex("{}", s.create(new long[] {5, 6, 7, 8})), s.ones(new Shape(4, 32))); return null; });
            time("toFloatArray 258", root, s -> { x.toFloatArray(); return null; });
            time("square+mean+add+sqrt+div", root, s -> x.div(x.square().mean(new int[] {1}, true).add(1e-5f).sqrt()));
        }
    }
}
