package io.weightsync.analyze.follow;

import java.io.PrintWriter;
import java.io.Writer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A writer for the monitor's output that records, for each completed line, the {@link System#nanoTime()}
 * at which its newline was written: what a test needs to say how soon a line was printed. Thread-safe:
 * the monitor writes from its thread, the test reads from its own.
 */
final class TimedLines extends Writer {

    record Line(String text, long nanos) {}

    private final StringBuilder current = new StringBuilder();
    private final List<Line> lines = new ArrayList<>();

    PrintWriter printWriter() {
        return new PrintWriter(this, true);
    }

    @Override
    public synchronized void write(char[] chars, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (chars[i] == '\n') {
                lines.add(new Line(current.toString(), System.nanoTime()));
                current.setLength(0);
                notifyAll();
            } else if (chars[i] != '\r') {
                current.append(chars[i]);
            }
        }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}

    synchronized List<Line> lines() {
        return List.copyOf(lines);
    }

    synchronized String text() {
        StringBuilder s = new StringBuilder();
        lines.forEach(l -> s.append(l.text()).append('\n'));
        return s.toString();
    }

    /** The first line (from index {@code from}) matching, waiting up to {@code deadline}; empty when none came. */
    synchronized Optional<Line> await(int from, Predicate<String> matching, Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        int next = from;
        while (true) {
            for (; next < lines.size(); next++) {
                if (matching.test(lines.get(next).text())) {
                    return Optional.of(lines.get(next));
                }
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** Like {@link #await} from the first line, failing the test with the output so far when none came. */
    Line awaitOrFail(Predicate<String> matching, Duration deadline, String what) throws InterruptedException {
        return await(0, matching, deadline).orElseThrow(() -> new AssertionError(
                "no line " + what + " within " + deadline.toMillis() + " ms; output so far:\n" + text()));
    }

    synchronized int size() {
        return lines.size();
    }
}
