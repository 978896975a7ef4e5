package io.weightsync.server.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.weightsync.core.ckpt.Checkpoint;
import io.weightsync.core.safetensors.SafetensorsFormatException;
import io.weightsync.core.safetensors.TensorInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * One complete set of model weights as F32 NDArrays, owned by its own NDManager so that a swap
 * frees the old set in one close. Projections that read the same input are fused at load time
 * (q|k|v, gate|up) so a decode step runs one matmul for each, and norm weights and the attention
 * scale are folded into them (see {@link Layer}).
 */
public final class Weights implements AutoCloseable {

    /**
     * Per transformer layer. Shapes use d = hidden, q = heads*head_dim, kv = kv_heads*head_dim,
     * f = intermediate. Folded at load time, so that a step runs fewer ops: each RMSNorm's weight
     * into the columns of the projection that reads it (W diag(g) x), and the attention scale
     * 1/sqrt(head_dim) into the query rows (or, with q/k norms, into the query norm).
     */
    public record Layer(
            NDArray qkv,           // (q + 2kv, d), input norm and query scale folded in
            NDArray qkvBias,       // (q + 2kv) or null
            NDArray qkNorm,        // (heads + kv_heads, head_dim): q_norm rows then k_norm rows, or null
            NDArray o,             // (d, q)
            NDArray gateUp,        // (2f, d), post-attention norm folded in
            NDArray down) {}       // (d, f)

    private final NDManager manager;
    /** The checkpoint folder these weights came from; identifies them for idempotent updates. */
    private final Path source;
    private final NDArray embed;     // (vocab, d)
    private final Layer[] layers;
    private final NDArray lmHead;    // (vocab, d), final norm folded in (a copy when tied)

    private Weights(NDManager manager, Path source, NDArray embed, Layer[] layers, NDArray lmHead) {
        this.manager = manager;
        this.source = source;
        this.embed = embed;
        this.layers = layers;
        this.lmHead = lmHead;
    }

    /**
     * Checks {@code checkpoint} against {@code spec}, then loads it into a new sub-manager of
     * {@code parent}. Nothing is allocated unless the whole check passes.
     *
     * @throws WeightMismatchException when the tensors do not fit the model
     * @throws SafetensorsFormatException when a file was truncated while it was being read
     */
    public static Weights load(Checkpoint checkpoint, WeightSpec spec, NDManager parent, Path source, String where)
            throws IOException {
        return load(checkpoint, spec, parent, source, where, Runnable::run);
    }

    /**
     * As {@link #load(Checkpoint, WeightSpec, NDManager, Path, String)}, handing each unit of work
     * (the embedding, a layer's attention or MLP projections, the head) to {@code units}, which must run it before returning:
     * the engine uses this to interleave a load with decode steps, one unit per step boundary.
     */
    public static Weights load(Checkpoint checkpoint, WeightSpec spec, NDManager parent, Path source, String where,
            UnitRunner units) throws IOException {
        spec.check(checkpoint, where);
        ModelConfig c = spec.config();
        NDManager m = parent.newSubManager();
        try (Loader loader = new Loader(checkpoint, m)) {
            NDArray[] embed = new NDArray[1];
            units.run(() -> embed[0] = loader.keep(loader.owned(WeightSpec.embed())));
            Layer[] layers = new Layer[c.numHiddenLayers()];
            for (int l = 0; l < layers.length; l++) {
                layers[l] = loadLayer(loader, spec, l, units);
            }
            NDArray[] lmHead = new NDArray[1];
            units.run(() -> {
                NDArray head = c.tieWordEmbeddings() ? embed[0] : loader.owned(WeightSpec.lmHead());
                lmHead[0] = loader.keep(head.mul(loader.owned(WeightSpec.finalNorm())));
            });
            return new Weights(m, source, embed[0], layers, lmHead[0]);
        } catch (UncheckedIOException e) { // a unit found a file truncated under it; see Loader.owned
            m.close();
            throw e.getCause();
        } catch (RuntimeException | Error e) {
            m.close();
            throw e;
        }
    }

    /** Runs a unit of loading work to completion, wherever it chooses. */
    @FunctionalInterface
    public interface UnitRunner {
        void run(Runnable unit);
    }

    /** One layer in four units: attention input projections, output projection, gate|up, down. */
    private static Layer loadLayer(Loader loader, WeightSpec spec, int layer, UnitRunner units) {
        ModelConfig c = spec.config();
        float scale = (float) (1.0 / Math.sqrt(c.headDim()));
        long qRows = (long) c.numAttentionHeads() * c.headDim();
        java.util.function.Function<String, String> n = suffix -> WeightSpec.layer(layer, suffix);
        NDArray[] qkv = new NDArray[3]; // weight, bias, q/k norm
        units.run(() -> {
            NDArray w = loader.fused(n.apply("self_attn.q_proj.weight"), n.apply("self_attn.k_proj.weight"),
                    n.apply("self_attn.v_proj.weight"));
            NDArray bias = spec.hasQkvBias() ? loader.fused(n.apply("self_attn.q_proj.bias"),
                    n.apply("self_attn.k_proj.bias"), n.apply("self_attn.v_proj.bias")) : null;
            if (c.hasQkNorm()) {
                NDArray qNorm = loader.owned(n.apply("self_attn.q_norm.weight")).mul(scale)
                        .expandDims(0).repeat(0, c.numAttentionHeads());
                NDArray kNorm = loader.owned(n.apply("self_attn.k_norm.weight"))
                        .expandDims(0).repeat(0, c.numKeyValueHeads());
                qkv[2] = loader.keep(qNorm.concat(kNorm, 0));
            } else {
                loader.scaleRows(w, qRows, scale);
                if (bias != null) {
                    loader.scaleRows(bias, qRows, scale);
                }
            }
            qkv[0] = loader.keep(w.mul(loader.owned(n.apply("input_layernorm.weight"))));
            qkv[1] = bias == null ? null : loader.keep(bias);
        });
        NDArray[] rest = new NDArray[3]; // o, gate|up, down
        units.run(() -> rest[0] = loader.keep(loader.owned(n.apply("self_attn.o_proj.weight"))));
        units.run(() -> rest[1] = loader.keep(loader.fused(n.apply("mlp.gate_proj.weight"), n.apply("mlp.up_proj.weight"))
                .mul(loader.owned(n.apply("post_attention_layernorm.weight")))));
        units.run(() -> rest[2] = loader.keep(loader.owned(n.apply("mlp.down_proj.weight"))));
        return new Layer(qkv[0], qkv[1], qkv[2], rest[0], rest[1], rest[2]);
    }

    /**
     * Turns checkpoint slices into F32 NDArrays. Each tensor passes through a reused scratch buffer
     * (converted from BF16/F16 when needed) and is copied into torch-owned memory, so the
     * checkpoint file is not referenced once loading ends. Everything is built in a scratch
     * manager; only what {@link #keep} attaches to the target survives {@link #close}.
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

        /** The tensor as an F32 array in the scratch manager. */
        NDArray owned(String name) {
            TensorInfo t = checkpoint.tensor(name);
            long bytes = t.elementCount() * 4;
            if (scratch.capacity() < bytes) {
                scratch = ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
            }
            ByteBuffer f32 = scratch.duplicate().clear().limit((int) bytes).order(ByteOrder.nativeOrder());
            try {
                checkpoint.checkStillHolds(name); // a read past the end of a truncated file would be a SIGBUS
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Floats.toF32(t.dtype(), checkpoint.slice(name), f32, t.elementCount());
            NDArray view = scratchManager.create(f32.slice().order(ByteOrder.nativeOrder()), new Shape(t.shape()),
                    DataType.FLOAT32);
            NDArray copy = view.duplicate(); // torch-owned: the scratch buffer is reused for the next tensor
            view.close();
            return copy;
        }

        /** Concatenation along the first axis: several projections of one input as one matrix. */
        NDArray fused(String... names) {
            NDList parts = new NDList();
            for (String name : names) {
                parts.add(owned(name));
            }
            return NDArrays.concat(parts, 0);
        }

        /** Multiplies the first {@code rows} rows of {@code a} by {@code factor}, in place. */
        void scaleRows(NDArray a, long rows, float factor) {
            NDIndex first = new NDIndex(":{}", rows);
            a.set(first, a.get(first).mul(factor));
        }

        /** Makes {@code array} part of the weight set. */
        NDArray keep(NDArray array) {
            array.attach(target);
            return array;
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

    public NDArray lmHead() {
        return lmHead;
    }

    @Override
    public void close() {
        manager.close();
    }
}
