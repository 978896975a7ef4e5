package io.weightsync.analyze;

import java.util.Locale;

/** Numbers for people: at most three decimals, no exponent, "-" for unknown. */
public final class Numbers {

    private Numbers() {}

    /** {@code 8584.7}, {@code 55}, {@code 0.125}; "-" for NaN. */
    public static String millis(double value) {
        if (Double.isNaN(value)) {
            return "-";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        String s = String.format(Locale.ROOT, "%.3f", value);
        if (s.indexOf('.') >= 0) {
            s = s.replaceAll("0+$", "");
            if (s.endsWith(".")) {
                s = s.substring(0, s.length() - 1);
            }
        }
        return s.equals("-0") ? "0" : s;
    }

    /**
     * A histogram value for reading: four significant digits, whole numbers from 1000 up ({@code 8593},
     * {@code 840.7}, {@code 55.33}). HdrHistogram values are exact to 0.1% only, so more digits would be
     * noise; report.json keeps the full three decimals.
     */
    public static String reading(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value) || value == 0) {
            return millis(value);
        }
        if (Math.abs(value) >= 1000) {
            return millis(Math.round(value));
        }
        return millis(new java.math.BigDecimal(value).round(new java.math.MathContext(4)).doubleValue());
    }
}
