package io.weightsync.server.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The architecture of a Llama/Qwen-family decoder, read from a Hugging Face {@code config.json}.
 * Field names follow the HF keys; {@code headDim} defaults to hidden/heads as in Llama.
 *
 * @param modelType "llama", "qwen2", "qwen3" or "mistral"; qwen3 adds per-head q/k RMSNorm
 * @param eosTokenIds tokens that end a sequence (finish_reason "stop") unless ignore_eos
 */
public record ModelConfig(
        String modelType,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        double rmsNormEps,
        double ropeTheta,
        int maxPositionEmbeddings,
        boolean tieWordEmbeddings,
        int bosTokenId,
        List<Integer> eosTokenIds) {

    public static final Set<String> SUPPORTED_TYPES = Set.of("llama", "mistral", "qwen2", "qwen3");

    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
        if (!SUPPORTED_TYPES.contains(modelType)) {
            throw new IllegalArgumentException("config.json: model_type '" + modelType + "' is not one of " + SUPPORTED_TYPES);
        }
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_hidden_layers", numHiddenLayers);
        positive("num_attention_heads", numAttentionHeads);
        positive("num_key_value_heads", numKeyValueHeads);
        positive("head_dim", headDim);
        positive("max_position_embeddings", maxPositionEmbeddings);
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException("config.json: num_attention_heads " + numAttentionHeads
                    + " is not a multiple of num_key_value_heads " + numKeyValueHeads);
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("config.json: head_dim " + headDim + " must be even for rotary embeddings");
        }
        if (!(rmsNormEps > 0) || !(ropeTheta > 0)) {
            throw new IllegalArgumentException("config.json: rms_norm_eps and rope_theta must be positive");
        }
    }

    private static void positive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("config.json: " + key + " must be positive, got " + value);
        }
    }

    /** Query heads that share one key/value head (grouped-query attention). */
    public int groupSize() {
        return numAttentionHeads / numKeyValueHeads;
    }

    /** Qwen3 normalises each head's q and k with its own RMSNorm before the rotary embedding. */
    public boolean hasQkNorm() {
        return modelType.equals("qwen3");
    }

    /** Parameters per token through the model (for FLOP/s: 2 FLOPs per parameter per token). */
    public long matmulParamsPerToken() {
        long d = hiddenSize;
        long qkvo = d * (long) numAttentionHeads * headDim * 2 + d * (long) numKeyValueHeads * headDim * 2;
        long mlp = 3L * d * intermediateSize;
        return numHiddenLayers * (qkvo + mlp) + d * vocabSize;
    }

    public static ModelConfig read(Path configJson) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(configJson));
        } catch (IOException e) {
            throw new IOException(configJson + ": cannot read config.json: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException(configJson + ": not a JSON object");
        }
        try {
            return fromJson(root);
        } catch (IllegalArgumentException e) {
            throw new IOException(configJson.getParent().getFileName() + "/" + e.getMessage(), e);
        }
    }

    static ModelConfig fromJson(JsonNode c) {
        int hidden = requiredInt(c, "hidden_size");
        int heads = requiredInt(c, "num_attention_heads");
        List<Integer> eos = new ArrayList<>();
        JsonNode eosNode = c.get("eos_token_id");
        if (eosNode != null && eosNode.isArray()) {
            eosNode.forEach(n -> eos.add(n.asInt()));
        } else if (eosNode != null && eosNode.canConvertToInt()) {
            eos.add(eosNode.asInt());
        }
        return new ModelConfig(
                c.path("model_type").asText("llama"),
                requiredInt(c, "vocab_size"),
                hidden,
                requiredInt(c, "intermediate_size"),
                requiredInt(c, "num_hidden_layers"),
                heads,
                c.path("num_key_value_heads").asInt(heads),
                c.hasNonNull("head_dim") ? c.get("head_dim").asInt() : hidden / heads,
                c.path("rms_norm_eps").asDouble(1e-6),
                c.path("rope_theta").asDouble(10000.0),
                c.path("max_position_embeddings").asInt(2048),
                c.path("tie_word_embeddings").asBoolean(false),
                c.path("bos_token_id").asInt(-1),
                eos);
    }

    private static int requiredInt(JsonNode c, String key) {
        JsonNode n = c.get(key);
        if (n == null || !n.canConvertToInt()) {
            throw new IllegalArgumentException("config.json: " + key + " is missing or not an integer");
        }
        return n.asInt();
    }

    /** The HF config.json for this architecture. */
    public byte[] toJson() {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add(switch (modelType) {
            case "qwen2" -> "Qwen2ForCausalLM";
            case "qwen3" -> "Qwen3ForCausalLM";
            case "mistral" -> "MistralForCausalLM";
            default -> "LlamaForCausalLM";
        });
        c.put("model_type", modelType);
        c.put("vocab_size", vocabSize);
        c.put("hidden_size", hiddenSize);
        c.put("intermediate_size", intermediateSize);
        c.put("num_hidden_layers", numHiddenLayers);
        c.put("num_attention_heads", numAttentionHeads);
        c.put("num_key_value_heads", numKeyValueHeads);
        c.put("head_dim", headDim);
        c.put("rms_norm_eps", rmsNormEps);
        c.put("rope_theta", ropeTheta);
        c.put("max_position_embeddings", maxPositionEmbeddings);
        c.put("tie_word_embeddings", tieWordEmbeddings);
        c.put("bos_token_id", bosTokenId);
        if (eosTokenIds.size() == 1) {
            c.put("eos_token_id", eosTokenIds.get(0));
        } else {
            eosTokenIds.forEach(c.putArray("eos_token_id")::add);
        }
        c.put("torch_dtype", "float32");
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(c);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
