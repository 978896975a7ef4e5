package io.weightsync.core.ckpt;

import io.weightsync.core.safetensors.SafetensorsWriter;
import io.weightsync.core.safetensors.TensorEntry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a checkpoint's weights into a folder the way Hugging Face lays them out: one
 * {@code model.safetensors}, or, past {@code maxShardBytes}, shards
 * {@code model-00001-of-00003.safetensors ...} plus {@code model.safetensors.index.json}, the index
 * written last so that a reader who sees it sees every shard.
 */
public final class CheckpointWriter {

    public static final String SINGLE_FILE = "model.safetensors";

    /**
     * @param maxShardBytes the most tensor data per file; a tensor larger than this gets a shard alone
     * @param fsync fsync each file and the folder (off only for measurements of the write path)
     */
    public record Options(long maxShardBytes, boolean fsync) {
        /** Hugging Face's default shard size (5 GB), durable writes. */
        public static final Options DEFAULT = new Options(5_000_000_000L, true);

        public Options {
            if (maxShardBytes < 1) {
                throw new IllegalArgumentException("maxShardBytes must be positive: " + maxShardBytes);
            }
        }
    }

    /** What was written: the files in shard order and the bytes of tensor data. */
    public record Written(List<Path> files, long dataBytes, long fileBytes) {}

    private CheckpointWriter() {}

    public static Written write(Path dir, Collection<TensorEntry> tensors, Map<String, String> metadata,
            Options options) throws IOException {
        List<TensorEntry> ordered = SafetensorsWriter.inReferenceOrder(tensors);
        long dataBytes = 0;
        for (TensorEntry t : ordered) {
            dataBytes += t.byteLength();
        }
        if (dataBytes <= options.maxShardBytes()) {
            Path file = dir.resolve(SINGLE_FILE);
            long fileBytes = SafetensorsWriter.write(file, ordered, metadata, options.fsync());
            return new Written(List.of(file), dataBytes, fileBytes);
        }

        List<List<TensorEntry>> shards = new ArrayList<>();
        List<TensorEntry> current = new ArrayList<>();
        long currentBytes = 0;
        for (TensorEntry t : ordered) {
            if (!current.isEmpty() && currentBytes + t.byteLength() > options.maxShardBytes()) {
                shards.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(t);
            currentBytes += t.byteLength();
        }
        shards.add(current);

        List<Path> files = new ArrayList<>();
        Map<String, String> weightMap = new LinkedHashMap<>();
        long fileBytes = 0;
        for (int i = 0; i < shards.size(); i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            Path file = dir.resolve(name);
            fileBytes += SafetensorsWriter.write(file, shards.get(i), metadata, options.fsync());
            files.add(file);
            for (TensorEntry t : shards.get(i)) {
                weightMap.put(t.name(), name);
            }
        }
        AtomicFiles.write(dir.resolve(ShardIndex.FILE_NAME), new ShardIndex(dataBytes, weightMap).toJson());
        return new Written(List.copyOf(files), dataBytes, fileBytes);
    }
}
