package io.weightsync.server.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;

/**
 * A Llama/Qwen-family decoder written with DJL NDArray ops: token embedding, RMSNorm, rotary
 * position embeddings (Hugging Face's rotate-half convention), grouped-query attention over a
 * {@link KvCache}, SwiGLU MLP, final norm and LM head; Qwen3's per-head q/k norms and Qwen2's
 * q/k/v biases when the config asks. Norm weights and the attention scale are folded into the
 * projections when the weights load ({@link Weights.Layer}), so the norms here carry no weight.
 *
 * <p>Stateless apart from the rotary tables: weights and cache are passed in, so a weight swap is
 * a pointer change between two steps. Every temporary is created in the caller's per-step manager
 * ({@code step}), which the caller closes after the step. Per-op overhead dominates small
 * batches, so the code favours few ops: one matmul for q|k|v, one rotary pass over q and k
 * together, one matmul for gate|up.
 */
public final class LlamaModel implements AutoCloseable {

    private final ModelConfig config;
    private final NDManager manager;
    private final NDArray cos;      // (max_context, head_dim)
    private final NDArray sin;      // (max_context, head_dim)
    private final NDArray rotate;   // (head_dim, head_dim): x @ rotate == rotate_half(x) == [-x2, x1]
    private final NDArray eps;      // () rms_norm_eps, kept as an array: a Java scalar operand costs a native allocation per op
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    /** Split points: q|k vs v in the fused projection, q vs k heads after the rotary pass. */
    private final long[] qkSplit;
    private final long[] qSplit;
    /** Additive mask value for positions a query must not see. */
    private static final float MASKED = -1e9f;

    public LlamaModel(ModelConfig config, NDManager parent, int maxContext) {
        this.config = config;
        this.manager = parent.newSubManager();
        this.heads = config.numAttentionHeads();
        this.kvHeads = config.numKeyValueHeads();
        this.headDim = config.headDim();
        int half = headDim / 2;
        float[] cosTable = new float[maxContext * headDim];
        float[] sinTable = new float[cosTable.length];
        for (int pos = 0; pos < maxContext; pos++) {
            for (int i = 0; i < half; i++) {
                double angle = pos / Math.pow(config.ropeTheta(), (2.0 * i) / headDim);
                int at = pos * headDim;
                cosTable[at + i] = cosTable[at + i + half] = (float) Math.cos(angle);
                sinTable[at + i] = sinTable[at + i + half] = (float) Math.sin(angle);
            }
        }
        float[] rot = new float[headDim * headDim];
        for (int j = 0; j < half; j++) {
            rot[(j + half) * headDim + j] = -1f; // out[j] = -x[j + half]
            rot[j * headDim + j + half] = 1f;    // out[j + half] = x[j]
        }
        this.cos = manager.create(cosTable, new Shape(maxContext, headDim));
        this.sin = manager.create(sinTable, new Shape(maxContext, headDim));
        this.rotate = manager.create(rot, new Shape(headDim, headDim));
        this.eps = manager.create((float) config.rmsNormEps());
        this.qkSplit = new long[] {(long) (heads + kvHeads) * headDim};
        this.qSplit = new long[] {heads};
    }

    public ModelConfig config() {
        return config;
    }

    /**
     * Runs {@code prompts.length} prompts through the model in one batched forward, right-padded to
     * the longest, filling positions 0..P_i-1 of slots {@code firstSlot + i}. Padding positions
     * write keys and values past each prompt's end; decode masks and then overwrites them.
     *
     * @return logits of each prompt's last position, row-major (N, vocab)
     */
    public float[] prefill(NDManager step, Weights w, KvCache cache, int firstSlot, int[][] prompts) {
        int n = prompts.length;
        int p = 0;
        for (int[] prompt : prompts) {
            p = Math.max(p, prompt.length);
        }
        long[] tokens = new long[n * p];
        long[] lastRows = new long[n];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < prompts[i].length; t++) {
                tokens[i * p + t] = prompts[i][t];
            }
            lastRows[i] = (long) i * p + prompts[i].length - 1;
        }
        NDArray x = w.embed().get(step, new NDIndex("{}", step.create(tokens, new Shape(n, p)))); // (N, P, d)
        NDArray cosP = cos.get(step, new NDIndex(":{}", p)).reshape(1, p, 1, headDim);          // (1, P, 1, hd)
        NDArray sinP = sin.get(step, new NDIndex(":{}", p)).reshape(1, p, 1, headDim);
        float[] causal = new float[p * p]; // position i attends to j <= i
        for (int i = 0; i < p; i++) {
            java.util.Arrays.fill(causal, i * p + i + 1, (i + 1) * p, MASKED);
        }
        NDArray mask = step.create(causal, new Shape(p, p));

        for (int l = 0; l < w.layerCount(); l++) {
            Weights.Layer layer = w.layer(l);
            // attention rmsnorm, fused q|k|v projection
            NDList qkv = linear(rmsNorm(x), layer.qkv(), layer.qkvBias()).split(qkSplit, 2);
            NDList qk = rope(qkNorm(qkv.get(0).reshape(n, p, heads + kvHeads, headDim), layer), cosP, sinP)
                    .split(qSplit, 2);
            NDArray q = qk.get(0);                                                  // (N, P, H, hd)
            NDArray k = qk.get(1).transpose(0, 2, 1, 3);                            // (N, KV, P, hd)
            NDArray v = qkv.get(1).reshape(n, p, kvHeads, headDim).transpose(0, 2, 1, 3); // (N, KV, P, hd)
            cache.writePrefill(l, firstSlot, k, v);
            // grouped-query attention: (N, KV, G, P, hd) x (N, KV, 1, hd, P)
            NDArray qg = q.reshape(n, p, kvHeads, config.groupSize(), headDim).transpose(0, 2, 3, 1, 4);
            NDArray scores = qg.matMul(k.expandDims(2).transpose(0, 1, 2, 4, 3)).add(mask);
            NDArray attn = scores.softmax(4).matMul(v.expandDims(2));                // (N, KV, G, P, hd)
            NDArray o = attn.transpose(0, 3, 1, 2, 4).reshape(n, p, (long) heads * headDim);
            // residual
            x = x.add(linear(o, layer.o(), null));
            // ffn rmsnorm, SwiGLU, residual
            x = x.add(mlp(rmsNorm(x), layer));
        }
        NDArray last = x.reshape((long) n * p, config.hiddenSize()).get(new NDIndex("{}", step.create(lastRows)));
        return linear(rmsNorm(last), w.lmHead(), null).toFloatArray();
    }

    /**
     * One decode step for the sequences in slots 0..B-1: each feeds {@code tokens[i]} at
     * {@code positions[i]} and attends to its cached positions 0..positions[i].
     *
     * @return logits, row-major (B, vocab)
     */
    public float[] decode(NDManager step, Weights w, KvCache cache, int[] tokens, long[] positions) {
        int b = tokens.length;
        long length = 0; // longest context in the batch, after this step's write
        long[] ids = new long[b];
        for (int i = 0; i < b; i++) {
            length = Math.max(length, positions[i] + 1);
            ids[i] = tokens[i];
        }
        NDArray pos = step.create(positions);                                       // (B)
        NDArray x = w.embed().get(step, new NDIndex("{}", step.create(ids)));       // (B, d)
        NDArray cosB = cos.get(step, new NDIndex("{}", pos)).expandDims(1);         // (B, 1, hd)
        NDArray sinB = sin.get(step, new NDIndex("{}", pos)).expandDims(1);
        float[] own = new float[(int) (b * length)]; // each row sees its own positions only
        for (int i = 0; i < b; i++) {
            java.util.Arrays.fill(own, (int) (i * length + positions[i] + 1), (int) ((i + 1) * length), MASKED);
        }
        NDArray mask = step.create(own, new Shape(b, 1, 1, length));
        NDIndex cacheRows = cache.decodeRows(step, positions);

        for (int l = 0; l < w.layerCount(); l++) {
            Weights.Layer layer = w.layer(l);
            // attention rmsnorm, fused q|k|v projection
            NDList qkv = linear(rmsNorm(x), layer.qkv(), layer.qkvBias()).split(qkSplit, 1); // (B, (H+KV)*hd), (B, KV*hd)
            NDList qk = rope(qkNorm(qkv.get(0).reshape(b, heads + kvHeads, headDim), layer), cosB, sinB)
                    .split(qSplit, 1);                                              // (B, H, hd), (B, KV, hd)
            cache.writeDecode(l, cacheRows, qk.get(1), qkv.get(1));
            // grouped-query attention over the cache: (B, KV, G, hd) x (B, KV, hd, L)
            NDArray keys = cache.keys(step, l, b, length);     // (B, KV, L, hd)
            NDArray values = cache.values(step, l, b, length); // (B, KV, L, hd)
            NDArray qg = qk.get(0).reshape(b, kvHeads, config.groupSize(), headDim);
            NDArray scores = qg.matMul(keys.transpose(0, 1, 3, 2)).add(mask);              // (B, KV, G, L)
            NDArray o = scores.softmax(3).matMul(values).reshape(b, (long) heads * headDim); // (B, H*hd)
            // residual
            x = x.add(linear(o, layer.o(), null));
            // ffn rmsnorm, SwiGLU, residual
            x = x.add(mlp(rmsNorm(x), layer));
        }
        return linear(rmsNorm(x), w.lmHead(), null).toFloatArray();
    }

    /** Qwen3: RMSNorm over each q and k head, with q_norm/k_norm weights (query scale folded in). */
    private NDArray qkNorm(NDArray qk, Weights.Layer layer) {
        return layer.qkNorm() == null ? qk : rmsNorm(qk).mul(layer.qkNorm());
    }

    /** SwiGLU: down(silu(gate(h)) * up(h)), gate and up computed as one matmul. */
    private NDArray mlp(NDArray h, Weights.Layer layer) {
        NDList gateUp = linear(h, layer.gateUp(), null).split(2, h.getShape().dimension() - 1);
        NDArray gate = gateUp.get(0);
        return linear(gate.mul(Activation.sigmoid(gate)).mul(gateUp.get(1)), layer.down(), null);
    }

    /** x / sqrt(mean(x^2) + eps) over the last axis; the weight is folded into what follows. */
    private NDArray rmsNorm(NDArray x) {
        int last = x.getShape().dimension() - 1;
        return x.div(x.square().mean(new int[] {last}, true).add(eps).sqrt());
    }

    /** Hugging Face rotary embedding: x * cos + rotate_half(x) * sin, rotate_half as one matmul. */
    private NDArray rope(NDArray x, NDArray cos, NDArray sin) {
        return x.mul(cos).add(x.matMul(rotate).mul(sin));
    }

    private static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return (bias == null ? Linear.linear(x, weight) : Linear.linear(x, weight, bias)).singletonOrThrow();
    }

    @Override
    public void close() {
        manager.close();
    }
}
