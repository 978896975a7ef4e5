package io.weightsync.server.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Inter-token gaps from many streams, in a {@link Recorder} cut into windows of fixed length, so a
 * phase's p99 can be read as the median of its windows' p99s. Across a batch one slow step is a
 * gap in every stream, so a plain p99 is nearly the phase's slowest few steps: on a shared 2-core
 * machine, whatever else ran at that moment. One such moment moves one window's p99; a slowdown
 * that lasts moves them all. Stalls show in {@link Phase#maxMillis()}.
 */
final class GapWindows implements AutoCloseable {

    /** The gaps of one phase, window by window. */
    record Phase(List<Histogram> windows) {

        Histogram merged() {
            Histogram all = new Histogram(3);
            windows.forEach(all::add);
            return all;
        }

        /** The median over windows (with at least one gap) of each window's p99, ms. */
        double medianP99Millis() {
            double[] p99s = new double[windows.size()];
            int n = 0;
            for (Histogram w : windows) {
                if (w.getTotalCount() > 0) {
                    p99s[n++] = w.getValueAtPercentile(99) / 1e3;
                }
            }
            p99s = java.util.Arrays.copyOf(p99s, n);
            java.util.Arrays.sort(p99s);
            if (p99s.length == 0) {
                return 0;
            }
            int mid = p99s.length / 2;
            return p99s.length % 2 == 1 ? p99s[mid] : (p99s[mid - 1] + p99s[mid]) / 2;
        }

        double p50Millis() {
            return merged().getValueAtPercentile(50) / 1e3;
        }

        double maxMillis() {
            return merged().getMaxValue() / 1e3;
        }

        long count() {
            return merged().getTotalCount();
        }

        /** "p50/p99/max ms" for a figure line, the p99 the median of the windows'. */
        String summary() {
            return String.format(Locale.ROOT, "%.1f/%.1f/%.1f ms", p50Millis(), medianP99Millis(), maxMillis());
        }
    }

    private final Recorder gapsMicros = new Recorder(3);
    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "gap-windows");
        t.setDaemon(true);
        return t;
    });
    /** Windows closed since the last {@link #phase()}, oldest first. */
    private final List<Histogram> closed = new ArrayList<>();

    GapWindows(long windowMillis) {
        clock.scheduleAtFixedRate(this::closeWindow, windowMillis, windowMillis, TimeUnit.MILLISECONDS);
    }

    void record(long micros) {
        gapsMicros.recordValue(micros);
    }

    private synchronized void closeWindow() {
        closed.add(gapsMicros.getIntervalHistogram());
    }

    /** The windows since the previous call (or the start), the one running now closed early. */
    synchronized Phase phase() {
        closeWindow();
        Phase phase = new Phase(List.copyOf(closed));
        closed.clear();
        return phase;
    }

    @Override
    public void close() {
        clock.shutdownNow();
    }
}
