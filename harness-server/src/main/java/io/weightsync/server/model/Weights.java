package io.weightsync.server.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.weightsync.core.ckpt.Checkpoint;
import io.weightsync.core.safetensors.SafetensorsFormatException;
import io.weightsync.server.model.WeightLoader.Part;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One complete set of model weights as F32 NDArrays, owned by its own NDManager so that a swap
 * frees the old set in one close. Projections that read the same input are fused at load time
 * (q|k|v, gate|up) so a decode step runs one matmul for each, and norm weights and the attention
 * scale are folded into them (see {@link Layer}). A load is a list of bounded {@link Piece}s
 * (built by {@link WeightLoader}) that a {@link PieceRunner} runs where it chooses.
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
        return load(checkpoint, spec, parent, source, where, IN_ORDER);
    }

    /**
     * As {@link #load(Checkpoint, WeightSpec, NDManager, Path, String)}, handing the load's pieces
     * (each at most {@link #PIECE_BYTES} of F32) to {@code runner}, which may run them on several
     * threads at once: the engine uses this to overlap a load with decoding.
     */
    public static Weights load(Checkpoint checkpoint, WeightSpec spec, NDManager parent, Path source, String where,
            PieceRunner runner) throws IOException {
        return load(checkpoint, spec, parent, source, where, runner, PIECE_BYTES);
    }

    /** As above, with pieces of at most {@code pieceBytes} (tests cut the tiny model into many). */
    static Weights load(Checkpoint checkpoint, WeightSpec spec, NDManager parent, Path source, String where,
            PieceRunner runner, long pieceBytes) throws IOException {
        spec.check(checkpoint, where);
        ModelConfig c = spec.config();
        NDManager m = parent.newSubManager();
        try (WeightLoader loader = new WeightLoader(checkpoint, m, pieceBytes)) {
            List<Piece> pieces = new ArrayList<>();
            long d = c.hiddenSize();
            long vocab = c.vocabSize();
            WeightLoader.Planned embed = loader.plan(pieces, "embed", new long[] {vocab, d}, null,
                    Part.rows(WeightSpec.embed(), vocab));
            WeightLoader.Planned[][] layers = new WeightLoader.Planned[c.numHiddenLayers()][];
            for (int l = 0; l < layers.length; l++) {
                layers[l] = planLayer(loader, pieces, spec, l);
            }
            String head = c.tieWordEmbeddings() ? WeightSpec.embed() : WeightSpec.lmHead();
            WeightLoader.Planned lmHead = loader.plan(pieces, "lm_head", new long[] {vocab, d}, WeightSpec.finalNorm(),
                    Part.rows(head, vocab));
            runner.runAll(pieces);
            Layer[] built = new Layer[layers.length];
            for (int l = 0; l < built.length; l++) {
                WeightLoader.Planned[] p = layers[l];
                built[l] = new Layer(p[0].array(), p[1] == null ? null : p[1].array(),
                        p[2] == null ? null : p[2].array(), p[3].array(), p[4].array(), p[5].array());
            }
            return new Weights(m, source, embed.array(), built, lmHead.array());
        } catch (UncheckedIOException e) { // a piece found a file truncated under it; see WeightLoader.convert
            m.close();
            throw e.getCause();
        } catch (RuntimeException | Error e) {
            m.close();
            throw e;
        }
    }

    /**
     * Most bytes of F32 one piece of a load converts and copies: 1 MiB, ~0.5-1 ms on this 2-core
     * CPU (BF16 conversion, the folds, one torch copy), so an overlapped load can stop within about
     * that of its time budget when it runs between two decode steps, whatever the size of the
     * model; large enough that the ~60 us of torch calls per piece stay a small share.
     */
    public static final long PIECE_BYTES = 1L << 20;

    /** A bounded piece of a load: {@code bytes} of F32 converted and copied by {@code work}. */
    public record Piece(String what, long bytes, Runnable work) {
        public void run() {
            work.run();
        }
    }

    /** Runs a load's pieces in order, each to completion, before it returns; the first that throws ends it. */
    @FunctionalInterface
    public interface PieceRunner {
        void runAll(List<Piece> pieces);
    }

    /** Runs the pieces back to back on the caller's thread. */
    public static final PieceRunner IN_ORDER = pieces -> pieces.forEach(Piece::run);

    /**
     * A layer's arrays (qkv, qkv bias, q/k norms, o, gate|up, down; null where the model has none)
     * with their folds: the input norm into qkv's columns and the post-attention norm into
     * gate|up's; the attention scale 1/sqrt(head_dim) into the query rows (and bias), or with q/k
     * norms into the query norm.
     */
    private static WeightLoader.Planned[] planLayer(WeightLoader loader, List<Piece> pieces, WeightSpec spec, int l) {
        ModelConfig c = spec.config();
        float scale = (float) (1.0 / Math.sqrt(c.headDim()));
        long d = c.hiddenSize();
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        long f = c.intermediateSize();
        long qScaled = c.hasQkNorm() ? 0 : q;
        String at = "model.layers." + l + ".";
        WeightLoader.Planned[] p = new WeightLoader.Planned[6];
        p[0] = loader.plan(pieces, at + "qkv", new long[] {q + 2 * kv, d}, WeightSpec.layer(l, "input_layernorm.weight"),
                new Part(WeightSpec.layer(l, "self_attn.q_proj.weight"), q, false, scale, qScaled),
                Part.rows(WeightSpec.layer(l, "self_attn.k_proj.weight"), kv),
                Part.rows(WeightSpec.layer(l, "self_attn.v_proj.weight"), kv));
        if (spec.hasQkvBias()) {
            p[1] = loader.plan(pieces, at + "qkv_bias", new long[] {q + 2 * kv}, null,
                    new Part(WeightSpec.layer(l, "self_attn.q_proj.bias"), q, false, scale, qScaled),
                    Part.rows(WeightSpec.layer(l, "self_attn.k_proj.bias"), kv),
                    Part.rows(WeightSpec.layer(l, "self_attn.v_proj.bias"), kv));
        }
        if (c.hasQkNorm()) {
            long heads = c.numAttentionHeads();
            p[2] = loader.plan(pieces, at + "qk_norm", new long[] {heads + c.numKeyValueHeads(), c.headDim()}, null,
                    new Part(WeightSpec.layer(l, "self_attn.q_norm.weight"), heads, true, scale, heads),
                    new Part(WeightSpec.layer(l, "self_attn.k_norm.weight"), c.numKeyValueHeads(), true, 1f, 0));
        }
        p[3] = loader.plan(pieces, at + "o", new long[] {d, q}, null, Part.rows(WeightSpec.layer(l, "self_attn.o_proj.weight"), d));
        p[4] = loader.plan(pieces, at + "gate_up", new long[] {2 * f, d}, WeightSpec.layer(l, "post_attention_layernorm.weight"),
                Part.rows(WeightSpec.layer(l, "mlp.gate_proj.weight"), f),
                Part.rows(WeightSpec.layer(l, "mlp.up_proj.weight"), f));
        p[5] = loader.plan(pieces, at + "down", new long[] {d, f}, null, Part.rows(WeightSpec.layer(l, "mlp.down_proj.weight"), d));
        return p;
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
