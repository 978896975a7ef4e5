package io.weightsync.soak;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Did a resource grow beyond its bound after warm-up? The samples after warm-up are cut into a first
 * and a last window (a quarter of them each, at least {@value #MIN_WINDOW}); each window is summarised
 * by the resource's statistic, and growth = last - first. A least-squares slope over all of them is
 * reported beside it (per hour), for reading, not for the verdict: a soak of minutes cannot tell a
 * slope of a few MiB per hour from noise, a bound on the growth it saw can.
 *
 * @param resource what was checked
 * @param bound largest growth that passes
 * @param first the first window's statistic; NaN when not exposed
 * @param last the last window's statistic
 * @param growth last - first
 * @param slopePerHour least-squares slope of every sample after warm-up, per hour
 * @param samples samples after warm-up with a value
 * @param verdict the outcome
 */
public record GrowthCheck(Resource resource, double bound, double first, double last, double growth,
        double slopePerHour, int samples, Verdict verdict) {

    static final int MIN_WINDOW = 3;

    public enum Verdict {
        PASS("pass"),
        GREW("FAIL: grew beyond the bound"),
        TOO_FEW_SAMPLES("FAIL: too few samples after warm-up (run longer or sample more often)"),
        NOT_EXPOSED("not exposed by this server");

        public final String text;

        Verdict(String text) {
            this.text = text;
        }
    }

    public boolean failed() {
        return verdict == Verdict.GREW || verdict == Verdict.TOO_FEW_SAMPLES;
    }

    /** True when a growth was measured and judged against the bound (PASS or GREW). */
    public boolean measured() {
        return verdict == Verdict.PASS || verdict == Verdict.GREW;
    }

    /** Checks every resource over the samples taken at or after {@code warmupSeconds}. */
    public static List<GrowthCheck> evaluate(List<ResourceSample> samples, double warmupSeconds,
            Map<Resource, Double> bounds) {
        List<GrowthCheck> checks = new ArrayList<>();
        for (Resource r : Resource.values()) {
            List<double[]> points = new ArrayList<>(); // {elapsed s, value}
            boolean exposed = false;
            for (ResourceSample s : samples) {
                double v = s.value(r);
                exposed |= !Double.isNaN(v);
                if (s.elapsedSeconds() >= warmupSeconds && !Double.isNaN(v)) {
                    points.add(new double[] {s.elapsedSeconds(), v});
                }
            }
            double bound = bounds.getOrDefault(r, r.defaultBound);
            checks.add(check(r, bound, points, exposed));
        }
        return checks;
    }

    private static GrowthCheck check(Resource r, double bound, List<double[]> points, boolean exposed) {
        if (!exposed) {
            return new GrowthCheck(r, bound, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, Verdict.NOT_EXPOSED);
        }
        int n = points.size();
        if (n < 2 * MIN_WINDOW) {
            return new GrowthCheck(r, bound, Double.NaN, Double.NaN, Double.NaN, Double.NaN, n, Verdict.TOO_FEW_SAMPLES);
        }
        int window = window(n);
        double first = summarise(r.statistic, points.subList(0, window));
        double last = summarise(r.statistic, points.subList(n - window, n));
        double growth = last - first;
        return new GrowthCheck(r, bound, first, last, growth, slopePerHour(points), n,
                growth <= bound ? Verdict.PASS : Verdict.GREW);
    }

    /**
     * How many samples each of the first and last windows holds, of {@code samplesAfterWarmup}
     * (at least {@code 2 * MIN_WINDOW}): a quarter of them, at least {@value #MIN_WINDOW}.
     */
    public static int window(int samplesAfterWarmup) {
        return Math.max(MIN_WINDOW, samplesAfterWarmup / 4);
    }

    static double summarise(Resource.Statistic statistic, List<double[]> points) {
        double[] values = new double[points.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = points.get(i)[1];
        }
        Arrays.sort(values);
        return switch (statistic) {
            case MIN -> values[0];
            case MEDIAN -> values.length % 2 == 1 ? values[values.length / 2]
                    : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
        };
    }

    static double slopePerHour(List<double[]> points) {
        double meanT = 0;
        double meanV = 0;
        for (double[] p : points) {
            meanT += p[0] / points.size();
            meanV += p[1] / points.size();
        }
        double num = 0;
        double den = 0;
        for (double[] p : points) {
            num += (p[0] - meanT) * (p[1] - meanV);
            den += (p[0] - meanT) * (p[0] - meanT);
        }
        return den == 0 ? 0 : num / den * 3600;
    }
}
