package io.weightsync.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.weightsync.core.ckpt.CheckpointRoot;
import io.weightsync.core.ckpt.CheckpointWriter;
import io.weightsync.core.safetensors.TensorEntry;
import io.weightsync.server.model.ModelConfig;
import io.weightsync.server.model.TinyModel;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One way a checkpoint folder can be bad, as {@link CheckpointFaultHttpTest} sends them to a live
 * server, and the words its refusal must hold. Most are made before the request; those that
 * {@link #racesTheLoad()} are made while the server loads the folder.
 */
enum CheckpointFault {
    TRUNCATED("checkpoint truncated", "/model.safetensors: truncated data") {
        @Override
        Path prepare(Path root, long step) throws IOException {
            Path dir = publish(root, step);
            try (RandomAccessFile raf = new RandomAccessFile(dir.resolve("model.safetensors").toFile(), "rw")) {
                raf.setLength(raf.length() - 4096);
            }
            return dir;
        }
    },
    HEADER_NOT_JSON("checkpoint header not JSON", "/model.safetensors: header is not valid JSON") {
        @Override
        Path prepare(Path root, long step) throws IOException {
            Path dir = publish(root, step);
            try (FileChannel ch = FileChannel.open(dir.resolve("model.safetensors"), StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[] {'#'}), 8); // the header's opening brace
            }
            return dir;
        }
    },
    HEADER_LENGTH_PAST_END("checkpoint header length past end of file",
            "/model.safetensors: header length", "runs past the end of the file") {
        @Override
        Path prepare(Path root, long step) throws IOException {
            Path dir = publish(root, step);
            try (FileChannel ch = FileChannel.open(dir.resolve("model.safetensors"), StandardOpenOption.WRITE)) {
                ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, ch.size());
                ch.write(length, 0);
            }
            return dir;
        }
    },
    WRONG_SHAPE("checkpoint tensor of the wrong shape", ": tensor 'model.layers.2.mlp.down_proj.weight' has shape"
            + " [688, 256], the model needs [256, 688]") {
        @Override
        Path prepare(Path root, long step) throws IOException {
            // transposed: the same bytes, so the file itself is valid; only the model's spec can tell
            List<TensorEntry> tensors = new ArrayList<>(TinyModel.tensors(TINY, 1000 + step));
            tensors.replaceAll(t -> t.name().equals("model.layers.2.mlp.down_proj.weight")
                    ? new TensorEntry(t.name(), t.dtype(), new long[] {688, 256}, t.source()) : t);
            return publish(root, step, tensors, NO_FSYNC);
        }
    },
    SHARD_MISSING("checkpoint shard missing", "/model.safetensors.index.json: names shard 'model-00002-of-",
            "which is missing") {
        @Override
        Path prepare(Path root, long step) throws IOException {
            Path dir = publish(root, step, TinyModel.tensors(TINY, 1000 + step),
                    new CheckpointWriter.Options(1 << 20, false));
            List<Path> shards;
            try (Stream<Path> files = Files.list(dir)) {
                shards = files.filter(p -> p.getFileName().toString().matches("model-\\d+-of-\\d+\\.safetensors"))
                        .sorted().toList();
            }
            assertThat(shards).as("shards").hasSizeGreaterThan(2);
            Files.delete(shards.get(1));
            return dir;
        }
    },
    NO_STABLE("checkpoint without STABLE", ": no STABLE marker") {
        @Override
        Path prepare(Path root, long step) throws IOException {
            Path dir = publish(root, step);
            Files.delete(dir.resolve(CheckpointRoot.STABLE));
            return dir;
        }
    },
    TRUNCATED_WHILE_LOADING("checkpoint truncated while loading",
            "/model.safetensors: changed while it was being loaded: truncated in place to") {
        @Override
        boolean racesTheLoad() {
            return true;
        }

        @Override
        void whileLoading(Path dir) throws IOException {
            // in place, same inode: the mapping the server reads through loses its second half
            try (FileChannel ch = FileChannel.open(dir.resolve("model.safetensors"), StandardOpenOption.WRITE)) {
                ch.truncate(ch.size() / 2);
            }
        }
    },
    REWRITTEN_IN_PLACE_WHILE_LOADING("checkpoint rewritten in place while loading",
            "/model.safetensors: changed while it was being loaded: written or truncated in place") {
        @Override
        boolean racesTheLoad() {
            return true;
        }

        @Override
        void whileLoading(Path dir) throws IOException {
            // a writer halfway through putting other weights into the same file (same inode, same
            // size): read now, the first half is the old version and the second half a new one
            try (FileChannel ch = FileChannel.open(dir.resolve("model.safetensors"), StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                long half = ch.size() / 2;
                ByteBuffer tail = ByteBuffer.allocate((int) (ch.size() - half));
                while (tail.hasRemaining() && ch.read(tail, half + tail.position()) > 0) {
                    // positional reads until the tail is in memory
                }
                tail.flip();
                for (int i = 0; i < tail.limit(); i++) {
                    tail.put(i, (byte) (tail.get(i) ^ 0x01));
                }
                while (tail.hasRemaining()) {
                    ch.write(tail, half + tail.position());
                }
            }
        }
    };

    static final ModelConfig TINY = TinyModel.config();
    /** Test checkpoints need no durability; skipping the fsync of 6 MB keeps a busy disk out of the timings. */
    static final CheckpointWriter.Options NO_FSYNC = new CheckpointWriter.Options(5_000_000_000L, false);

    final String figureName;
    /** Fragments the one-line message must contain; the first follows the step folder's name. */
    final List<String> words;

    CheckpointFault(String figureName, String... words) {
        this.figureName = figureName;
        this.words = List.of(words);
    }

    /**
     * The folder the update is sent: a defective one, or (the default, for the faults made while the
     * server loads) a good one that {@link #whileLoading} then damages.
     */
    Path prepare(Path root, long step) throws IOException {
        return publish(root, step);
    }

    /** True when the fault is made while the server is loading, not before the request. */
    boolean racesTheLoad() {
        return false;
    }

    void whileLoading(Path dir) throws IOException {}

    /** The seeded tiny weights of {@code step}, as {@code f.publish(step)} writes them. */
    static Path publish(Path root, long step) throws IOException {
        return publish(root, step, 1000 + step);
    }

    /** Seeded tiny weights as step {@code step}, unless that step is already published. */
    static Path publish(Path root, long step, long seed) throws IOException {
        return publish(root, step, TinyModel.tensors(TINY, seed), NO_FSYNC);
    }

    static Path publish(Path root, long step, List<TensorEntry> tensors, CheckpointWriter.Options options)
            throws IOException {
        CheckpointRoot steps = new CheckpointRoot(root);
        if (!steps.isStable(step)) {
            steps.publish(step, TINY.toJson(), tensors, Map.of("format", "pt"), options);
        }
        return steps.stepDir(step);
    }
}

