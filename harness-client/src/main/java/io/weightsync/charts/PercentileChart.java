package io.weightsync.charts;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.weightsync.core.report.MetricHistograms;
import io.weightsync.core.report.MetricNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * One metric's percentile distributions overlaid, one series per run or mode, on HdrHistogram's usual
 * axes: x is the percentile as 1/(1-p) on a log scale (one decade per "nine": 0%, 90%, 99% .. 99.999%),
 * y the metric's value in its unit. {@code charts.js} draws it from this record's JSON.
 *
 * @param metric e.g. {@code weights.queue_ms}
 * @param unit {@link MetricNames#unit}: ms, %, steps or empty
 * @param logValues true when the y axis is logarithmic: every plotted value is above zero and the
 *     largest is at least {@link #LOG_VALUES_SPAN} times the smallest (an 8.6 s queue beside a 55 ms
 *     one); linear otherwise, so small spreads and zeros read as they are
 * @param series in the order given
 */
record PercentileChart(String metric, String unit, boolean logValues, List<Series> series) {

    /** The x axis ends at 99.999% (1/(1-p) = 10^5); the 100% point (the max) is drawn there. */
    static final double MAX_PERCENTILE = 99.999;

    /** HdrHistogram's percentile iteration: points per halving of the distance to 100%. */
    static final int TICKS_PER_HALF_DISTANCE = 5;

    /** Largest / smallest value from which the y axis turns logarithmic: two decades. */
    static final double LOG_VALUES_SPAN = 100;

    PercentileChart {
        series = List.copyOf(series);
    }

    /** A point of a distribution: percentile in [0, {@link #MAX_PERCENTILE}], value in the metric's unit. */
    @JsonFormat(shape = JsonFormat.Shape.ARRAY)
    @JsonPropertyOrder({"percentile", "value"})
    record Point(double percentile, double value) {}

    /** One distribution, e.g. {@code before} or the {@code shared} mode. */
    record Series(String label, List<Point> points) {
        Series {
            points = List.copyOf(points);
        }
    }

    /** The chart of {@code metric} with one series per entry of {@code histogramsByLabel}, in its order. */
    static PercentileChart of(String metric, Map<String, Histogram> histogramsByLabel) {
        List<Series> series = new ArrayList<>();
        double smallest = Double.POSITIVE_INFINITY;
        double largest = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, Histogram> e : histogramsByLabel.entrySet()) {
            List<Point> points = points(e.getValue(), metric);
            series.add(new Series(e.getKey(), points));
            for (Point p : points) {
                smallest = Math.min(smallest, p.value());
                largest = Math.max(largest, p.value());
            }
        }
        boolean logValues = smallest > 0 && largest >= smallest * LOG_VALUES_SPAN;
        return new PercentileChart(metric, MetricNames.unit(metric), logValues, series);
    }

    /**
     * The distribution of {@code h} by HdrHistogram's percentile iteration, values back in
     * {@code metric}'s unit ({@link MetricHistograms#scaleOf}). Each value is what
     * {@code getValueAtPercentile} gives at that percentile: the highest value equivalent to the
     * recorded one. Percentiles past {@link #MAX_PERCENTILE} are drawn at it, keeping the largest value.
     */
    static List<Point> points(Histogram h, String metric) {
        double scale = MetricHistograms.scaleOf(metric);
        List<Point> points = new ArrayList<>();
        for (HistogramIterationValue v : h.percentiles(TICKS_PER_HALF_DISTANCE)) {
            double percentile = Math.min(MAX_PERCENTILE, v.getPercentileLevelIteratedTo());
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
}
