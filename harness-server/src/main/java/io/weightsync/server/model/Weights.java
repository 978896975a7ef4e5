package io.weightsync.server.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.weightsync.core.ckpt.Checkpoint;
import io.weightsync.core.safetensors.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * One complete set of model weights as F32 NDArrays, owned by its own NDManager so that a swap
 * frees the old set in one close. Projections that read the same input are fused at load time
 * (q|k|v, gate|up) so a decode step runs one matmul for each.
 */
public final class Weights implements AutoCloseable {

    /** Per transformer layer. Shapes use d = hidden, q = heads*head_dim, kv = kv_heads*head_dim, f = intermediate. */
    public record Layer(
            NDArray inputNorm,     // (d)
            NDArray qkv,           // (q + 2kv, d)
            NDArray qkvBias,       // (q + 2kv) or null
            NDArray qNorm,         // (head_dim) or null (qwen3 only)
            NDArray kNorm,         // (head_dim) or null
            NDArray o,             // (d, q)
            NDArray postNorm,      // (d)
            NDArray gateUp,        // (2f, d)
            NDArray down) {}       // (d, f)

    private final NDManager manager;
    /** The checkpoint folder these weights came from; identifies them for idempotent updates. */
    private final Path source;
    private final NDArray embed;     // (vocab, d)
    private final Layer[] layers;
    private final NDArray finalNorm; // (d)
    private final NDArray lmHead;    // (vocab, d); the embedding when tied

    private Weights(NDManager manager, Path source, NDArray embed, Layer[] layers, NDArray finalNorm, NDArray lmHead) {
        this.manager = manager;
        this.source = source;
        this.embed = embed;
        this.layers = layers;
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
    }

    /**
     * Checks {@code checkpoint} against {@code spec}, then loads it into a new sub-manager of
     * {@code parent}. Nothing is allocated unless the whole check passes.
     */
    public static Weights load(Checkpoint checkpoint, WeightSpec spec, NDManager parent, Path source, String where)
            throws WeightMismatchException {
        spec.check(checkpoint, where);
        ModelConfig c = spec.config();
        NDManager m = parent.newSubManager();
        try (Loader loader = new Loader(checkpoint, m)) {
            NDArray embed = loader.owned(WeightSpec.embed());
            Layer[] layers = new Layer[c.numHiddenLayers()];
            for (int l = 0; l < layers.length; l++) {
                final int layer = l;
                java.util.function.Function<String, String> n = suffix -> WeightSpec.layer(layer, suffix);
                layers[l] = new Layer(
                        loader.owned(n.apply("input_layernorm.weight")),
                        loader.fused(n.apply("self_attn.q_proj.weight"), n.apply("self_attn.k_proj.weight"),
                                n.apply("self_attn.v_proj.weight")),
                        spec.hasQkvBias() ? loader.fused(n.apply("self_attn.q_proj.bias"),
                                n.apply("self_attn.k_proj.bias"), n.apply("self_attn.v_proj.bias")) : null,
                        c.hasQkNorm() ? loader.owned(n.apply("self_attn.q_norm.weight")) : null,
                        c.hasQkNorm() ? loader.owned(n.apply("self_attn.k_norm.weight")) : null,
                        loader.owned(n.apply("self_attn.o_proj.weight")),
                        loader.owned(n.apply("post_attention_layernorm.weight")),
                        loader.fused(n.apply("mlp.gate_proj.weight"), n.apply("mlp.up_proj.weight")),
                        loader.owned(n.apply("mlp.down_proj.weight")));
            }
            NDArray finalNorm = loader.owned(WeightSpec.finalNorm());
            NDArray lmHead = c.tieWordEmbeddings() ? embed : loader.owned(WeightSpec.lmHead());
            return new Weights(m, source, embed, layers, finalNorm, lmHead);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * Turns checkpoint slices into F32 NDArrays owned by the target manager. Each tensor passes
     * through a reused scratch buffer (converted from BF16/F16 when needed), is wrapped without a
     * copy in a temporary manager, then copied into torch-owned memory: the checkpoint file is not
     * referenced once loading ends.
     */
    private static final class Loader implements AutoCloseable {
        private final Checkpoint checkpoint;
        private final NDManager target;
        private final NDManager scratchManager;
        private ByteBuffer scratch = ByteBuffer.allocateDirect(0);

        Loader(Checkpoint checkpoint, NDManager target) {
            this.checkpoint = checkpoint;
            this.target = target;
            this.scratchManager = target.newSubManager();
        }

        /** A wrapped view of the tensor as F32; valid until the next call. */
        private NDArray view(String name) {
            TensorInfo t = checkpoint.tensor(name);
            long bytes = t.elementCount() * 4;
            if (scratch.capacity() < bytes) {
                scratch = ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
            }
            ByteBuffer f32 = scratch.duplicate().clear().limit((int) bytes).order(ByteOrder.nativeOrder());
            Floats.toF32(t.dtype(), checkpoint.slice(name), f32, t.elementCount());
            return scratchManager.create(f32.slice().order(ByteOrder.nativeOrder()), new Shape(t.shape()), DataType.FLOAT32);
        }

        NDArray owned(String name) {
            NDArray view = view(name);
            NDArray copy = view.duplicate();
            copy.attach(target);
            view.close();
            return copy;
        }

        /** Concatenation along the first axis: several projections of one input as one matrix. */
        NDArray fused(String... names) {
            NDList parts = new NDList();
            for (String name : names) {
                parts.add(owned(name));
            }
            NDArray fused = NDArrays.concat(parts, 0);
            fused.attach(target);
            parts.close();
            return fused;
        }

        @Override
        public void close() {
            scratchManager.close();
        }
    }

    public NDManager manager() {
        return manager;
    }

    public Path source() {
        return source;
    }

    public NDArray embed() {
        return embed;
    }

    public Layer layer(int l) {
        return layers[l];
    }

    public int layerCount() {
        return layers.length;
    }

    public NDArray finalNorm() {
        return finalNorm;
    }

    public NDArray lmHead() {
        return lmHead;
    }

    @Override
    public void close() {
        manager.close();
    }
}
