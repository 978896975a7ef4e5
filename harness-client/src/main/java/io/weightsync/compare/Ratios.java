package io.weightsync.compare;

import io.weightsync.analyze.Numbers;
import java.util.Locale;

/** The "ratio" and "change" columns: after / before, and the signed percent change. */
final class Ratios {

    private Ratios() {}

    /** {@code 0.006x}, {@code 155x}; "-" when before is zero or a side is missing. */
    static String ratio(double before, double after) {
        if (Double.isNaN(before) || Double.isNaN(after) || before == 0) {
            return "-";
        }
        double r = after / before;
        return (Math.abs(r) >= 100 ? String.format(Locale.ROOT, "%.0f", r)
                : Math.abs(r) >= 0.1 ? String.format(Locale.ROOT, "%.2f", r)
                : String.format(Locale.ROOT, "%.3g", r)) + "x";
    }

    /** {@code -99.4%}, {@code +12.0%}, {@code 0%}; "-" when before is zero or a side is missing. */
    static String change(double before, double after) {
        if (Double.isNaN(before) || Double.isNaN(after) || before == 0) {
            return before == 0 && after == 0 ? "0%" : "-";
        }
        double pct = (after - before) / Math.abs(before) * 100;
        return pct == 0 ? "0%" : String.format(Locale.ROOT, "%+.1f%%", pct);
    }

    static String value(double v) {
        return Double.isNaN(v) ? "-" : Numbers.reading(v);
    }
}
