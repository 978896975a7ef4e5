package io.weightsync.core.report;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import org.HdrHistogram.Histogram;

/**
 * One metric of report.json: {@code {"count","mean","min","p50","p90","p99","p999","max"}}, in the
 * metric's unit (milliseconds for every {@code *_ms} metric), rounded to three decimals.
 *
 * <p>Percentiles are HdrHistogram's {@code getValueAtPercentile}: the highest value equivalent to the
 * recorded one at 3 significant digits, so within 0.1% of the exact sample. An empty metric has count 0
 * and zeros elsewhere.
 */
@JsonPropertyOrder({"count", "mean", "min", "p50", "p90", "p99", "p999", "max"})
public record MetricSummary(long count, double mean, double min, double p50, double p90, double p99, double p999,
        double max) {

    /** Stat names as {@code --expect} and the comparison tables use them. */
    public static final java.util.List<String> STATS =
            java.util.List.of("count", "mean", "min", "p50", "p90", "p99", "p999", "max");

    /** The summary of {@code metric}'s histogram, recorded with {@link MetricHistograms#record}. */
    public static MetricSummary of(String metric, Histogram h) {
        if (h.getTotalCount() == 0) {
            return new MetricSummary(0, 0, 0, 0, 0, 0, 0, 0);
        }
        int scale = MetricHistograms.scaleOf(metric);
        return new MetricSummary(h.getTotalCount(), unscale(h.getMean(), scale), unscale(h.getMinValue(), scale),
                unscale(h.getValueAtPercentile(50), scale), unscale(h.getValueAtPercentile(90), scale),
                unscale(h.getValueAtPercentile(99), scale), unscale(h.getValueAtPercentile(99.9), scale),
                unscale(h.getMaxValue(), scale));
    }

    /**
     * One stat by name ({@link #STATS}).
     *
     * @throws IllegalArgumentException naming the stat and the known ones
     */
    public double stat(String name) {
        return switch (name) {
            case "count" -> count;
            case "mean" -> mean;
            case "min" -> min;
            case "p50" -> p50;
            case "p90" -> p90;
            case "p99" -> p99;
            case "p999" -> p999;
            case "max" -> max;
            default -> throw new IllegalArgumentException("unknown stat '" + name + "'; known: " + STATS);
        };
    }

    /** To the metric's unit, three decimals at most. */
    private static double unscale(double scaled, int scale) {
        return scale == MetricHistograms.SCALE ? Math.round(scaled) / (double) scale
                : Math.round(scaled / scale * 1000) / 1000.0;
    }
}
