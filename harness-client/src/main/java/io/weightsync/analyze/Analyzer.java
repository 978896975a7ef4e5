package io.weightsync.analyze;

import static io.weightsync.core.report.MetricNames.CKPT_WAIT_MS;
import static io.weightsync.core.report.MetricNames.CKPT_WRITE_MS;
import static io.weightsync.core.report.MetricNames.GEN_DUR_MS;
import static io.weightsync.core.report.MetricNames.ROLLOUT_STALENESS;
import static io.weightsync.core.report.MetricNames.ROLLOUT_TRUNC_PCT;
import static io.weightsync.core.report.MetricNames.WEIGHTS_QUEUE_MS;
import static io.weightsync.core.report.MetricNames.WEIGHTS_RECV_GAP_MS;
import static io.weightsync.core.report.MetricNames.WEIGHTS_RPC_MS;
import static io.weightsync.core.report.MetricNames.WEIGHTS_WALL_MS;

import io.weightsync.core.events.CkptEvent;
import io.weightsync.core.events.Event;
import io.weightsync.core.events.EventLineParser;
import io.weightsync.core.events.GenEvent;
import io.weightsync.core.events.ParseResult;
import io.weightsync.core.events.RolloutEvent;
import io.weightsync.core.events.WeightsEvent;
import io.weightsync.core.report.Finding;
import io.weightsync.core.report.MetricHistograms;
import io.weightsync.core.report.MetricNames;
import io.weightsync.core.report.MetricSummary;
import io.weightsync.core.report.Report;
import io.weightsync.core.report.RunInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.HdrHistogram.Histogram;

/**
 * Turns logs into an analysis report: every line goes through {@link EventLineParser}, {@code [weights]}
 * lines are joined per update by {@link TraceJoiner}, every duration lands in an HdrHistogram, the
 * worst cases are kept as evidence, and {@link Diagnosis} names the bottleneck.
 *
 * <p>Single-threaded, streaming, constant memory: histograms, bounded evidence lists and the open
 * traces are all it holds. Use: {@link #scan(Path)} each log (or {@link #line} each line and {@link
 * #fileRead} each file), then {@link #finish}. {@code analyze --follow} feeds it the same way while the
 * logs grow, watches the joins through a {@link Listener} and asks for a {@link #snapshot()} now and then.
 */
public final class Analyzer {

    /** Worst cases kept per kind of evidence. */
    public static final int EVIDENCE_COUNT = 5;
    /** Unfinished traces, malformed lines: how many are listed (all are counted). */
    public static final int LISTED = 20;
    /** Open traces held before the oldest is given up as unfinished; ~150 bytes each. */
    public static final int MAX_OPEN_TRACES = 100_000;

    private final Thresholds thresholds;
    private final LogScanner scanner;
    private final TraceJoiner joiner = new TraceJoiner(MAX_OPEN_TRACES, this::fold);
    private final Map<String, Histogram> histograms = new LinkedHashMap<>();

    private final TopN<UpdateTrace> worstQueue = new TopN<>(EVIDENCE_COUNT);
    private final TopN<UpdateTrace> worstRpc = new TopN<>(EVIDENCE_COUNT);
    private final TopN<CkptEvent.WaitDone> worstWaits = new TopN<>(EVIDENCE_COUNT);
    private final TopN<RolloutEvent> stalest = new TopN<>(EVIDENCE_COUNT);
    private final TopN<RolloutEvent> mostTruncated = new TopN<>(EVIDENCE_COUNT);
    private final List<UpdateTrace> unfinished = new ArrayList<>();
    private final List<String> malformed = new ArrayList<>();
    private final List<LogScanner.FileStats> files = new ArrayList<>();

    private Listener listener = new Listener() {};
    private String currentFile = "-";
    private long lines;
    private long eventLines;
    private long malformedLines;
    private long queueDerived;
    private long clockSkew;

    public Analyzer(Thresholds thresholds, LogScanner scanner) {
        this.thresholds = thresholds;
        this.scanner = scanner;
        for (String name : MetricNames.FROM_EVENT_LINES) {
            histograms.put(name, MetricHistograms.create());
        }
    }

    public Analyzer(Thresholds thresholds) {
        this(thresholds, new LogScanner());
    }

    /**
     * The analysis of a run's own logs (those that exist), as the experiment and the Gatling
     * simulation make their reports: same code as {@code ./harness analyze}, so the numbers agree.
     */
    public static Analysis ofLogs(Thresholds thresholds, String gitSha, Path... logs) throws IOException {
        Analyzer analyzer = new Analyzer(thresholds);
        for (Path log : logs) {
            if (log != null && java.nio.file.Files.exists(log)) {
                analyzer.scan(log);
            }
        }
        return analyzer.finish(new RunInfo("logs", java.time.Instant.now().toString(), null, null, gitSha,
                RunInfo.Host.current()), Map.of());
    }

    /** What a live reader wants to know as the lines go by; called on the thread that feeds the lines. */
    public interface Listener {
        /**
         * A {@code [weights]} line was joined to its update (not called for duplicates).
         *
         * @param trace the update so far; complete (and already folded into the metrics) when this line
         *     was its last. It keeps collecting lines until complete; read it on this thread only.
         */
        default void joined(UpdateTrace trace, WeightsEvent line) {}

        /** An event line was malformed: {@code file:line: event: problems}, as SUMMARY.md lists them. */
        default void malformed(String description) {}
    }

    /** Sets the one listener (replacing the previous). */
    public void listener(Listener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Reads one log (plain or gzip) to its end. */
    public LogScanner.FileStats scan(Path log) throws IOException {
        currentFile = log.getFileName().toString();
        LogScanner.FileStats stats = scanner.scan(log, this::line);
        fileRead(stats);
        return stats;
    }

    /** One line of {@code file} (named in the malformed-line list), for a reader that interleaves files. */
    public void line(String file, String line, long lineNumber) {
        currentFile = file;
        line(line, lineNumber);
    }

    /** A file (or, when following, one generation of a rotated or truncated file) was read to its end. */
    public void fileRead(LogScanner.FileStats stats) {
        files.add(stats);
    }

    /** One line of a log, any prefix, with or without its terminator. */
    public void line(String line, long lineNumber) {
        lines++;
        ParseResult result = EventLineParser.parse(line);
        if (!result.isEventLine()) {
            return;
        }
        eventLines++;
        if (result.isMalformed()) {
            malformedLines++;
            String description = currentFile + ":" + lineNumber + ": " + result.kind().orElseThrow().eventName()
                    + ": " + String.join("; ", result.problems());
            if (malformed.size() < LISTED) {
                malformed.add(description);
            }
            listener.malformed(description);
            return;
        }
        Event event = result.event().orElseThrow();
        if (event instanceof WeightsEvent w) {
            UpdateTrace trace = joiner.accept(w);
            if (trace != null) {
                listener.joined(trace, w);
            }
        } else if (event instanceof CkptEvent.WriteDone e) {
            record(CKPT_WRITE_MS, e.writeMillis());
        } else if (event instanceof CkptEvent.WaitDone e) {
            record(CKPT_WAIT_MS, e.waitMillis());
            worstWaits.offer(e.waitMillis(), e);
        } else if (event instanceof GenEvent.BatchDone e) {
            record(GEN_DUR_MS, e.durMillis());
        } else if (event instanceof RolloutEvent e) {
            record(ROLLOUT_TRUNC_PCT, e.truncPct());
            mostTruncated.offer(e.truncPct(), e);
            if (e.staleness() >= 0) {
                record(ROLLOUT_STALENESS, e.staleness());
                stalest.offer(e.staleness(), e);
            }
        }
    }

    /** One update, complete or not: record what it tells. */
    private void fold(UpdateTrace trace) {
        record(WEIGHTS_WALL_MS, trace.wallMillis());
        record(WEIGHTS_RPC_MS, trace.rpcMillis());
        double queue = trace.queueMillis();
        if (!Double.isNaN(queue) && record(WEIGHTS_QUEUE_MS, queue) && trace.queueDerived()) {
            queueDerived++;
        }
        record(WEIGHTS_RECV_GAP_MS, trace.recvGapMillis());
        worstQueue.offer(queue, trace);
        worstRpc.offer(trace.rpcMillis(), trace);
        if (!trace.isComplete() && unfinished.size() < LISTED) {
            unfinished.add(trace);
        }
    }

    /** Records a value; NaN (unknown) is skipped, a negative one is clock skew, counted and skipped. */
    private boolean record(String metric, double value) {
        if (Double.isNaN(value)) {
            return false;
        }
        if (value < 0) {
            clockSkew++;
            return false;
        }
        MetricHistograms.record(histograms.get(metric), metric, value);
        return true;
    }

    /**
     * The metrics and the diagnosis as {@link #finish} would give them if the logs ended now (open
     * traces counted with what they have so far), without ending anything: a live view. Copies the
     * histograms, so it costs a few hundred KB and microseconds; the evidence it judges by leaves the
     * open traces out, which changes no finding's id or severity, only which updates a finding cites.
     */
    public Snapshot snapshot() {
        Map<String, Histogram> copies = new LinkedHashMap<>();
        histograms.forEach((name, h) -> copies.put(name, h.copy()));
        for (UpdateTrace open : joiner.open()) {
            recordInto(copies, WEIGHTS_WALL_MS, open.wallMillis());
            recordInto(copies, WEIGHTS_RPC_MS, open.rpcMillis());
            recordInto(copies, WEIGHTS_QUEUE_MS, open.queueMillis());
            recordInto(copies, WEIGHTS_RECV_GAP_MS, open.recvGapMillis());
        }
        Map<String, MetricSummary> metrics = new LinkedHashMap<>();
        copies.forEach((name, h) -> metrics.put(name, MetricSummary.of(name, h)));
        Evidence evidence = evidence();
        return new Snapshot(metrics, Diagnosis.of(metrics, evidence, thresholds), joiner.complete(),
                joiner.open().size());
    }

    private static void recordInto(Map<String, Histogram> histograms, String metric, double value) {
        if (value >= 0 && !Double.isInfinite(value)) {
            MetricHistograms.record(histograms.get(metric), metric, value);
        }
    }

    /**
     * A live view of an analysis in progress.
     *
     * @param metrics every metric as finish() would summarise it now
     * @param diagnosis the findings those metrics give (empty: healthy)
     * @param updates complete updates so far
     * @param openUpdates updates with some of their lines in and not all
     */
    public record Snapshot(Map<String, MetricSummary> metrics, List<Finding> diagnosis, long updates,
            long openUpdates) {}

    /** Ends the analysis: open traces become unfinished, the diagnosis is made, the report built. */
    public Analysis finish(RunInfo run, Map<String, Object> config) {
        joiner.finish();
        Report.Builder report = Report.builder(Report.KIND_ANALYSIS).run(run);
        config.forEach(report::config);
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("queue_ratio", thresholds.queueRatio());
        limits.put("queue_floor_ms", thresholds.queueFloorMillis());
        limits.put("rpc_ms", thresholds.rpcMillis());
        limits.put("wait_ms", thresholds.waitMillis());
        limits.put("async_level", thresholds.asyncLevel());
        limits.put("trunc_pct", thresholds.truncPct());
        report.config("thresholds", limits);
        histograms.forEach(report::metric);
        long bytes = 0;
        long oversized = 0;
        for (LogScanner.FileStats f : files) {
            bytes += f.bytes();
            oversized += f.oversizedLines();
        }
        report.counter("files", files.size())
                .counter("bytes", bytes)
                .counter("lines", lines)
                .counter("event_lines", eventLines)
                .counter("malformed_lines", malformedLines)
                .counter("oversized_lines", oversized)
                .counter("updates", joiner.complete())
                .counter("unfinished_traces", joiner.unfinished())
                .counter("duplicate_lines", joiner.duplicates())
                .counter("queue_derived", queueDerived)
                .counter("clock_skew", clockSkew)
                .counter("read_errors", files.stream().filter(f -> f.error() != null).count());
        Evidence evidence = evidence();
        Report built = report.build();
        Diagnosis.of(built.metrics(), evidence, thresholds).forEach(report::finding);
        return new Analysis(report.build(), evidence, thresholds);
    }

    /** The evidence as it stands now. */
    private Evidence evidence() {
        return new Evidence(worstQueue.largestFirst(), worstRpc.largestFirst(), List.copyOf(unfinished),
                worstWaits.largestFirst(), stalest.largestFirst(), mostTruncated.largestFirst(),
                joiner.duplicateExamples(), List.copyOf(malformed), List.copyOf(files));
    }

    /** The report (kind "analysis"), the evidence behind it, and the limits it was judged by. */
    public record Analysis(Report report, Evidence evidence, Thresholds thresholds) {}
}
