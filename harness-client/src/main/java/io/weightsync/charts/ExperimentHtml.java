package io.weightsync.charts;

import static io.weightsync.core.report.MetricNames.GEN_STALL_MS;
import static io.weightsync.core.report.MetricNames.STREAM_E2E_MS;
import static io.weightsync.core.report.MetricNames.STREAM_ITL_MS;
import static io.weightsync.core.report.MetricNames.STREAM_TTFT_MS;
import static io.weightsync.core.report.MetricNames.WEIGHTS_QUEUE_MS;
import static io.weightsync.core.report.MetricNames.WEIGHTS_RECV_GAP_MS;
import static io.weightsync.core.report.MetricNames.WEIGHTS_RPC_MS;
import static io.weightsync.core.report.MetricNames.WEIGHTS_WALL_MS;

import io.weightsync.core.report.Report;
import io.weightsync.experiment.ModeResult;
import io.weightsync.experiment.Signature;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * The experiment's {@code report.html}: one self-contained page that sets its modes (e.g. shared
 * against dedicated) side by side, in the order a reader asks:
 *
 * <ol>
 *   <li>the verdict ({@link Verdict}): signature reproduced or not, each signature check as a PASS or
 *       FAIL line, then each mode's diagnosis with its evidence;
 *   <li>the headline chart: {@code weights.queue_ms}'s percentile distribution per mode, overlaid;
 *   <li>one table ({@link MetricTable}): the numbers {@code ./harness experiment} prints, metrics as
 *       rows and modes as columns;
 *   <li>the other metrics of {@link #PERCENTILE_METRICS} that at least one mode's report has a
 *       histogram of ({@link PercentileChart});
 *   <li>per mode, its token throughput over time with every update's phases drawn over it
 *       ({@link Timeline}), all on one x range and one y scale.
 * </ol>
 *
 * <p>Charts are drawn by uPlot from the page's {@code plot-data} JSON, which holds every plotted point.
 */
public final class ExperimentHtml {

    /** The percentile charts, in page order: the queue first (the headline), as it is what the experiment is about. */
    static final List<String> PERCENTILE_METRICS = List.of(WEIGHTS_QUEUE_MS, WEIGHTS_RECV_GAP_MS, WEIGHTS_WALL_MS,
            WEIGHTS_RPC_MS, STREAM_TTFT_MS, STREAM_ITL_MS, STREAM_E2E_MS, GEN_STALL_MS);

    private ExperimentHtml() {}

    /**
     * The page of a run that went to the end, its signature judged on {@code modes}
     * ({@link Signature#checks}).
     */
    public static String html(String title, List<ModeResult> modes) {
        return html(title, modes, Signature.checks(modes), null);
    }

    /**
     * The page.
     *
     * @param title the page's title and heading, e.g. the experiment's name
     * @param modes in the order they are shown; names must differ
     * @param checks the signature checks ({@link Signature#checks}); empty when none were judged
     * @param partial why the run stopped early; null when it ran to the end
     * @throws IllegalArgumentException when {@code modes} is empty or two modes share a name
     */
    public static String html(String title, List<ModeResult> modes, List<Signature.Check> checks, String partial) {
        Objects.requireNonNull(title, "title");
        if (modes.isEmpty()) {
            throw new IllegalArgumentException("modes is empty: an experiment page needs at least one mode");
        }
        Set<String> names = new HashSet<>();
        for (ModeResult m : modes) {
            if (!names.add(m.mode())) {
                throw new IllegalArgumentException("mode '" + m.mode() + "' appears twice");
            }
        }
        List<PercentileChart> percentiles = percentileCharts(modes);
        List<Timeline> timelines = new ArrayList<>();
        for (ModeResult m : modes) {
            timelines.add(Timeline.of(m));
        }
        timelines = Timeline.onCommonAxes(timelines);

        StringBuilder body = new StringBuilder("<h1>").append(ChartPage.escape(title)).append("</h1>\n");
        body.append(verdict(modes, checks, partial));

        int next = 0;
        if (!percentiles.isEmpty() && percentiles.get(0).metric().equals(WEIGHTS_QUEUE_MS)) {
            body.append(percentiles.get(0).html("h2", 0, "How long each update waited outside the engine "
                    + "(wall_ms - rpc_ms): the client's queue, the network, the server's front end."));
            next = 1;
        }
        body.append("<h2>Modes</h2>\n").append(MetricTable.html(modes.stream().map(ModeResult::mode).toList(),
                modes.stream().map(ModeResult::report).toList()));

        body.append("<h2>Percentile distributions</h2>\n");
        if (percentiles.isEmpty()) {
            body.append("<p>No mode's report has a histogram of ").append(String.join(", ", PERCENTILE_METRICS))
                    .append(".</p>\n");
        }
        for (int i = next; i < percentiles.size(); i++) {
            body.append(percentiles.get(i).html("h3", i));
        }
        body.append("<h2>Throughput and updates</h2>\n<p>Tokens per second received, over the seconds since the "
                + "mode's first throughput sample, on one scale for every mode; "
                + "behind the line each update has a row of its own (the first at the top) with its phases: queue "
                + "(send to recv), front end (recv to rpc.start), engine load (rpc.start to rpc.done), response "
                + "(rpc.done to done), or the whole update where a phase was not seen. A phase is drawn at least "
                + "3 px wide; point at it for its true length. A failed update is outlined, dashed. Click a legend "
                + "entry to hide it.</p>\n");
        for (int i = 0; i < timelines.size(); i++) {
            body.append("<h3>").append(ChartPage.escape(timelines.get(i).mode())).append("</h3>\n")
                    .append(ChartPage.chart("timeline", i));
        }
        return ChartPage.render(title, body.toString(), new ChartPage.PlotData(percentiles, timelines));
    }

    /** The headline says what SUMMARY.md's title says: reproduced, NOT reproduced, stopped early, or nothing checked. */
    private static String verdict(List<ModeResult> modes, List<Signature.Check> checks, String partial) {
        String headline;
        Verdict.Tone tone;
        if (partial != null) {
            headline = "Stopped early: " + partial + ". The numbers cover the time until then; later modes did not run.";
            tone = Verdict.Tone.NEUTRAL;
        } else if (checks.isEmpty()) {
            headline = "No signature to check (it needs the shared and dedicated modes)";
            tone = Verdict.Tone.NEUTRAL;
        } else {
            String v = Signature.verdict(checks);
            headline = Character.toUpperCase(v.charAt(0)) + v.substring(1);
            tone = switch (Signature.overall(checks)) {
                case PASS -> Verdict.Tone.PASS;
                case FAIL -> Verdict.Tone.FAIL;
                case NOT_MEASURED -> Verdict.Tone.NEUTRAL;
            };
        }
        List<Verdict.Check> lines = checks.stream()
                .map(c -> new Verdict.Check(mark(c.outcome()), c.mode() + ": " + c.expectation() + ": " + c.measured()))
                .toList();
        Map<String, Report> diagnoses = new LinkedHashMap<>();
        modes.forEach(m -> diagnoses.put(m.mode(), m.report()));
        return Verdict.html(headline, tone, lines, diagnoses);
    }

    private static Verdict.Mark mark(Signature.Outcome outcome) {
        return switch (outcome) {
            case PASS -> Verdict.Mark.PASS;
            case FAIL -> Verdict.Mark.FAIL;
            case NOT_MEASURED -> Verdict.Mark.NOT_MEASURED;
        };
    }

    private static List<PercentileChart> percentileCharts(List<ModeResult> modes) {
        List<PercentileChart> charts = new ArrayList<>();
        for (String metric : PERCENTILE_METRICS) {
            Map<String, Histogram> byMode = new LinkedHashMap<>();
            for (ModeResult m : modes) {
                m.report().histogram(metric).ifPresent(h -> byMode.put(m.mode(), h));
            }
            if (!byMode.isEmpty()) {
                charts.add(PercentileChart.of(metric, byMode));
            }
        }
        return charts;
    }
}
