package io.weightsync.core.ckpt;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Atomic publication of a file: write a temporary sibling, fsync it, rename it over the target,
 * fsync the folder. A reader sees the old file or the whole new one, never a torn one, and after
 * a crash the new file is either durable or absent.
 */
public final class AtomicFiles {

    /** Writes a file's content into an open channel. */
    @FunctionalInterface
    public interface ChannelWriter {
        void write(FileChannel out) throws IOException;
    }

    private AtomicFiles() {}

    /**
     * Publishes {@code target} atomically with what {@code body} writes.
     *
     * @param fsync false skips both fsyncs (rename stays atomic, durability is not promised): for
     *     benchmarks and tests that measure the write path without the disk flush
     */
    public static void write(Path target, boolean fsync, ChannelWriter body) throws IOException {
        write(target, fsync, 0, body);
    }

    /**
     * As {@link #write(Path, boolean, ChannelWriter)}, for content of {@code expectedBytes}: the
     * temporary file's blocks are reserved before {@code body} writes ({@link Preallocation}).
     */
    public static void write(Path target, boolean fsync, long expectedBytes, ChannelWriter body) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = dir.resolve("." + target.getFileName() + ".tmp-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                Preallocation.reserve(temp, expectedBytes);
                body.write(out);
                if (fsync) {
                    out.force(true);
                }
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        if (fsync) {
            fsyncDirectory(dir);
        }
    }

    /** Publishes small content (config.json, an index, a marker) atomically and durably. */
    public static void write(Path target, byte[] content) throws IOException {
        write(target, true, out -> {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                out.write(buf);
            }
        });
    }

    /** Makes a folder's entries (a rename, a new file) durable. */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
