package io.weightsync.core.os;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Structure;

/**
 * The libc functions this project calls through JNA (which DJL brings already), bound once:
 * {@code fallocate} for the checkpoint writer ({@code Preallocation}), the per-thread CPU priority
 * calls for the server's threads ({@code ThreadNice}), {@code isatty} for the client's progress display
 * ({@code StderrTerminal}), and glibc's {@code malloc_trim} and {@code mallinfo2} for the
 * native-memory checks of the tests. Java 17 has none of them. Each call that declares it throws
 * {@link LastErrorException} with errno when libc returns -1.
 */
public interface LibC extends Library {

    int open(String path, int flags) throws LastErrorException;

    int fallocate(int fd, int mode, long offset, long length) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    int setpriority(int which, int who, int prio) throws LastErrorException;

    /** {@code param} is {@code struct sched_param}: one int, the static priority (0 outside the real-time classes). */
    int sched_setscheduler(int pid, int policy, int[] param) throws LastErrorException;

    /**
     * 1 when {@code fd} refers to a terminal, else 0 (errno ENOTTY or EBADF, deliberately not thrown:
     * "not a terminal" is an answer here, not an error).
     */
    int isatty(int fd);

    /**
     * glibc: hands the free memory of every malloc arena back to the kernel, keeping {@code pad} bytes
     * at the top of the main heap. Returns 1 when some memory was released, 0 otherwise.
     */
    int malloc_trim(long pad);

    /** glibc 2.33+: the malloc arenas' statistics, every field in bytes or counts as {@code size_t}. */
    MallInfo2 mallinfo2();

    /**
     * glibc's {@code struct mallinfo2}, field for field. {@code uordblks + hblkhd} is what the
     * program holds from malloc now (in arenas plus in chunks of their own mapping), free chunks and
     * arena slack not counted: live native memory as the allocator sees it.
     */
    @Structure.FieldOrder({"arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
            "fordblks", "keepcost"})
    class MallInfo2 extends Structure implements Structure.ByValue {
        /** Non-mmapped space allocated from the system, bytes. */
        public long arena;
        /** Free ordinary chunks. */
        public long ordblks;
        /** Free fastbin chunks. */
        public long smblks;
        /** Chunks in mappings of their own. */
        public long hblks;
        /** Bytes in chunks of their own mapping. */
        public long hblkhd;
        /** Unused (always 0). */
        public long usmblks;
        /** Bytes in free fastbin chunks. */
        public long fsmblks;
        /** Bytes in chunks in use, in arenas. */
        public long uordblks;
        /** Bytes in free chunks, in arenas. */
        public long fordblks;
        /** Releasable bytes at the top of the main heap. */
        public long keepcost;

        /** Bytes the program holds from malloc. */
        public long inUseBytes() {
            return uordblks + hblkhd;
        }
    }

    /**
     * libc, loaded on first use.
     *
     * @throws LinkageError where it cannot be loaded
     */
    static LibC get() {
        return Loaded.LIBC;
    }

    /** Holds the binding, so that loading happens on the first {@link #get()} (only where a caller needs it). */
    final class Loaded {
        static final LibC LIBC = Native.load("c", LibC.class);

        private Loaded() {}
    }
}
