package io.weightsync.server.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;

/**
 * A Llama/Qwen-family decoder written with DJL NDArray ops: token embedding, RMSNorm, rotary
 * position embeddings (Hugging Face's rotate-half convention), grouped-query attention over a
 * {@link KvCache}, SwiGLU MLP, final norm and LM head; Qwen3's per-head q/k norms and Qwen2's
 * q/k/v biases when the config asks.
 *
 * <p>Stateless apart from the rotary tables: the weights and the cache are passed in, so a weight
 * swap is a pointer change between two steps. Every temporary is created in the caller's
 * per-step manager ({@code step}), which the caller closes after the step.
 */
public final class LlamaModel implements AutoCloseable {

    private final ModelConfig config;
    private final NDManager manager;
    private final NDArray cos; // (max_context, head_dim)
    private final NDArray sin; // (max_context, head_dim)
    private final float attentionScale;

    public LlamaModel(ModelConfig config, NDManager parent, int maxContext) {
        this.config = config;
        this.manager = parent.newSubManager();
        int half = config.headDim() / 2;
        float[] cosTable = new float[maxContext * config.headDim()];
        float[] sinTable = new float[cosTable.length];
        for (int pos = 0; pos < maxContext; pos++) {
            for (int i = 0; i < half; i++) {
                double invFreq = 1.0 / Math.pow(config.ropeTheta(), (2.0 * i) / config.headDim());
                double angle = pos * invFreq;
                int at = pos * config.headDim();
                cosTable[at + i] = cosTable[at + i + half] = (float) Math.cos(angle);
                sinTable[at + i] = sinTable[at + i + half] = (float) Math.sin(angle);
            }
        }
        this.cos = manager.create(cosTable, new Shape(maxContext, config.headDim()));
        this.sin = manager.create(sinTable, new Shape(maxContext, config.headDim()));
        this.attentionScale = (float) (1.0 / Math.sqrt(config.headDim()));
    }

    public ModelConfig config() {
        return config;
    }

    /**
     * Runs a prompt through the model, filling positions 0..P-1 of {@code slot} in the cache.
     *
     * @return logits of the last prompt position (vocab)
     */
    public float[] prefill(NDManager step, Weights w, KvCache cache, int slot, int[] tokens) {
        int p = tokens.length;
        int heads = config.numAttentionHeads();
        int kvHeads = config.numKeyValueHeads();
        int hd = config.headDim();
        NDArray x = w.embed().get(step, new NDIndex("{}", step.create(toLongs(tokens)))); // (P, d)
        NDArray cosP = cos.get(step, new NDIndex(":{}", p)).expandDims(1);      // (P, 1, hd)
        NDArray sinP = sin.get(step, new NDIndex(":{}", p)).expandDims(1);
        // causal mask: position i attends to j <= i
        NDArray future = step.arange(p).expandDims(0).gt(step.arange(p).expandDims(1)); // (P, P)
        NDArray mask = future.toType(DataType.FLOAT32, false).mul(-1e9f);

        for (int l = 0; l < w.layerCount(); l++) {
            Weights.Layer layer = w.layer(l);
            // attention rmsnorm, fused q|k|v projection
            NDArray h = rmsNorm(x, layer.inputNorm());
            NDArray qkv = linear(h, layer.qkv(), layer.qkvBias());
            NDList parts = qkv.split(new long[] {(long) heads * hd, (long) (heads + kvHeads) * hd}, 1);
            NDArray q = parts.get(0).reshape(p, heads, hd);   // (P, H, hd)
            NDArray k = parts.get(1).reshape(p, kvHeads, hd); // (P, KV, hd)
            NDArray v = parts.get(2).reshape(p, kvHeads, hd);
            if (config.hasQkNorm()) {
                q = rmsNorm(q, layer.qNorm());
                k = rmsNorm(k, layer.kNorm());
            }
            // rotary position embedding
            q = rope(q, cosP, sinP);
            k = rope(k, cosP, sinP);
            NDArray kT = k.transpose(1, 0, 2); // (KV, P, hd)
            NDArray vT = v.transpose(1, 0, 2);
            cache.writePrefill(l, slot, kT, vT);
            // grouped-query attention: (KV, G, P, hd) x (KV, 1, hd, P)
            NDArray qg = q.reshape(p, kvHeads, config.groupSize(), hd).transpose(1, 2, 0, 3);
            NDArray scores = qg.matMul(kT.expandDims(1).transpose(0, 1, 3, 2)).mul(attentionScale).add(mask);
            NDArray attn = scores.softmax(-1).matMul(vT.expandDims(1));          // (KV, G, P, hd)
            NDArray o = attn.transpose(2, 0, 1, 3).reshape(p, (long) heads * hd); // (P, H*hd)
            // residual
            x = x.add(linear(o, layer.o(), null));
            // ffn rmsnorm, SwiGLU, residual
            x = x.add(mlp(rmsNorm(x, layer.postNorm()), layer));
        }
        NDArray last = x.get(new NDIndex("{}:", p - 1)); // (1, d)
        return linear(rmsNorm(last, w.finalNorm()), w.lmHead(), null).toFloatArray();
    }

    /**
     * One decode step for the sequences in slots 0..B-1: each feeds {@code tokens[i]} at
     * {@code positions[i]} and attends to its cached positions 0..positions[i].
     *
     * @return logits, row-major (B, vocab)
     */
    public float[] decode(NDManager step, Weights w, KvCache cache, int[] tokens, long[] positions) {
        int b = tokens.length;
        int heads = config.numAttentionHeads();
        int kvHeads = config.numKeyValueHeads();
        int hd = config.headDim();
        long length = 0; // longest context in the batch, after this step's write
        for (long pos : positions) {
            length = Math.max(length, pos + 1);
        }
        NDArray pos = step.create(positions);                                         // (B)
        NDArray x = w.embed().get(step, new NDIndex("{}", step.create(toLongs(tokens)))); // (B, d)
        NDArray cosB = cos.get(step, new NDIndex("{}", pos)).expandDims(1);           // (B, 1, hd)
        NDArray sinB = sin.get(step, new NDIndex("{}", pos)).expandDims(1);
        // each row sees its own positions only: (B, 1, 1, L)
        NDArray beyond = step.arange(length).expandDims(0).gt(pos.expandDims(1));
        NDArray mask = beyond.toType(DataType.FLOAT32, false).mul(-1e9f).reshape(b, 1, 1, length);

        for (int l = 0; l < w.layerCount(); l++) {
            Weights.Layer layer = w.layer(l);
            // attention rmsnorm, fused q|k|v projection
            NDArray h = rmsNorm(x, layer.inputNorm());
            NDArray qkv = linear(h, layer.qkv(), layer.qkvBias());
            NDList parts = qkv.split(new long[] {(long) heads * hd, (long) (heads + kvHeads) * hd}, 1);
            NDArray q = parts.get(0).reshape(b, heads, hd);   // (B, H, hd)
            NDArray k = parts.get(1).reshape(b, kvHeads, hd); // (B, KV, hd)
            NDArray v = parts.get(2).reshape(b, kvHeads, hd);
            if (config.hasQkNorm()) {
                q = rmsNorm(q, layer.qNorm());
                k = rmsNorm(k, layer.kNorm());
            }
            // rotary position embedding
            q = rope(q, cosB, sinB);
            k = rope(k, cosB, sinB);
            cache.writeDecode(step, l, k, v, positions);
            // grouped-query attention over the cache: (B, KV, G, hd) x (B, KV, hd, L)
            NDArray keys = cache.keys(step, l, b, length);     // (B, KV, L, hd)
            NDArray values = cache.values(step, l, b, length); // (B, KV, L, hd)
            NDArray qg = q.reshape(b, kvHeads, config.groupSize(), hd);
            NDArray scores = qg.matMul(keys.transpose(0, 1, 3, 2)).mul(attentionScale).add(mask); // (B, KV, G, L)
            NDArray o = scores.softmax(-1).matMul(values).reshape(b, (long) heads * hd);       // (B, H*hd)
            // residual
            x = x.add(linear(o, layer.o(), null));
            // ffn rmsnorm, SwiGLU, residual
            x = x.add(mlp(rmsNorm(x, layer.postNorm()), layer));
        }
        return linear(rmsNorm(x, w.finalNorm()), w.lmHead(), null).toFloatArray();
    }

    /** SwiGLU: down(silu(gate(h)) * up(h)), gate and up computed as one matmul. */
    private NDArray mlp(NDArray h, Weights.Layer layer) {
        NDList gateUp = linear(h, layer.gateUp(), null).split(2, 1);
        NDArray gate = gateUp.get(0);
        return linear(Activation.swish(gate, 1f).mul(gateUp.get(1)), layer.down(), null);
    }

    /** x * rsqrt(mean(x^2) + eps) * weight over the last axis. */
    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray rms = x.square().mean(new int[] {-1}, true).add((float) config.rmsNormEps()).sqrt();
        return x.div(rms).mul(weight);
    }

    /** Hugging Face rotary embedding: x * cos + rotate_half(x) * sin, rotate_half(x) = [-x2, x1]. */
    private static NDArray rope(NDArray x, NDArray cos, NDArray sin) {
        int last = x.getShape().dimension() - 1;
        NDList halves = x.split(2, last);
        NDArray rotated = NDArrays.concat(new NDList(halves.get(1).neg(), halves.get(0)), last);
        return x.mul(cos).add(rotated.mul(sin));
    }

    private static long[] toLongs(int[] tokens) {
        long[] out = new long[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            out[i] = tokens[i];
        }
        return out;
    }

    private static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return (bias == null ? Linear.linear(x, weight) : Linear.linear(x, weight, bias)).singletonOrThrow();
    }

    @Override
    public void close() {
        manager.close();
    }
}
