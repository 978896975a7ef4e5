package io.weightsync.core.ckpt;

import com.sun.jna.LastErrorException;
import com.sun.jna.Platform;
import io.weightsync.core.os.LibC;
import java.nio.file.Path;

/**
 * Reserves a new file's disk blocks before it is written ({@code fallocate(2)} with
 * {@code FALLOC_FL_KEEP_SIZE}), so that each write lands in blocks that already exist.
 *
 * <p>Why: on ext4 a plain write into the page cache reserves delayed-allocation space page by page;
 * with the extent allocated up front the same writes ran 15-40% faster on the dev machine (a C
 * probe writing a fresh 16 MB / 256 MB file from one buffer: 2.7-3.1 vs 3.3-4.1 GB/s best of 7,
 * alternating runs; fsync'ed writes unchanged at the disk's ~0.5 GB/s). {@code KEEP_SIZE} leaves the
 * file's length to the writes, so a write that stops early leaves no zeros behind.
 *
 * <p>Only a speed-up: where it cannot be done (not Linux, a file system without fallocate, libc
 * unreachable) nothing happens, and a real shortage of space surfaces in the write itself. Java 17
 * has no fallocate and no file descriptor of a {@code FileChannel}, so the file is opened by path
 * through JNA for the call.
 */
public final class Preallocation {

    private static final int O_WRONLY = 1;
    private static final int O_CLOEXEC = 0x80000;   // Linux x86-64 and aarch64
    private static final int FALLOC_FL_KEEP_SIZE = 1;

    private Preallocation() {}

    /**
     * Reserves {@code bytes} of disk blocks for the existing file {@code file}, its length unchanged.
     *
     * @return whether the blocks were reserved
     */
    public static boolean reserve(Path file, long bytes) {
        if (bytes <= 0 || !Platform.isLinux() || !Platform.is64Bit()) {
            return false;
        }
        try {
            LibC libc = LibC.get();
            int fd = libc.open(file.toAbsolutePath().toString(), O_WRONLY | O_CLOEXEC);
            try {
                libc.fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, bytes);
                return true;
            } finally {
                libc.close(fd);
            }
        } catch (LastErrorException | LinkageError e) {
            return false; // EOPNOTSUPP, ENOSPC, ...: the writes go ahead without it
        }
    }
}
