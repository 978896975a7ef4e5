package io.weightsync.charts;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.weightsync.soak.GrowthCheck;
import io.weightsync.soak.ResourceSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * One value of a soak over time, x in minutes since the load started: every sample (warm-up
 * included, drawn shaded), and where a {@link GrowthCheck} judged it, what the check compared: the
 * first and the last window's statistic over the samples of each window, and the limit the last
 * window had to stay under (first + bound) from the end of warm-up on. {@code soak-charts.js} draws
 * it from this record's JSON.
 *
 * @param key the value's name in soak.json and samples.csv, e.g. {@code rss_mib}
 * @param description what it is, in a few words
 * @param unit MiB, tokens/s, or empty for counts
 * @param warmupMinutes samples before this were not checked
 * @param points in time order; a sample without the value has a null value
 * @param check null when the value is not checked or the check could not measure a growth
 */
record TimeSeriesChart(String key, String description, String unit, double warmupMinutes, List<Point> points,
        Check check) {

    TimeSeriesChart {
        points = List.copyOf(points);
    }

    /** One sample: minutes since the start, the value (null where the server did not expose it). */
    @JsonFormat(shape = JsonFormat.Shape.ARRAY)
    @JsonPropertyOrder({"minutes", "value"})
    record Point(double minutes, Double value) {}

    /**
     * What the growth check compared, in the value's unit.
     *
     * @param statistic how each window was summarised: median or min
     * @param firstFromMinutes first and last sample of the first window (minutes), likewise the last
     * @param limit first + bound: the last window's statistic passes at or below it
     * @param passed growth at or below the bound
     */
    record Check(String statistic, double bound, double first, double last, double growth, double limit,
            boolean passed, double firstFromMinutes, double firstToMinutes, double lastFromMinutes,
            double lastToMinutes) {}

    /** A value with no check (e.g. the load's throughput). */
    static TimeSeriesChart of(String key, String description, String unit, double warmupSeconds,
            List<ResourceSample> samples, ToDoubleFunction<ResourceSample> value) {
        return new TimeSeriesChart(key, description, unit, warmupSeconds / 60, points(samples, value), null);
    }

    /** A checked resource: its samples and what {@code check} compared. */
    static TimeSeriesChart of(GrowthCheck check, double warmupSeconds, List<ResourceSample> samples) {
        ToDoubleFunction<ResourceSample> value = s -> s.value(check.resource());
        List<Point> points = points(samples, value);
        return new TimeSeriesChart(check.resource().key, check.resource().description, check.resource().unit,
                warmupSeconds / 60, points, check(check, warmupSeconds, samples, value));
    }

    private static List<Point> points(List<ResourceSample> samples, ToDoubleFunction<ResourceSample> value) {
        List<Point> points = new ArrayList<>();
        for (ResourceSample s : samples) {
            double v = value.applyAsDouble(s);
            points.add(new Point(s.elapsedSeconds() / 60, Double.isNaN(v) || Double.isInfinite(v) ? null : v));
        }
        return points;
    }

    /**
     * The windows as {@link GrowthCheck#evaluate} cut them: the samples at or after warm-up that have
     * a value, the first and last {@link GrowthCheck#window} of them.
     */
    private static Check check(GrowthCheck check, double warmupSeconds, List<ResourceSample> samples,
            ToDoubleFunction<ResourceSample> value) {
        if (!check.measured()) {
            return null;
        }
        List<Double> minutes = new ArrayList<>();
        for (ResourceSample s : samples) {
            if (s.elapsedSeconds() >= warmupSeconds && !Double.isNaN(value.applyAsDouble(s))) {
                minutes.add(s.elapsedSeconds() / 60);
            }
        }
        int n = minutes.size();
        int window = GrowthCheck.window(n);
        if (n != check.samples() || n < window) {
            throw new IllegalArgumentException(check.resource().key + ": the check counted " + check.samples()
                    + " samples after warm-up, these samples have " + n + " (not the samples it was made from?)");
        }
        return new Check(check.resource().statistic.name().toLowerCase(Locale.ROOT), check.bound(), check.first(),
                check.last(), check.growth(), check.first() + check.bound(), check.verdict() == GrowthCheck.Verdict.PASS,
                minutes.get(0), minutes.get(window - 1), minutes.get(n - window), minutes.get(n - 1));
    }
}
