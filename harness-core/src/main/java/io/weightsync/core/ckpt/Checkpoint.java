package io.weightsync.core.ckpt;

import io.weightsync.core.safetensors.SafetensorsFile;
import io.weightsync.core.safetensors.SafetensorsFormatException;
import io.weightsync.core.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The weights of one checkpoint: a single safetensors file, or a folder holding
 * {@code model.safetensors}, or shards listed by {@code model.safetensors.index.json}. Every file
 * is validated and mapped on open; tensors are found by their Hugging Face names wherever they live.
 */
public final class Checkpoint implements AutoCloseable {

    private final Path location;
    private final List<SafetensorsFile> files;
    /** Tensor name to the file holding it, in shard order then file order. */
    private final Map<String, SafetensorsFile> fileOf;

    private Checkpoint(Path location, List<SafetensorsFile> files) throws SafetensorsFormatException {
        this.location = location;
        this.files = List.copyOf(files);
        Map<String, SafetensorsFile> map = new LinkedHashMap<>();
        for (SafetensorsFile f : files) {
            for (TensorInfo t : f.tensors()) {
                SafetensorsFile other = map.putIfAbsent(t.name(), f);
                if (other != null) {
                    throw new SafetensorsFormatException(SafetensorsFile.displayName(f.path()), "tensor '"
                            + t.name() + "' is also in " + other.path().getFileName());
                }
            }
        }
        this.fileOf = Collections.unmodifiableMap(map);
    }

    /** Opens a safetensors file, or a checkpoint folder (single file or sharded with an index). */
    public static Checkpoint open(Path location) throws IOException {
        return open(location, SafetensorsFile.MAX_MAPPING_BYTES);
    }

    static Checkpoint open(Path location, long maxMappingBytes) throws IOException {
        List<Path> paths = weightFiles(location);
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            for (Path p : paths) {
                opened.add(SafetensorsFile.open(p, maxMappingBytes));
            }
            Checkpoint checkpoint = new Checkpoint(location, opened);
            Path index = location.resolve(ShardIndex.FILE_NAME);
            if (Files.isDirectory(location) && Files.isRegularFile(index)) {
                checkpoint.checkAgainst(ShardIndex.read(index));
            }
            return checkpoint;
        } catch (IOException | RuntimeException e) {
            for (SafetensorsFile f : opened) {
                f.close();
            }
            throw e;
        }
    }

    /**
     * The safetensors files that make up the checkpoint at {@code location}, in shard order.
     * A folder needs an index, or exactly one {@code .safetensors} file.
     */
    public static List<Path> weightFiles(Path location) throws IOException {
        String name = location.toString();
        if (Files.isRegularFile(location)) {
            return List.of(location);
        }
        if (!Files.isDirectory(location)) {
            throw new SafetensorsFormatException(name, "no such file or folder");
        }
        Path index = location.resolve(ShardIndex.FILE_NAME);
        if (Files.isRegularFile(index)) {
            List<Path> shards = new ArrayList<>();
            for (String shard : ShardIndex.read(index).shardFiles()) {
                Path p = location.resolve(shard);
                if (!Files.isRegularFile(p)) {
                    throw new SafetensorsFormatException(SafetensorsFile.displayName(index),
                            "names shard '" + shard + "', which is missing");
                }
                shards.add(p);
            }
            if (shards.isEmpty()) {
                throw new SafetensorsFormatException(SafetensorsFile.displayName(index), "weight_map is empty");
            }
            return shards;
        }
        List<Path> found;
        try (Stream<Path> s = Files.list(location)) {
            found = s.filter(p -> p.getFileName().toString().endsWith(".safetensors") && Files.isRegularFile(p))
                    .sorted().toList();
        }
        if (found.isEmpty()) {
            throw new SafetensorsFormatException(name, "holds no .safetensors file");
        }
        if (found.size() > 1) {
            throw new SafetensorsFormatException(name, "holds " + found.size() + " .safetensors files and no "
                    + ShardIndex.FILE_NAME + " to say how they fit together");
        }
        return found;
    }

    /** Every tensor the index names is in the shard it names, and every shard tensor is indexed. */
    private void checkAgainst(ShardIndex index) throws SafetensorsFormatException {
        String indexName = ShardIndex.FILE_NAME;
        for (Map.Entry<String, String> e : index.weightMap().entrySet()) {
            SafetensorsFile f = fileOf.get(e.getKey());
            if (f == null || !f.path().getFileName().toString().equals(e.getValue())) {
                throw new SafetensorsFormatException(indexName, "maps tensor '" + e.getKey() + "' to "
                        + e.getValue() + ", which does not hold it");
            }
        }
        for (String tensor : fileOf.keySet()) {
            if (!index.weightMap().containsKey(tensor)) {
                throw new SafetensorsFormatException(SafetensorsFile.displayName(fileOf.get(tensor).path()),
                        "tensor '" + tensor + "' is not listed in " + indexName);
            }
        }
    }

    public Path location() {
        return location;
    }

    public List<SafetensorsFile> files() {
        return files;
    }

    /** Tensor names, shard by shard, in file order. */
    public List<String> names() {
        return List.copyOf(fileOf.keySet());
    }

    public boolean contains(String name) {
        return fileOf.containsKey(name);
    }

    public TensorInfo tensor(String name) {
        return fileFor(name).tensor(name);
    }

    /** Fails unless the tensor's file still holds its bytes; see {@link SafetensorsFile#checkStillHolds}. */
    public void checkStillHolds(String name) throws IOException {
        fileFor(name).checkStillHolds(name);
    }

    /** Zero-copy little-endian bytes of a tensor; see {@link SafetensorsFile#slice(String)}. */
    public ByteBuffer slice(String name) {
        return fileFor(name).slice(name);
    }

    /**
     * Fails when a weights file was written in place since the checkpoint was opened; see
     * {@link SafetensorsFile#checkUnchanged()}. A loader calls it after its last read.
     */
    public void checkUnchanged() throws IOException {
        for (SafetensorsFile f : files) {
            f.checkUnchanged();
        }
    }

    /** Metadata of all files merged, first file first. */
    public Map<String, String> metadata() {
        Map<String, String> merged = new LinkedHashMap<>();
        for (SafetensorsFile f : files) {
            f.metadata().forEach(merged::putIfAbsent);
        }
        return merged;
    }

    /** Bytes of tensor data across all files. */
    public long dataBytes() {
        long total = 0;
        for (SafetensorsFile f : files) {
            total += f.header().dataBytes();
        }
        return total;
    }

    private SafetensorsFile fileFor(String name) {
        SafetensorsFile f = fileOf.get(name);
        if (f == null) {
            throw new IllegalArgumentException(location + ": no tensor named '" + name + "'");
        }
        return f;
    }

    @Override
    public void close() throws IOException {
        for (SafetensorsFile f : files) {
            f.close();
        }
    }
}
