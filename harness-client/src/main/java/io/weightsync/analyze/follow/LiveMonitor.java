package io.weightsync.analyze.follow;

import io.weightsync.analyze.Analyzer;
import io.weightsync.analyze.LogScanner;
import io.weightsync.analyze.Numbers;
import io.weightsync.analyze.SummaryWriter;
import io.weightsync.analyze.Thresholds;
import io.weightsync.core.report.MetricNames;
import io.weightsync.core.report.MetricSummary;
import io.weightsync.core.report.RunInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * {@code ./harness analyze --follow}: the live monitor. Tails the logs while they are written and feeds
 * their lines to the same {@link Analyzer} the batch {@code analyze} uses, so what it writes at the end
 * is what {@code analyze} would write for the same lines. One loop, on the thread that calls {@link
 * #run}:
 *
 * <ol>
 *   <li>catch up: read what each log already holds (no update lines for that history; one
 *       {@code following ...} line sums it up);
 *   <li>every poll interval: read what each log gained ({@link TailedLog}: rotation, truncation), then
 *       print a line for every update that is now finished ({@link FinishedUpdates} says when);
 *   <li>every {@code --every}: the rolling line, p50/p99 of queue_ms and rpc_ms and the diagnosis as
 *       the report would give them if the logs ended now ({@link Analyzer#snapshot()}: all lines so far,
 *       not a window);
 *   <li>{@link #stop()} (another thread, e.g. the Ctrl-C hook): a last read of every log, the last
 *       lines without {@code \n} delivered, and {@link #run} returns the finished analysis.
 * </ol>
 *
 * Every printed line starts with the time of day ({@code HH:mm:ss}, in the clock's zone).
 */
public final class LiveMonitor {

    /** Read buffer shared by the logs (the loop reads one at a time). */
    private static final int READ_BUFFER_BYTES = 256 * 1024;

    private final List<Path> logs;
    private final Analyzer analyzer;
    private final int maxLineBytes;
    private final FollowOptions options;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Clock clock;
    private final LongSupplier nanoTime;
    private final DateTimeFormatter timeOfDay;
    private final Object wakeUp = new Object();
    private volatile boolean stopped;

    /**
     * @param out update lines and rolling lines
     * @param err notices: waiting for a file, rotation, truncation, read errors, malformed lines
     * @param clock the time of day printed on each line
     * @param nanoTime the monotonic clock that paces polls, rolling lines and the grace
     */
    public LiveMonitor(List<Path> logs, Thresholds thresholds, int maxLineBytes, FollowOptions options,
            PrintWriter out, PrintWriter err, Clock clock, LongSupplier nanoTime) {
        if (logs.isEmpty()) {
            throw new IllegalArgumentException("no log to follow");
        }
        this.logs = List.copyOf(logs);
        this.analyzer = new Analyzer(thresholds, new LogScanner(maxLineBytes));
        this.maxLineBytes = maxLineBytes;
        this.options = options;
        this.out = out;
        this.err = err;
        this.clock = clock;
        this.nanoTime = nanoTime;
        this.timeOfDay = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(clock.getZone());
    }

    /**
     * Why a log cannot be followed.
     *
     * @param message one line naming the log and the defect
     * @param exitStatus 2 for a log the monitor does not take (gzip: a usage error), 1 for one that
     *     cannot be read (as {@code analyze})
     */
    public record Refusal(String message, int exitStatus) {}

    /**
     * Why {@code log} cannot be followed, or empty when it can: a gzip log (by its {@code .gz} name or
     * its magic bytes {@code 1f 8b}), since a compressed stream cannot be read while it grows, or a path
     * that names something other than a readable file. A log not there yet can be followed (it is
     * waited for).
     */
    public static Optional<Refusal> refusal(Path log) {
        String name = log.getFileName() == null ? log.toString() : log.getFileName().toString();
        Refusal gzip = new Refusal(log + ": --follow reads plain text logs only; use `./harness analyze` for gzip", 2);
        if (name.toLowerCase(Locale.ROOT).endsWith(".gz")) {
            return Optional.of(gzip);
        }
        if (!Files.exists(log)) {
            return Optional.empty();
        }
        if (!Files.isRegularFile(log)) {
            return Optional.of(new Refusal(log + ": not a regular file", 1));
        }
        try {
            return LogScanner.startsWithGzipMagic(log) ? Optional.of(gzip) : Optional.empty();
        } catch (IOException e) {
            return Optional.of(new Refusal(log + ": cannot read: " + e.getMessage(), 1));
        }
    }

    /** Follows the logs until {@link #stop()}, then returns the analysis of every line seen. */
    public Analyzer.Analysis run(RunInfo run, Map<String, Object> config) {
        ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER_BYTES);
        FinishedUpdates updates = new FinishedUpdates(options.grace().toNanos(), this::print, this::notice);
        analyzer.listener(updates);
        List<TailedLog> tailed = new ArrayList<>();
        for (Path log : logs) {
            tailed.add(new TailedLog(log, analyzer, maxLineBytes, buffer, this::notice));
        }

        updates.mute(true);
        long caughtUpBytes = 0;
        for (TailedLog log : tailed) {
            caughtUpBytes += log.poll();
        }
        updates.mute(false);
        Analyzer.Snapshot start = analyzer.snapshot();
        print("following " + logs.size() + " log(s), " + caughtUpBytes + " bytes already there: "
                + rolling(start, start.updates()) + "; Ctrl-C writes SUMMARY.md and report.json");

        long everyNanos = options.every().toNanos();
        long pollNanos = options.poll().toNanos();
        long nextRolling = nanoTime.getAsLong() + everyNanos;
        long updatesAtLastLine = start.updates();
        while (!stopped) {
            for (TailedLog log : tailed) {
                log.poll();
            }
            long now = nanoTime.getAsLong();
            updates.endOfRound(now);
            if (now - nextRolling >= 0) {
                Analyzer.Snapshot snapshot = analyzer.snapshot();
                print("so far: " + rolling(snapshot, snapshot.updates() - updatesAtLastLine));
                updatesAtLastLine = snapshot.updates();
                nextRolling += everyNanos;
                if (now - nextRolling >= 0) {
                    nextRolling = now + everyNanos;
                }
            }
            sleep(Math.min(pollNanos, Math.max(0, nextRolling - nanoTime.getAsLong())));
        }

        for (TailedLog log : tailed) {
            log.poll();
        }
        updates.endOfRound(nanoTime.getAsLong());
        for (TailedLog log : tailed) {
            log.close();
        }
        return analyzer.finish(run, config);
    }

    /** Ends {@link #run} after one last read of every log; safe from any thread, returns at once. */
    public void stop() {
        stopped = true;
        synchronized (wakeUp) {
            wakeUp.notifyAll();
        }
    }

    /**
     * {@code N updates (+k since the last such line), m open; queue_ms p50=.. p99=..; rpc_ms p50=.. p99=..; diagnosis: ..}: the
     * numbers as HdrHistogram gives them (within 0.1%), "-" before the first value.
     */
    static String rolling(Analyzer.Snapshot s, long newUpdates) {
        return s.updates() + " updates (+" + newUpdates + "), " + s.openUpdates() + " open"
                + "; queue_ms " + percentiles(s.metrics().get(MetricNames.WEIGHTS_QUEUE_MS))
                + "; rpc_ms " + percentiles(s.metrics().get(MetricNames.WEIGHTS_RPC_MS))
                + "; diagnosis: " + SummaryWriter.verdict(s.diagnosis());
    }

    private static String percentiles(MetricSummary m) {
        if (m == null || m.count() == 0) {
            return "p50=- p99=-";
        }
        return "p50=" + Numbers.reading(m.p50()) + " p99=" + Numbers.reading(m.p99());
    }

    private void sleep(long nanos) {
        synchronized (wakeUp) {
            if (stopped || nanos <= 0) {
                return;
            }
            try {
                wakeUp.wait(Math.max(1, nanos / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopped = true;
            }
        }
    }

    private void print(String line) {
        out.println(timeOfDay.format(clock.instant()) + " " + line);
        out.flush();
    }

    private void notice(String line) {
        err.println(line);
        err.flush();
    }
}
