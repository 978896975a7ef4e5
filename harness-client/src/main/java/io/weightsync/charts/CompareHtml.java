package io.weightsync.charts;

import io.weightsync.compare.CompareInput;
import io.weightsync.compare.Expectation;
import io.weightsync.core.report.MetricNames;
import io.weightsync.core.report.Report;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.HdrHistogram.Histogram;

/**
 * {@code compare --html}: one self-contained page, laid out as the experiment's: first the verdict
 * (every {@code --expect} as a PASS or FAIL line, then both reports' diagnoses), then the headline chart
 * ({@code weights.queue_ms} when both reports have it), one table of before, after and after/before
 * ({@link MetricTable}), then the before and after percentile distributions overlaid
 * ({@link PercentileChart}) of every other histogram both reports carry: the experiment's metrics first,
 * in {@link ExperimentHtml#PERCENTILE_METRICS} order, then the rest by name. Drawn by uPlot from the
 * page's {@code plot-data} JSON, which holds every plotted point.
 */
public final class CompareHtml {

    private CompareHtml() {}

    /** The page without {@code --expect}s. */
    public static String html(CompareInput.ReportInput before, CompareInput.ReportInput after) {
        return html(before, after, List.of());
    }

    /**
     * The page.
     *
     * @param outcomes the {@code --expect} checks on AFTER, in the order given; empty when none were asked
     */
    public static String html(CompareInput.ReportInput before, CompareInput.ReportInput after,
            List<Expectation.Outcome> outcomes) {
        Set<String> names = new LinkedHashSet<>(ExperimentHtml.PERCENTILE_METRICS);
        names.addAll(new TreeSet<>(before.report().histograms().keySet()));
        List<PercentileChart> charts = new ArrayList<>();
        for (String name : names) {
            if (before.report().histograms().containsKey(name) && after.report().histograms().containsKey(name)) {
                Map<String, Histogram> sides = new LinkedHashMap<>();
                sides.put("before", before.report().histogram(name).orElseThrow());
                sides.put("after", after.report().histogram(name).orElseThrow());
                charts.add(PercentileChart.of(name, sides));
            }
        }
        String beforePath = ChartPage.escape(before.path().toString());
        String afterPath = ChartPage.escape(after.path().toString());
        StringBuilder body = new StringBuilder("<h1>Compare</h1>\n<p>before: ").append(beforePath)
                .append("<br>after: ").append(afterPath).append("</p>\n");

        long failed = outcomes.stream().filter(o -> !o.passed()).count();
        String headline = outcomes.isEmpty() ? "No expectations given (--expect)"
                : failed == 0 ? "Every expectation holds (" + outcomes.size() + ")"
                : failed + " of " + outcomes.size() + " expectations FAIL";
        Verdict.Tone tone = outcomes.isEmpty() ? Verdict.Tone.NEUTRAL : failed == 0 ? Verdict.Tone.PASS : Verdict.Tone.FAIL;
        List<Verdict.Check> checks = outcomes.stream()
                .map(o -> new Verdict.Check(o.passed(), o.expectation().text() + ": " + o.detail())).toList();
        Map<String, Report> diagnoses = new LinkedHashMap<>();
        diagnoses.put("before", before.report());
        diagnoses.put("after", after.report());
        body.append(Verdict.html(headline, tone, checks, diagnoses));

        int next = 0;
        if (!charts.isEmpty() && charts.get(0).metric().equals(MetricNames.WEIGHTS_QUEUE_MS)) {
            body.append(charts.get(0).html("h2", 0));
            next = 1;
        }
        body.append("<h2>Numbers</h2>\n")
                .append(MetricTable.html(List.of("before", "after"), List.of(before.report(), after.report())));
        body.append("<h2>Percentile distributions</h2>\n");
        if (charts.isEmpty()) {
            body.append("<p>The two reports share no histogram.</p>\n");
        }
        for (int i = next; i < charts.size(); i++) {
            body.append(charts.get(i).html("h3", i));
        }
        return ChartPage.render("compare: " + before.path() + " vs " + after.path(), body.toString(),
                new ChartPage.PlotData(charts, List.of()));
    }
}
