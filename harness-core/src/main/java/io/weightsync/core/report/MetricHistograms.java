package io.weightsync.core.report;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * The one convention for every metric histogram of a report: values are recorded in <b>thousandths
 * of the metric's unit</b> ({@link #SCALE}), so a {@code *_ms} histogram counts microseconds and keeps
 * sub-millisecond precision and {@code rollout.trunc_pct} counts milli-percent; whole-number metrics
 * ({@code rollout.staleness}, in steps) are recorded as they are, so they read back exactly (a
 * histogram bucket is 1 wide below 2048). Three significant digits, auto-resizing, so no range has to
 * be guessed up front. {@link #scaleOf} says which scale a metric uses.
 *
 * <p>HdrHistogram's {@code Histogram} is not thread-safe: one recording thread per histogram (or a
 * {@code Recorder}), as usual.
 */
public final class MetricHistograms {

    /** Histogram value = metric value x SCALE (e.g. microseconds for a milliseconds metric). */
    public static final int SCALE = 1000;

    /** Whole-number metrics, recorded unscaled. */
    private static final java.util.Set<String> WHOLE_NUMBERS = java.util.Set.of(MetricNames.ROLLOUT_STALENESS);

    /** Significant decimal digits kept: values are exact to 0.1% of their magnitude. */
    public static final int SIGNIFICANT_DIGITS = 3;

    private MetricHistograms() {}

    /** An empty, auto-resizing histogram for one metric. */
    public static Histogram create() {
        return new Histogram(SIGNIFICANT_DIGITS);
    }

    /** Histogram value per unit of {@code metric}: 1 for whole-number metrics, else {@link #SCALE}. */
    public static int scaleOf(String metric) {
        return WHOLE_NUMBERS.contains(metric) ? 1 : SCALE;
    }

    /**
     * Records {@code value} of {@code metric} (in the metric's unit, e.g. milliseconds).
     *
     * @throws IllegalArgumentException when the value is negative or not finite (HdrHistogram cannot
     *     hold it; callers decide what a negative duration means, e.g. clock skew)
     */
    public static void record(Histogram histogram, String metric, double value) {
        if (!(value >= 0.0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(metric + " value must be finite and >= 0, was " + value);
        }
        histogram.recordValue(Math.round(value * scaleOf(metric)));
    }

    /** Base64 of HdrHistogram's compressed encoding ({@code encodeIntoCompressedByteBuffer}). */
    public static String encode(Histogram histogram) {
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
    }

    /**
     * Reads back what {@link #encode} wrote (or any compressed HdrHistogram in base64).
     *
     * @throws IllegalArgumentException naming the defect when the text is not one
     */
    public static Histogram decode(String base64) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("histogram is not base64: " + e.getMessage(), e);
        }
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0);
        } catch (DataFormatException | RuntimeException e) {
            throw new IllegalArgumentException("histogram is not a compressed HdrHistogram: " + e, e);
        }
    }
}
