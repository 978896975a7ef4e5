package io.weightsync.progress;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * {@link ProgressDisplay.Kind#BAR}: the progress library's ASCII bar, redrawn in place ({@code \r}) every
 * {@code redrawMillis} even without progress, so that its clock and ETA keep moving. Only for a
 * terminal: in a file every redraw is a new copy of the bar.
 */
final class TerminalBar implements ProgressDisplay {

    private final ProgressBar bar;

    TerminalBar(String task, long total, String unit, int redrawMillis, PrintStream out) {
        bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setUnit(" " + unit, 1)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(redrawMillis)
                .continuousUpdate()
                .setConsumer(new ConsoleProgressBarConsumer(out))
                .build();
    }

    @Override
    public void phase(String text) {
        bar.setExtraMessage(" " + text);
    }

    @Override
    public void stepTo(long done, String detail) {
        bar.stepTo(done);
        if (detail != null) {
            bar.setExtraMessage(" " + detail);
        }
    }

    @Override
    public void close() {
        bar.close();
    }
}
