package io.weightsync.core.os;

import java.util.OptionalLong;

/**
 * Live native memory as glibc's allocator counts it: bytes in allocated chunks of every arena plus
 * those in mappings of their own ({@code mallinfo2}: {@code uordblks + hblkhd}). PyTorch's tensors,
 * Netty's direct buffers and the JVM's own mallocs are in it; free chunks, arena slack and
 * fragmentation are not, so it does not step up when an arena grows to a new working set and keeps
 * it, as resident memory does. That makes it the reading that tells a native leak from the
 * allocator settling (docs/TESTING.md has the runs behind that).
 */
public final class MallocInUse {

    private MallocInUse() {}

    /** Bytes in use now; empty where libc is not glibc 2.33+ (musl, macOS) or cannot be loaded. */
    public static OptionalLong bytes() {
        try {
            return OptionalLong.of(LibC.get().mallinfo2().inUseBytes());
        } catch (LinkageError | RuntimeException e) { // no mallinfo2 in this libc
            return OptionalLong.empty();
        }
    }

    /**
     * Hands every arena's free memory back to the kernel ({@code malloc_trim(0)}), for a reading at
     * rest; false where there is no glibc.
     */
    public static boolean trim() {
        try {
            LibC.get().malloc_trim(0);
            return true;
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }
}
