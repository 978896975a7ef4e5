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
}
