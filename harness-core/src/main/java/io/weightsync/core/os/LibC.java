package io.weightsync.core.os;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The libc functions this project calls through JNA (which DJL brings already), bound once:
 * {@code fallocate} for the checkpoint writer ({@code Preallocation}), the per-thread CPU priority
 * calls for the server's threads ({@code ThreadNice}), {@code isatty} for the client's progress display
 * ({@code StderrTerminal}). Java 17 has none of them. Each call that declares it throws
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
