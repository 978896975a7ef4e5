package io.weightsync.charts;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.weightsync.analyze.Numbers;
import io.weightsync.core.report.MetricHistograms;
import io.weightsync.core.report.MetricNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * One metric's percentile distributions overlaid, one series per run or mode, on HdrHistogram's usual
 * axes: x is the percentile as 1/(1-p) on a log scale (one decade per "nine": 0%, 90%, 99% ..), y the
 * metric's value in its unit. {@code charts.js} draws it from this record's JSON.
 *
 * <p>The x axis ends where the largest sample stops supporting percentiles: a series of n values
 * reaches its largest value at 100(1 - 1/n)% (83.3% for 6 updates), so its last point (the max) is
 * drawn there rather than stretched flat to 99.999%; {@link #MAX_PERCENTILE} caps it for big samples.
 *
 * @param metric e.g. {@code weights.queue_ms}
 * @param unit {@link MetricNames#unit}: ms, %, steps or empty
 * @param logValues true when the y axis is logarithmic: the data's bulk (from the lowest series' p5
 *     up) is above zero and spans at least a decade, and the largest value is at least
 *     {@link #LOG_VALUES_SPAN} times the smallest (an 8.6 s queue beside a 55 ms one); linear otherwise,
 *     so small spreads and zeros read as they are
 * @param floor on a log axis, the lowest value drawn: a decade below the bulk ({@link #BULK_PERCENTILE}
 *     of the lowest series / 10), when some values lie below it. Inter-token gaps of 0.001-0.005 ms
 *     (chunks that arrived in one read; on a busy host more than 1% of them) beside 30 ms ones would
 *     otherwise stretch the axis five decades down; those are drawn at the floor and the legend shows
 *     their true value. Null when nothing is clamped
 * @param smallest the smallest plotted value, in the unit
 * @param endPercentile the x axis's end, in (0, {@link #MAX_PERCENTILE}]
 * @param series in the order given
 */
record PercentileChart(String metric, String unit, boolean logValues, Double floor, double smallest,
        double endPercentile, List<Series> series) {

    /** The x axis ends at 99.999% at most (1/(1-p) = 10^5). */
    static final double MAX_PERCENTILE = 99.999;

    /** The x axis reaches at least the median, so a one-value sample still has an axis. */
    static final double MIN_END_PERCENTILE = 50;

    /** HdrHistogram's percentile iteration: points per halving of the distance to 100%. */
    static final int TICKS_PER_HALF_DISTANCE = 5;

    /** Largest / smallest value from which the y axis turns logarithmic: two decades. */
    static final double LOG_VALUES_SPAN = 100;

    /** Where the bulk of a series starts; a decade below the lowest series' value here, values are clamped. */
    static final double BULK_PERCENTILE = 5;

    /** The floor sits this factor below the bulk's start: one decade of the lower tail stays visible. */
    static final double FLOOR_BELOW_BULK = 10;

    PercentileChart {
        series = List.copyOf(series);
    }

    /** A point of a distribution: percentile in [0, {@link #endPercentile}], value in the metric's unit. */
    @JsonFormat(shape = JsonFormat.Shape.ARRAY)
    @JsonPropertyOrder({"percentile", "value"})
    record Point(double percentile, double value) {}

    /**
     * One distribution, e.g. {@code before} or the {@code shared} mode.
     *
     * @param count values recorded
     */
    record Series(String label, long count, List<Point> points) {
        Series {
            points = List.copyOf(points);
        }
    }

    /** The chart of {@code metric} with one series per entry of {@code histogramsByLabel}, in its order. */
    static PercentileChart of(String metric, Map<String, Histogram> histogramsByLabel) {
        double scale = MetricHistograms.scaleOf(metric);
        List<Series> series = new ArrayList<>();
        double smallest = Double.POSITIVE_INFINITY;
        double largest = Double.NEGATIVE_INFINITY;
        double bulk = Double.POSITIVE_INFINITY;
        double end = MIN_END_PERCENTILE;
        for (Map.Entry<String, Histogram> e : histogramsByLabel.entrySet()) {
            Histogram h = e.getValue();
            List<Point> points = points(h, metric);
            series.add(new Series(e.getKey(), h.getTotalCount(), points));
            for (Point p : points) {
                smallest = Math.min(smallest, p.value());
                largest = Math.max(largest, p.value());
            }
            if (h.getTotalCount() > 0) {
                bulk = Math.min(bulk, h.getValueAtPercentile(BULK_PERCENTILE) / scale);
                end = Math.max(end, endPercentile(h.getTotalCount()));
            }
        }
        boolean logValues = bulk > 0 && bulk != Double.POSITIVE_INFINITY && largest >= 10 * bulk
                && largest >= LOG_VALUES_SPAN * smallest;
        double floorValue = bulk / FLOOR_BELOW_BULK;
        Double floor = logValues && smallest < floorValue ? floorValue : null;
        return new PercentileChart(metric, MetricNames.unit(metric), logValues, floor,
                smallest == Double.POSITIVE_INFINITY ? 0 : smallest, end, series);
    }

    /** The last percentile {@code count} values support: 100(1 - 1/count), at most {@link #MAX_PERCENTILE}. */
    static double endPercentile(long count) {
        return count <= 0 ? 0 : Math.min(MAX_PERCENTILE, 100.0 * (1 - 1.0 / count));
    }

    /**
     * The distribution of {@code h} by HdrHistogram's percentile iteration, values back in
     * {@code metric}'s unit ({@link MetricHistograms#scaleOf}). Each value is what
     * {@code getValueAtPercentile} gives at that percentile: the highest value equivalent to the
     * recorded one. Percentiles past {@link #endPercentile(long)} are drawn at it, keeping the largest
     * value, so the last point is the max.
     */
    static List<Point> points(Histogram h, String metric) {
        double scale = MetricHistograms.scaleOf(metric);
        double end = endPercentile(h.getTotalCount());
        List<Point> points = new ArrayList<>();
        for (HistogramIterationValue v : h.percentiles(TICKS_PER_HALF_DISTANCE)) {
            double percentile = Math.min(end, v.getPercentileLevelIteratedTo());
            Point point = new Point(percentile, v.getValueIteratedTo() / scale);
            int last = points.size() - 1;
            if (last >= 0 && points.get(last).percentile() == percentile) {
                points.set(last, point);
            } else {
                points.add(point);
            }
        }
        return points;
    }

    /** {@link #html(String, int, String)} without a description. */
    String html(String tag, int index) {
        return html(tag, index, null);
    }

    /**
     * Chart {@code index}'s heading ({@code tag}: h2, h3), {@code description} (plain text, or null), a
     * line saying what is clamped when something is, and the element it is drawn into.
     */
    String html(String tag, int index, String description) {
        StringBuilder html = new StringBuilder("<").append(tag).append(">").append(ChartPage.escape(metric))
                .append(unit.isEmpty() ? "" : " (" + ChartPage.escape(unit) + ")").append("</").append(tag).append(">\n");
        if (description != null) {
            html.append("<p class=\"note\">").append(ChartPage.escape(description)).append("</p>\n");
        }
        if (floor != null) {
            String u = unit.isEmpty() ? "" : " " + ChartPage.escape(unit);
            html.append("<p class=\"note\">Values below ").append(Numbers.reading(floor)).append(u)
                    .append(" (a tenth of the lowest p5) are drawn at ").append(Numbers.reading(floor)).append(u)
                    .append(", so they do not stretch the log axis; the smallest is ").append(Numbers.reading(smallest))
                    .append(u).append(". The legend shows true values.</p>\n");
        }
        return html.append(ChartPage.chart("percentile", index)).toString();
    }
}
