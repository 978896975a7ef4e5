package io.weightsync.progress;

import io.weightsync.core.os.LibC;

/**
 * Whether stderr (fd 2) is a terminal, the question that decides between a redrawn bar and plain lines.
 *
 * <p>{@code System.console() != null} answers another question (stdin and stdout are both terminals:
 * {@code ./harness experiment 2>run.log} still has a console, {@code | tee} has none although stderr
 * is the terminal), and Java 17 has no {@code Console.isTerminal()}. {@code isatty(2)} is the POSIX
 * definition of the question itself: one libc call through the JNA binding the project already has,
 * no side effects, right on Linux and macOS whatever the device ({@code /dev/pts/N}, a serial
 * console). The progress library's JLine terminal was not used: building one probes the streams,
 * may run {@code stty}, and JLine keeps one system terminal per process. Where libc cannot be loaded
 * (Windows) it falls back to {@code System.console() != null}.
 */
public final class StderrTerminal {

    private static final int STDERR = 2;

    private StderrTerminal() {}

    public static boolean isTerminal() {
        try {
            return LibC.get().isatty(STDERR) == 1;
        } catch (LinkageError noLibc) {
            return System.console() != null;
        }
    }
}
