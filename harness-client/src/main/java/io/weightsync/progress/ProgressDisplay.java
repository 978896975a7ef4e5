package io.weightsync.progress;

import java.io.PrintStream;

/**
 * How a long command ({@code experiment}, {@code soak}) shows how far it got, on stderr: a bar redrawn
 * in place on a terminal, one plain line per phase or step anywhere else (a file, a pipe, CI's log),
 * nothing with {@code --no-progress}. The call sites tell it what happened; the kind decides how
 * (and how often) it is shown. Implementations are safe to call from several threads.
 */
public interface ProgressDisplay extends AutoCloseable {

    /** How progress is shown. */
    enum Kind {
        /** A bar redrawn in place with carriage returns (the progress library's console consumer). */
        BAR,
        /** Plain lines, each ended by a newline, never a redraw: for files and pipes. */
        LINES,
        /** Nothing at all ({@code --no-progress}). */
        NONE;

        /** BAR when stderr is a terminal, LINES otherwise; NONE when progress is off. */
        public static Kind forStderr(boolean enabled) {
            return !enabled ? NONE : StderrTerminal.isTerminal() ? BAR : LINES;
        }
    }

    /** Starts a new phase (starting a server, warm-up, a mode): {@code text} says which. */
    void phase(String text);

    /**
     * Work advanced to {@code done} of the total.
     *
     * @param detail a few words on the state after this step (counts, resources); null for none
     */
    void stepTo(long done, String detail);

    /** Ends the display (the bar's last redraw and its newline); no output after it. */
    @Override
    void close();

    /**
     * @param task the command, first word of every bar or line ({@code experiment})
     * @param total steps in the whole run, > 0
     * @param unit what a step is, plural, for the count ({@code steps}, {@code s})
     * @param redrawMillis BAR only: how often the bar is redrawn (its clock keeps moving between steps)
     */
    static ProgressDisplay open(Kind kind, String task, long total, String unit, int redrawMillis, PrintStream out) {
        if (total <= 0) {
            throw new IllegalArgumentException("progress total must be > 0, was " + total);
        }
        return switch (kind) {
            case BAR -> new TerminalBar(task, total, unit, redrawMillis, out);
            case LINES -> new PlainLines(task, total, unit, out, System::nanoTime);
            case NONE -> new ProgressDisplay() {
                @Override
                public void phase(String text) {}

                @Override
                public void stepTo(long done, String detail) {}

                @Override
                public void close() {}
            };
        };
    }
}
