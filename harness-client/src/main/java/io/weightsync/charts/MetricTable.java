package io.weightsync.charts;

import io.weightsync.analyze.Numbers;
import io.weightsync.core.report.MetricNames;
import io.weightsync.core.report.Report;
import io.weightsync.experiment.ResultTable;
import io.weightsync.experiment.Signature;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * A page's one table of numbers: metrics as rows, the runs (modes, or before and after) as columns, and
 * with two runs a last column {@code second/first} ({@link ResultTable#ratio}). The rows are the ones
 * {@code ./harness experiment} prints ({@link ResultTable#ROWS}, then its counters and tokens/s), kept
 * where at least one report has a value; reports that have none of those (a Gatling run, say) get p50
 * and p99 of every metric they carry. Cells read "-" where a report lacks the value. A unit follows
 * the metric's name unless the name already ends in it ({@code weights.queue_ms}).
 */
final class MetricTable {

    private record Line(String metric, String stat, String unit, String[] cells, String ratio) {}

    private MetricTable() {}

    /**
     * The table, inside a {@code div.table-wrap} that scrolls sideways on its own when the page is narrower.
     *
     * @param columns one heading per report, e.g. the mode
     * @param reports in column order
     */
    static String html(List<String> columns, List<Report> reports) {
        if (columns.size() != reports.size()) {
            throw new IllegalArgumentException(columns.size() + " columns for " + reports.size() + " reports");
        }
        boolean pair = reports.size() == 2;
        List<Line> lines = new ArrayList<>();
        for (ResultTable.Row row : ResultTable.ROWS) {
            addIfAny(lines, reports, row.metric(), row.stat(), pair);
        }
        if (lines.isEmpty()) {
            TreeSet<String> metrics = new TreeSet<>();
            reports.forEach(r -> metrics.addAll(r.metrics().keySet()));
            for (String metric : metrics) {
                addIfAny(lines, reports, metric, "p50", pair);
                addIfAny(lines, reports, metric, "p99", pair);
            }
        }
        for (String counter : ResultTable.COUNTERS) {
            String[] cells = new String[reports.size()];
            boolean any = false;
            for (int i = 0; i < cells.length; i++) {
                Long n = reports.get(i).counters().get(counter);
                any |= n != null;
                cells[i] = n == null ? "-" : n.toString();
            }
            if (any) {
                lines.add(new Line(counter, "", "", cells, ""));
            }
        }
        String[] tps = new String[reports.size()];
        boolean anyTps = false;
        for (int i = 0; i < tps.length; i++) {
            double v = ResultTable.tokensPerSecond(reports.get(i));
            anyTps |= !Double.isNaN(v);
            tps[i] = Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f", v);
        }
        if (anyTps) {
            lines.add(new Line("tokens received", "", "tokens/s", tps, ""));
        }

        StringBuilder html = new StringBuilder("<div class=\"table-wrap\"><table class=\"data\">\n<thead><tr>"
                + "<th>metric</th><th>stat</th>");
        columns.forEach(c -> html.append("<th class=\"num\">").append(ChartPage.escape(c)).append("</th>"));
        if (pair) {
            html.append("<th class=\"num\">").append(ChartPage.escape(columns.get(1))).append("/<wbr>")
                    .append(ChartPage.escape(columns.get(0))).append("</th>");
        }
        html.append("</tr></thead>\n<tbody>\n");
        for (Line l : lines) {
            // a narrow screen may break a name after a dot (weights.<wbr>recv_gap_ms) rather than scroll
            html.append("<tr><td>").append(ChartPage.escape(l.metric()).replace(".", ".<wbr>"))
                    .append(l.unit().isEmpty() || l.metric().endsWith("_" + l.unit()) ? ""
                            : " <span class=\"unit\">" + ChartPage.escape(l.unit()) + "</span>")
                    .append("</td><td>").append(l.stat()).append("</td>");
            for (String c : l.cells()) {
                html.append("<td class=\"num\">").append(c).append("</td>");
            }
            if (pair) {
                html.append("<td class=\"num\">").append(l.ratio()).append("</td>");
            }
            html.append("</tr>\n");
        }
        return html.append("</tbody></table></div>\n").toString();
    }

    private static void addIfAny(List<Line> lines, List<Report> reports, String metric, String stat, boolean pair) {
        double[] values = new double[reports.size()];
        boolean any = false;
        for (int i = 0; i < values.length; i++) {
            values[i] = Signature.stat(reports.get(i), metric, stat);
            any |= !Double.isNaN(values[i]);
        }
        if (!any) {
            return;
        }
        String[] cells = new String[values.length];
        for (int i = 0; i < values.length; i++) {
            cells[i] = Numbers.reading(values[i]);
        }
        lines.add(new Line(metric, stat, MetricNames.unit(metric), cells, pair ? ResultTable.ratio(values[0], values[1]) : ""));
    }
}
