package io.weightsync.core.ckpt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weightsync.core.safetensors.SafetensorsFile;
import io.weightsync.core.safetensors.SafetensorsFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Everything a reader must be able to trust before loading a checkpoint: a {@code step_<N>} folder
 * is published (STABLE present), its config.json (when present) is a JSON object, and every weight
 * file and the shard index are valid. One {@link SafetensorsFormatException} names the first defect.
 */
public final class CheckpointVerifier {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a verified checkpoint holds. */
    public record Summary(Path location, int files, int tensors, long dataBytes) {}

    private CheckpointVerifier() {}

    public static Summary verify(Path location) throws IOException {
        try (Checkpoint c = open(location)) {
            return new Summary(location, c.files().size(), c.names().size(), c.dataBytes());
        }
    }

    /**
     * Verifies {@code location} as {@link #verify} does and hands back the opened checkpoint, so a
     * loader reads the files it checked without opening and validating them a second time.
     */
    public static Checkpoint open(Path location) throws IOException {
        if (Files.isDirectory(location)) {
            String name = SafetensorsFile.displayName(location);
            if (CheckpointRoot.stepOf(location.toAbsolutePath().normalize()).isPresent()
                    && !Files.isRegularFile(location.resolve(CheckpointRoot.STABLE))) {
                throw new SafetensorsFormatException(name, "no " + CheckpointRoot.STABLE
                        + " marker: the step is not published (still being written, or its writer died)");
            }
            Path config = location.resolve(CheckpointRoot.CONFIG);
            if (Files.exists(config)) {
                checkConfig(config);
            }
        }
        return Checkpoint.open(location);
    }

    private static void checkConfig(Path config) throws IOException {
        String name = SafetensorsFile.displayName(config);
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(config));
        } catch (JsonProcessingException e) {
            throw new SafetensorsFormatException(name, "not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsFormatException(name, "not a JSON object");
        }
    }
}
