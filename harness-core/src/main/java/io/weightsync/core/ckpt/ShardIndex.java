package io.weightsync.core.ckpt;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weightsync.core.safetensors.SafetensorsFile;
import io.weightsync.core.safetensors.SafetensorsFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code model.safetensors.index.json}, the Hugging Face index of a sharded checkpoint:
 * {@code {"metadata": {"total_size": N}, "weight_map": {tensor name: shard file name}}}.
 */
public record ShardIndex(long totalSize, Map<String, String> weightMap) {

    public static final String FILE_NAME = "model.safetensors.index.json";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    public ShardIndex {
        weightMap = Collections.unmodifiableMap(new LinkedHashMap<>(weightMap));
    }

    /** Shard file names in first-mention order. */
    public Set<String> shardFiles() {
        return new LinkedHashSet<>(weightMap.values());
    }

    public static ShardIndex read(Path file) throws IOException {
        String name = SafetensorsFile.displayName(file);
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            throw new SafetensorsFormatException(name, "not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsFormatException(name, "not a JSON object");
        }
        JsonNode map = root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new SafetensorsFormatException(name, "has no weight_map object");
        }
        Map<String, String> weightMap = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            String shard = e.getValue().isTextual() ? e.getValue().textValue() : null;
            if (shard == null || shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.startsWith(".")) {
                throw new SafetensorsFormatException(name, "weight_map entry for '" + e.getKey()
                        + "' is not a plain file name in this folder: " + e.getValue());
            }
            weightMap.put(e.getKey(), shard);
        }
        long totalSize = -1;
        JsonNode meta = root.get("metadata");
        if (meta != null && meta.has("total_size") && meta.get("total_size").canConvertToLong()) {
            totalSize = meta.get("total_size").longValue();
        }
        return new ShardIndex(totalSize, weightMap);
    }

    public byte[] toJson() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("metadata").put("total_size", totalSize);
        ObjectNode map = root.putObject("weight_map");
        weightMap.forEach(map::put);
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    }
}
