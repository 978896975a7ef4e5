package io.weightsync.progress;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * {@link ProgressDisplay.Kind#LINES}: one line per phase and per step, printed when it happens and
 * never redrawn, so a file or pipe gets a short log rather than a copy of a bar every half second:
 * <pre>
 * experiment 3/12 steps, 0:00:42 elapsed: shared: step 3/6 done, 24 completions
 * </pre>
 * The number of lines is bounded by the work, not by time: one per phase, plus at most
 * {@link #MAX_STEP_LINES} step lines (a step prints when it enters another 1/{@value #MAX_STEP_LINES}
 * of the total, so with up to that many steps every step prints; a soak of 3,600 one-second steps
 * prints 20), plus, on close, the last step reached when it was not printed (a run stopped early).
 *
 * <p>Why not the library's {@code DelegatingProgressBarConsumer} without {@code continuousUpdate}: it
 * prints only when the count advances, sampled on its own timer, and cannot be made to print a phase
 * change (its forced refresh is package-private), so starting a server and warm-up would pass in
 * silence; and a soak, which advances every second, would print a line per sample. Printing here, on
 * the caller's thread, makes the output a function of the events alone.
 */
final class PlainLines implements ProgressDisplay {

    /** Step lines per run at most (phases come on top). */
    static final int MAX_STEP_LINES = 20;

    private final String task;
    private final long total;
    private final String unit;
    private final PrintStream out;
    private final LongSupplier nanoClock;
    private final long startNanos;
    /** The twentieth ({@code done * MAX_STEP_LINES / total}) of the last printed step; 0 before the first. */
    private long printedBucket;
    private long done;
    private long printedDone = -1;
    private String lastDetail;
    private boolean closed;

    PlainLines(String task, long total, String unit, PrintStream out, LongSupplier nanoClock) {
        this.task = task;
        this.total = total;
        this.unit = unit;
        this.out = out;
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
    }

    @Override
    public synchronized void phase(String text) {
        if (!closed) {
            print(text);
        }
    }

    @Override
    public synchronized void stepTo(long done, String detail) {
        if (closed || done <= this.done) {
            return; // no progress: nothing new to say
        }
        this.done = Math.min(done, total);
        lastDetail = detail;
        long bucket = this.done * MAX_STEP_LINES / total;
        if (bucket > printedBucket) { // the last step is always in a new one: bucket MAX_STEP_LINES
            printedBucket = bucket;
            printedDone = this.done;
            print(detail);
        }
    }

    /** Prints the last step when it was skipped (a soak's last seconds), so the log ends on where it got. */
    @Override
    public synchronized void close() {
        if (!closed && done > 0 && printedDone != done) {
            printedDone = done;
            print(lastDetail);
        }
        closed = true;
    }

    private void print(String text) {
        long seconds = (nanoClock.getAsLong() - startNanos) / 1_000_000_000L;
        String line = String.format(Locale.ROOT, "%s %d/%d %s, %d:%02d:%02d elapsed", task, done, total, unit,
                seconds / 3600, seconds / 60 % 60, seconds % 60);
        out.println(text == null || text.isEmpty() ? line : line + ": " + text);
        out.flush();
    }
}
