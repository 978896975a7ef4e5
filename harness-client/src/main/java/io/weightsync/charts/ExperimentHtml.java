package io.weightsync.charts;

import static io.weightsync.core.report.MetricNames.GEN_STALL_MS;
import static io.weightsync.core.report.MetricNames.STREAM_E2E_MS;
import static io.weightsync.core.report.MetricNames.STREAM_ITL_MS;
import static io.weightsync.core.report.MetricNames.STREAM_TTFT_MS;
import static io.weightsync.core.report.MetricNames.WEIGHTS_QUEUE_MS;
import static io.weightsync.core.report.MetricNames.WEIGHTS_RECV_GAP_MS;
import static io.weightsync.core.report.MetricNames.WEIGHTS_RPC_MS;
import static io.weightsync.core.report.MetricNames.WEIGHTS_WALL_MS;

import io.weightsync.analyze.Numbers;
import io.weightsync.core.report.MetricNames;
import io.weightsync.core.report.MetricSummary;
import io.weightsync.core.report.Report;
import io.weightsync.experiment.ModeResult;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * The experiment's {@code report.html}: one self-contained page that sets its modes (e.g. shared
 * against dedicated) side by side.
 *
 * <ol>
 *   <li>per mode, a header table: its counters and the p50/p99 of {@link #HEADER_METRICS};
 *   <li>per metric of {@link #PERCENTILE_METRICS} that at least one mode's report has a histogram of,
 *       the modes' percentile distributions overlaid ({@link PercentileChart});
 *   <li>per mode, its token throughput over time with every update's phases drawn over it
 *       ({@link Timeline}).
 * </ol>
 *
 * <p>Charts are drawn by uPlot from the page's {@code plot-data} JSON, which holds every plotted point.
 */
public final class ExperimentHtml {

    /** The percentile charts, in page order: the queue first, as it is what the experiment is about. */
    static final List<String> PERCENTILE_METRICS = List.of(WEIGHTS_QUEUE_MS, WEIGHTS_RECV_GAP_MS, WEIGHTS_WALL_MS,
            WEIGHTS_RPC_MS, STREAM_TTFT_MS, STREAM_ITL_MS, STREAM_E2E_MS, GEN_STALL_MS);

    /** The counters of a mode's header table. */
    static final List<String> HEADER_COUNTERS = List.of("updates", "requests", "errors");

    /** The metrics whose p50 and p99 a mode's header table shows. */
    static final List<String> HEADER_METRICS = List.of(WEIGHTS_QUEUE_MS, WEIGHTS_RPC_MS, WEIGHTS_RECV_GAP_MS,
            STREAM_ITL_MS);

    private ExperimentHtml() {}

    /**
     * The page.
     *
     * @param title the page's title and heading, e.g. the experiment's name
     * @param modes in the order they are shown; names must differ
     * @throws IllegalArgumentException when {@code modes} is empty or two modes share a name
     */
    public static String html(String title, List<ModeResult> modes) {
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

        StringBuilder body = new StringBuilder("<h1>").append(ChartPage.escape(title)).append("</h1>\n");
        body.append("<h2>Modes</h2>\n");
        for (ModeResult m : modes) {
            headerTable(body, m);
        }
        body.append("<h2>Percentile distributions</h2>\n");
        if (percentiles.isEmpty()) {
            body.append("<p>No mode's report has a histogram of ").append(String.join(", ", PERCENTILE_METRICS))
                    .append(".</p>\n");
        }
        for (int i = 0; i < percentiles.size(); i++) {
            PercentileChart c = percentiles.get(i);
            body.append("<h3>").append(ChartPage.escape(c.metric())).append(c.unit().isEmpty() ? "" : " (" + c.unit() + ")")
                    .append("</h3>\n").append(ChartPage.chart("percentile", i));
        }
        body.append("<h2>Throughput and updates</h2>\n<p>Tokens per second received; each update's phases behind "
                + "the line: queue (send to recv), front end (recv to rpc.start), engine load (rpc.start to rpc.done), "
                + "response (rpc.done to done), or the whole update where a phase was not seen. A failed update is "
                + "outlined, dashed. Click a legend entry to hide it.</p>\n");
        for (int i = 0; i < timelines.size(); i++) {
            body.append("<h3>").append(ChartPage.escape(timelines.get(i).mode())).append("</h3>\n")
                    .append(ChartPage.chart("timeline", i));
        }
        return ChartPage.render(title, body.toString(), new ChartPage.PlotData(percentiles, timelines));
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

    /** One row: the mode, its counters, then p50 and p99 of each header metric; "-" where absent or empty. */
    private static void headerTable(StringBuilder html, ModeResult m) {
        html.append("<table class=\"mode\">\n<tr><th>mode</th>");
        for (String c : HEADER_COUNTERS) {
            html.append("<th>").append(c).append("</th>");
        }
        for (String metric : HEADER_METRICS) {
            String unit = MetricNames.unit(metric);
            html.append("<th>").append(metric).append(" p50 (").append(unit).append(")</th><th>").append(metric)
                    .append(" p99 (").append(unit).append(")</th>");
        }
        Report r = m.report();
        html.append("</tr>\n<tr><td>").append(ChartPage.escape(m.mode())).append("</td>");
        for (String c : HEADER_COUNTERS) {
            Long count = r.counters().get(c);
            html.append("<td>").append(count == null ? "-" : count.toString()).append("</td>");
        }
        for (String metric : HEADER_METRICS) {
            Optional<MetricSummary> s = Optional.ofNullable(r.metrics().get(metric)).filter(x -> x.count() > 0);
            html.append("<td>").append(s.map(x -> Numbers.reading(x.p50())).orElse("-")).append("</td><td>")
                    .append(s.map(x -> Numbers.reading(x.p99())).orElse("-")).append("</td>");
        }
        html.append("</tr>\n</table>\n");
    }
}
