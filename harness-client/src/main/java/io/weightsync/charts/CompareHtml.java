package io.weightsync.charts;

import io.weightsync.compare.CompareInput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.HdrHistogram.Histogram;

/**
 * {@code compare --html}: one self-contained page with, per histogram both reports carry (by name),
 * the before and after percentile distributions overlaid ({@link PercentileChart}), drawn by uPlot
 * from the page's {@code plot-data} JSON, which holds every plotted point.
 */
public final class CompareHtml {

    private CompareHtml() {}

    public static String html(CompareInput.ReportInput before, CompareInput.ReportInput after) {
        List<PercentileChart> charts = new ArrayList<>();
        for (String name : new TreeSet<>(before.report().histograms().keySet())) {
            if (after.report().histograms().containsKey(name)) {
                Map<String, Histogram> sides = new LinkedHashMap<>();
                sides.put("before", before.report().histogram(name).orElseThrow());
                sides.put("after", after.report().histogram(name).orElseThrow());
                charts.add(PercentileChart.of(name, sides));
            }
        }
        String beforePath = ChartPage.escape(before.path().toString());
        String afterPath = ChartPage.escape(after.path().toString());
        StringBuilder body = new StringBuilder("<h1>Percentile distributions</h1>\n<p>before: ").append(beforePath)
                .append("<br>after: ").append(afterPath).append("</p>\n");
        if (charts.isEmpty()) {
            body.append("<p>The two reports share no histogram.</p>\n");
        }
        for (int i = 0; i < charts.size(); i++) {
            body.append("<h2>").append(ChartPage.escape(charts.get(i).metric())).append("</h2>\n")
                    .append(ChartPage.chart("percentile", i));
        }
        return ChartPage.render("compare: " + before.path() + " vs " + after.path(), body.toString(),
                new ChartPage.PlotData(charts, List.of()));
    }
}
