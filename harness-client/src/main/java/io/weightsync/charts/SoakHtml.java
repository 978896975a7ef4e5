package io.weightsync.charts;

import io.weightsync.soak.GrowthCheck;
import io.weightsync.soak.ResourceSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A soak's {@code report.html}: one self-contained page (uPlot inlined from {@link UPlotAssets}, no URL
 * fetched) that gives the verdict first (the failures, then every growth check with its bound and the
 * growth it measured), then one chart per watched resource over time ({@link TimeSeriesChart}: warm-up
 * shaded, the compared windows and the limit drawn), then the load's throughput. Charts take their
 * container's width, so the page reads on a phone as on a desktop.
 *
 * <p>ChartPage's frame with this page's own style and {@code soak-charts.js}, which draws time series
 * where {@code charts.js} draws percentile charts and timelines.
 */
public final class SoakHtml {

    /** Table rules on the checks table only: uPlot's legend is a table too and keeps its own look. */
    private static final String CSS = "body{font-family:system-ui,sans-serif;margin:1em auto;padding:0 1em;"
            + "max-width:1100px;line-height:1.4}h1{font-size:1.6em}.pass{color:#1a7f37}.fail{color:#cf222e}"
            + ".wide{overflow-x:auto}table.checks{border-collapse:collapse;margin:.5em 0 1.5em}"
            + "table.checks th,table.checks td{border:1px solid #ddd;padding:.25em .6em;text-align:right;"
            + "white-space:nowrap}table.checks th:first-child,table.checks td:first-child{text-align:left}"
            + ".note{color:#555;margin:.2em 0}.chart{width:100%;margin:.5em 0 2em}"
            + "@media (max-width:600px){body{padding:0 .5em}table.checks{font-size:.85em}}";

    /**
     * What the page shows.
     *
     * @param title the page's title, e.g. the results folder's name
     * @param setup one sentence on the run: server, duration, load, sampling, warm-up
     * @param warmupSeconds samples before this were not checked
     * @param samples in time order
     * @param checks one per watched resource, as {@link GrowthCheck#evaluate} made them from {@code samples}
     * @param failures one line per reason the soak failed; empty when it passed
     */
    public record Input(String title, String setup, double warmupSeconds, List<ResourceSample> samples,
            List<GrowthCheck> checks, List<String> failures) {
        public Input {
            Objects.requireNonNull(title, "title");
            Objects.requireNonNull(setup, "setup");
            samples = List.copyOf(samples);
            checks = List.copyOf(checks);
            failures = List.copyOf(failures);
        }
    }

    /** The JSON {@code soak-charts.js} draws: chart {@code i} into {@code id="series-<i>"}. */
    record PlotData(List<TimeSeriesChart> series) {}

    private SoakHtml() {}

    public static String html(Input in) {
        List<TimeSeriesChart> charts = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        boolean passed = in.failures().isEmpty();
        body.append("<h1>").append(ChartPage.escape(in.title())).append(": <span class=\"")
                .append(passed ? "pass\">PASS" : "fail\">FAIL").append("</span></h1>\n");
        if (passed) {
            body.append("<p>Every watched resource stayed within its bound after warm-up; every stream finished and"
                    + " every update succeeded.</p>\n");
        } else {
            body.append("<ul>\n");
            for (String f : in.failures()) {
                body.append("<li class=\"fail\">").append(ChartPage.escape(f)).append("</li>\n");
            }
            body.append("</ul>\n");
        }
        body.append("<p>").append(ChartPage.escape(in.setup())).append("</p>\n");
        checksTable(body, in.checks());

        body.append("<h2>Resources over time</h2>\n<p class=\"note\">x: minutes since the load started. Shaded: warm-up,"
                + " not checked. Where a resource is checked, its first and last windows' statistic is drawn over"
                + " each window, and the limit (first window + bound) the last window had to stay under.</p>\n");
        if (in.samples().isEmpty()) {
            body.append("<p>No sample was taken.</p>\n");
        } else {
            for (GrowthCheck c : in.checks()) {
                String unit = c.resource().unit.isEmpty() ? "" : " (" + c.resource().unit + ")";
                body.append("<h3>").append(ChartPage.escape(c.resource().key + unit)).append("</h3>\n<p class=\"note\">")
                        .append(ChartPage.escape(c.resource().description + ". " + verdictLine(c))).append("</p>\n");
                if (c.verdict() != GrowthCheck.Verdict.NOT_EXPOSED) {
                    body.append(chart(charts.size()));
                    charts.add(TimeSeriesChart.of(c, in.warmupSeconds(), in.samples()));
                }
            }
            body.append("<h2>Load</h2>\n<h3>tokens_per_s</h3>\n<p class=\"note\">completion tokens received per"
                    + " second over each sampling interval (not checked).</p>\n").append(chart(charts.size()));
            charts.add(TimeSeriesChart.of("tokens_per_s", "completion tokens received per second", "tokens/s",
                    in.warmupSeconds(), in.samples(), ResourceSample::tokensPerSecond));
        }
        return ChartPage.render(in.title(), CSS, body.toString(), new PlotData(charts), UPlotAssets.get().soakChartsScript());
    }

    /** Verdict, growth and bound first: on a phone the table scrolls, and they are what it is read for. */
    private static void checksTable(StringBuilder html, List<GrowthCheck> checks) {
        html.append("<div class=\"wide\"><table class=\"checks\">\n<tr><th>resource</th><th>verdict</th>"
                + "<th>growth</th><th>bound</th><th>first window</th><th>last window</th><th>statistic</th></tr>\n");
        for (GrowthCheck c : checks) {
            String unit = c.resource().unit.isEmpty() ? "" : " " + c.resource().unit;
            html.append("<tr><td>").append(ChartPage.escape(c.resource().key)).append("</td><td class=\"")
                    .append(c.failed() ? "fail" : "pass").append("\">").append(ChartPage.escape(c.verdict().text))
                    .append("</td><td>").append(number(c.growth(), unit)).append("</td><td>")
                    .append(number(c.bound(), unit)).append("</td><td>").append(number(c.first(), unit))
                    .append("</td><td>").append(number(c.last(), unit)).append("</td><td>")
                    .append(c.resource().statistic.name().toLowerCase(Locale.ROOT)).append("</td></tr>\n");
        }
        html.append("</table></div>\n");
    }

    /** E.g. "Median of the first window 1839.4 MiB, of the last 1849.1 MiB: growth 9.6 MiB, bound 256.0 MiB: pass". */
    private static String verdictLine(GrowthCheck c) {
        if (!c.measured()) {
            return c.verdict().text + (c.verdict() == GrowthCheck.Verdict.TOO_FEW_SAMPLES
                    ? " (" + c.samples() + " after warm-up)" : "") + ".";
        }
        String unit = c.resource().unit.isEmpty() ? "" : " " + c.resource().unit;
        String statistic = c.resource().statistic.name().toLowerCase(Locale.ROOT);
        return Character.toUpperCase(statistic.charAt(0)) + statistic.substring(1) + " of the first window " + number(c.first(), unit)
                + ", of the last " + number(c.last(), unit) + ": growth " + number(c.growth(), unit) + ", bound "
                + number(c.bound(), unit) + ": " + c.verdict().text + ".";
    }

    private static String number(double v, String unit) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f%s", v, unit);
    }

    private static String chart(int index) {
        return "<div class=\"chart series\" id=\"series-" + index + "\"></div>\n";
    }
}
