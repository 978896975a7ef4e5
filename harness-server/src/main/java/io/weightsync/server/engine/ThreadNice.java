package io.weightsync.server.engine;

import com.sun.jna.LastErrorException;
import com.sun.jna.Platform;
import io.weightsync.core.os.LibC;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * The Linux nice value (CPU priority) of the calling thread.
 *
 * <p>On Linux the nice value belongs to each thread, not to the process as POSIX has it:
 * {@code setpriority(PRIO_PROCESS, 0, n)} changes the calling thread only, and a thread starts with
 * the value of the thread that created it. So a thread that raises its own value before it starts
 * other threads lowers them too: the engine thread does it before its first parallel op, and the
 * OpenMP workers PyTorch then starts for it (libgomp keeps a worker pool per calling thread) inherit
 * it. Raising the value needs no privilege; lowering it again does, so this only raises it.
 *
 * <p>Below every nice value is the idle scheduling class ({@code SCHED_IDLE}, {@link #idleCurrentThread()}):
 * a thread in it runs on cycles no other thread wants, and any other thread that wakes takes its
 * core at once. Also per thread, also inherited, also one-way without privilege.
 *
 * <p>Why not {@link Thread#setPriority}: HotSpot ignores Java thread priorities on Linux unless run
 * as root with {@code -XX:ThreadPriorityPolicy=1}, and it could not reach PyTorch's native threads.
 */
public final class ThreadNice {

    /** The largest (least favoured) nice value Linux has. */
    public static final int MAX = 19;
    private static final int PRIO_PROCESS = 0;
    /** The idle scheduling class's number in {@code sched_setscheduler(2)} and in {@code /proc/.../stat}. */
    static final int SCHED_IDLE = 5;

    private ThreadNice() {}

    /**
     * Raises the calling thread's nice value to {@code nice}; threads it starts afterwards inherit it.
     *
     * @return null when done (or when the thread's value is {@code nice} or higher already), else
     *     why not: not Linux, or libc refused
     * @throws IllegalArgumentException when {@code nice} is outside 0..19
     */
    public static String raiseCurrentThread(int nice) {
        if (nice < 0 || nice > MAX) {
            throw new IllegalArgumentException("nice value must be in 0.." + MAX + ", got " + nice);
        }
        if (!Platform.isLinux()) {
            return "thread nice values are per thread on Linux only (this is " + System.getProperty("os.name") + ")";
        }
        OptionalInt now = currentThread();
        if (now.isPresent() && now.getAsInt() >= nice) {
            return null;
        }
        try {
            LibC.get().setpriority(PRIO_PROCESS, 0, nice);
            return null;
        } catch (LastErrorException e) {
            return "setpriority refused: errno " + e.getErrorCode();
        } catch (LinkageError e) {
            return "libc not reachable through JNA: " + e.getMessage();
        }
    }

    /**
     * Moves the calling thread into the idle scheduling class; threads it starts afterwards are in
     * it too.
     *
     * @return null when done, else why not: not Linux, or libc refused
     */
    public static String idleCurrentThread() {
        if (!Platform.isLinux()) {
            return "the idle scheduling class is Linux's (this is " + System.getProperty("os.name") + ")";
        }
        try {
            LibC.get().sched_setscheduler(0, SCHED_IDLE, new int[] {0});
            return null;
        } catch (LastErrorException e) {
            return "sched_setscheduler(SCHED_IDLE) refused: errno " + e.getErrorCode();
        } catch (LinkageError e) {
            return "libc not reachable through JNA: " + e.getMessage();
        }
    }

    /** The calling thread's nice value ({@code /proc/thread-self/stat}), or empty where there is none. */
    public static OptionalInt currentThread() {
        return ofStat(Path.of("/proc/thread-self/stat"), NICE_FIELD);
    }

    /** The calling thread's scheduling class ({@link #SCHED_IDLE}, 0 for the normal one), or empty where there is none. */
    public static OptionalInt currentPolicy() {
        return ofStat(Path.of("/proc/thread-self/stat"), POLICY_FIELD);
    }

    /** Fields of {@code /proc/[pid]/task/[tid]/stat} (proc(5), counted from 1). */
    static final int NICE_FIELD = 19;
    static final int POLICY_FIELD = 41;

    /** The number in field {@code field} of a {@code /proc/.../stat} file, or empty when it cannot be read. */
    static OptionalInt ofStat(Path stat, int field) {
        try {
            String line = Files.readString(stat);
            // fields after the command name (which may hold spaces and parentheses); state is field 3
            String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
            return OptionalInt.of(Integer.parseInt(fields[field - 3]));
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }
}
