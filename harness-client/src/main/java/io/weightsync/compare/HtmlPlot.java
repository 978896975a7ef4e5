package io.weightsync.compare;

import io.weightsync.analyze.Numbers;
import io.weightsync.core.report.MetricHistograms;
import io.weightsync.core.report.MetricNames;
import io.weightsync.core.report.Report;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * {@code compare --html}: one self-contained HTML page with, per histogram both reports carry, the
 * before and after percentile distributions overlaid, in HdrHistogram's usual form (x: percentile on a
 * "nines" log scale, 1/(1-p); y: value).
 *
 * <p>Drawn as inline SVG by hand on purpose: the page must open offline (no CDN), and none of the
 * pinned libraries draws charts (Gatling's bundled Highcharts is neither a Maven Central webjar nor
 * free to embed). The plotted points are also embedded as JSON ({@code <script id="plot-data">}) for
 * anyone who wants to re-plot them.
 */
public final class HtmlPlot {

    private static final int WIDTH = 720;
    private static final int HEIGHT = 360;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 20;
    private static final int BOTTOM = 40;
    /** x axis ends at 99.999%: 1/(1-p) = 10^5. */
    private static final double MAX_NINES = 5;
    private static final String[] COLORS = {"#1f77b4", "#ff7f0e"};

    private HtmlPlot() {}

    /** A point of a percentile distribution: p in [0, 100), value in the metric's unit. */
    record Point(double percentile, double value) {}

    public static String html(CompareInput.ReportInput before, CompareInput.ReportInput after) {
        Map<String, List<List<Point>>> plots = new TreeMap<>();
        for (String name : before.report().histograms().keySet()) {
            if (after.report().histograms().containsKey(name)) {
                plots.put(name, List.of(points(before.report(), name), points(after.report(), name)));
            }
        }
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>compare: ")
                .append(escape(before.path().toString())).append(" vs ").append(escape(after.path().toString()))
                .append("</title>\n<style>body{font-family:sans-serif;margin:2em}svg{background:#fff;border:1px solid #ddd}"
                        + " .grid{stroke:#eee} text{font-size:11px}</style>\n</head><body>\n");
        html.append("<h1>Percentile distributions</h1>\n<p><span style=\"color:").append(COLORS[0]).append("\">&#9632; before</span> ")
                .append(escape(before.path().toString())).append("<br><span style=\"color:").append(COLORS[1])
                .append("\">&#9632; after</span> ").append(escape(after.path().toString())).append("</p>\n");
        if (plots.isEmpty()) {
            html.append("<p>The two reports share no histogram.</p>\n");
        }
        plots.forEach((name, sides) -> svg(html, name, sides));
        html.append("<script type=\"application/json\" id=\"plot-data\">\n").append(json(plots)).append("\n</script>\n");
        html.append("</body></html>\n");
        return html.toString();
    }

    static List<Point> points(Report report, String name) {
        Histogram h = report.histogram(name).orElseThrow();
        List<Point> points = new ArrayList<>();
        for (HistogramIterationValue v : h.percentiles(5)) {
            double p = v.getPercentileLevelIteratedTo();
            if (p >= 100) {
                p = 100 - Math.pow(10, -MAX_NINES) * 100;
            }
            points.add(new Point(p, (double) v.getValueIteratedTo() / MetricHistograms.scaleOf(name)));
        }
        return points;
    }

    private static double nines(double percentile) {
        return Math.min(MAX_NINES, Math.log10(1 / (1 - percentile / 100)));
    }

    private static void svg(StringBuilder html, String name, List<List<Point>> sides) {
        double maxValue = 0;
        for (List<Point> side : sides) {
            for (Point p : side) {
                maxValue = Math.max(maxValue, p.value());
            }
        }
        maxValue = maxValue <= 0 ? 1 : maxValue * 1.05;
        double plotWidth = WIDTH - LEFT - RIGHT;
        double plotHeight = HEIGHT - TOP - BOTTOM;
        String unit = MetricNames.unit(name);
        html.append("<h2>").append(escape(name)).append("</h2>\n<svg width=\"").append(WIDTH).append("\" height=\"")
                .append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" role=\"img\" aria-label=\"").append(escape(name)).append("\">\n");
        String[] xLabels = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};
        for (int i = 0; i <= MAX_NINES; i++) {
            double x = LEFT + plotWidth * i / MAX_NINES;
            html.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    x, TOP, x, TOP + plotHeight, x, HEIGHT - BOTTOM + 16, xLabels[i]));
        }
        for (int i = 0; i <= 4; i++) {
            double y = TOP + plotHeight - plotHeight * i / 4;
            html.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT, y, WIDTH - RIGHT, y, LEFT - 6, y + 4, Numbers.millis(round(maxValue * i / 4))));
        }
        html.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>"
                + "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">%s</text>%n",
                LEFT + (int) plotWidth / 2, HEIGHT - 6, TOP + (int) plotHeight / 2, TOP + (int) plotHeight / 2,
                escape(unit.isEmpty() ? "value" : unit)));
        for (int s = 0; s < sides.size(); s++) {
            html.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(COLORS[s]).append("\" points=\"");
            for (Point p : sides.get(s)) {
                double x = LEFT + plotWidth * nines(p.percentile()) / MAX_NINES;
                double y = TOP + plotHeight - plotHeight * p.value() / maxValue;
                html.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            html.append("\"/>\n");
        }
        html.append("</svg>\n");
    }

    private static double round(double v) {
        return v == 0 ? 0 : new java.math.BigDecimal(v).round(new java.math.MathContext(3)).doubleValue();
    }

    private static String json(Map<String, List<List<Point>>> plots) {
        StringBuilder s = new StringBuilder("{");
        plots.forEach((name, sides) -> {
            s.append(s.length() == 1 ? "" : ",\n").append('"').append(name).append("\": {");
            String[] labels = {"before", "after"};
            for (int i = 0; i < sides.size(); i++) {
                s.append(i == 0 ? "" : ", ").append('"').append(labels[i]).append("\": [");
                List<Point> side = sides.get(i);
                for (int j = 0; j < side.size(); j++) {
                    s.append(j == 0 ? "" : ",").append(String.format(Locale.ROOT, "[%s,%s]",
                            Numbers.millis(side.get(j).percentile()), Numbers.millis(side.get(j).value())));
                }
                s.append(']');
            }
            s.append('}');
        });
        return s.append('}').toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
