package io.weightsync.server.model;

import io.weightsync.core.ckpt.Checkpoint;
import io.weightsync.core.safetensors.Dtype;
import io.weightsync.core.safetensors.TensorInfo;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The tensors a model of a given {@link ModelConfig} needs, by Hugging Face name and shape, and the
 * check that a checkpoint provides exactly them. Every defect is found before any weight changes.
 */
public final class WeightSpec {

    /** Dtypes converted to the compute dtype on load. */
    public static final Set<Dtype> LOADABLE = Set.of(Dtype.F32, Dtype.BF16, Dtype.F16);

    private final ModelConfig config;
    /** Required tensors in load order, name to shape. */
    private final Map<String, long[]> required = new LinkedHashMap<>();

    public WeightSpec(ModelConfig config) {
        this.config = config;
        long d = config.hiddenSize();
        long q = (long) config.numAttentionHeads() * config.headDim();
        long kv = (long) config.numKeyValueHeads() * config.headDim();
        long ff = config.intermediateSize();
        required.put(embed(), new long[] {config.vocabSize(), d});
        for (int l = 0; l < config.numHiddenLayers(); l++) {
            required.put(layer(l, "input_layernorm.weight"), new long[] {d});
            required.put(layer(l, "self_attn.q_proj.weight"), new long[] {q, d});
            required.put(layer(l, "self_attn.k_proj.weight"), new long[] {kv, d});
            required.put(layer(l, "self_attn.v_proj.weight"), new long[] {kv, d});
            if (hasQkvBias()) {
                required.put(layer(l, "self_attn.q_proj.bias"), new long[] {q});
                required.put(layer(l, "self_attn.k_proj.bias"), new long[] {kv});
                required.put(layer(l, "self_attn.v_proj.bias"), new long[] {kv});
            }
            if (config.hasQkNorm()) {
                required.put(layer(l, "self_attn.q_norm.weight"), new long[] {config.headDim()});
                required.put(layer(l, "self_attn.k_norm.weight"), new long[] {config.headDim()});
            }
            required.put(layer(l, "self_attn.o_proj.weight"), new long[] {d, q});
            required.put(layer(l, "post_attention_layernorm.weight"), new long[] {d});
            required.put(layer(l, "mlp.gate_proj.weight"), new long[] {ff, d});
            required.put(layer(l, "mlp.up_proj.weight"), new long[] {ff, d});
            required.put(layer(l, "mlp.down_proj.weight"), new long[] {d, ff});
        }
        required.put(finalNorm(), new long[] {d});
        if (!config.tieWordEmbeddings()) {
            required.put(lmHead(), new long[] {config.vocabSize(), d});
        }
    }

    /** Qwen2 carries biases on its q/k/v projections. */
    public boolean hasQkvBias() {
        return config.modelType().equals("qwen2");
    }

    public ModelConfig config() {
        return config;
    }

    public Map<String, long[]> required() {
        return required;
    }

    /**
     * Checks names, shapes and dtypes of {@code checkpoint} against the spec.
     *
     * @throws WeightMismatchException naming the checkpoint, the tensor and the defect
     */
    public void check(Checkpoint checkpoint, String where) throws WeightMismatchException {
        for (Map.Entry<String, long[]> e : required.entrySet()) {
            if (!checkpoint.contains(e.getKey())) {
                throw new WeightMismatchException(where + ": missing tensor '" + e.getKey() + "'");
            }
            TensorInfo t = checkpoint.tensor(e.getKey());
            if (!Arrays.equals(t.shape(), e.getValue())) {
                throw new WeightMismatchException(where + ": tensor '" + e.getKey() + "' has shape " + t.shapeString()
                        + ", the model needs " + Arrays.toString(e.getValue()));
            }
            if (!LOADABLE.contains(t.dtype())) {
                throw new WeightMismatchException(where + ": tensor '" + e.getKey() + "' is " + t.dtype()
                        + ", not one of " + LOADABLE);
            }
        }
        for (String name : checkpoint.names()) {
            boolean tiedHead = config.tieWordEmbeddings() && name.equals(lmHead());
            if (!required.containsKey(name) && !tiedHead && !name.endsWith("rotary_emb.inv_freq")) {
                throw new WeightMismatchException(where + ": unexpected tensor '" + name + "' for a "
                        + config.modelType() + " model of " + config.numHiddenLayers() + " layers");
            }
        }
    }

    public static String embed() {
        return "model.embed_tokens.weight";
    }

    public static String finalNorm() {
        return "model.norm.weight";
    }

    public static String lmHead() {
        return "lm_head.weight";
    }

    public static String layer(int l, String suffix) {
        return "model.layers." + l + "." + suffix;
    }
}
