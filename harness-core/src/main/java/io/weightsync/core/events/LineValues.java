package io.weightsync.core.events;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the values of one event line straight from the line's characters, no substrings on the
 * success path, and collects one problem per bad value instead of throwing.
 *
 * <p>Epoch seconds are turned into millis in integer arithmetic (half up on the fourth decimal);
 * decimals with at most 15 significant digits and 22 decimals take an exact fast path (an exact
 * mantissa divided by an exact power of ten rounds once), anything else goes to {@link
 * Double#parseDouble} after the grammar has been checked, so it cannot throw.
 */
final class LineValues {

    /** 10^0 .. 10^22: every one exactly representable as a double. */
    private static final double[] POWERS_OF_TEN = new double[23];

    static {
        POWERS_OF_TEN[0] = 1.0;
        for (int i = 1; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10.0;
        }
    }

    /** A mantissa below this is exact as a double (< 2^53), so mantissa / 10^k rounds once. */
    private static final long EXACT_MANTISSA_LIMIT = 1_000_000_000_000_000L;

    /** Keeps {@code seconds * 1000 + 999} inside a long (about 31 million years). */
    private static final long MAX_EPOCH_SECONDS = 999_999_999_999_999L;

    /** Bad values are quoted up to this many characters in problems. */
    private static final int QUOTE_LIMIT = 40;

    /** Value of key k (whole numbers and epoch millis), by {@link EventKind#keys()} index. */
    private final long[] longs;
    /** Value of key k (decimals), by {@link EventKind#keys()} index. */
    private final double[] doubles;
    /** Problems in key order; null while there are none. */
    private List<String> problems;

    LineValues(int keyCount) {
        longs = new long[keyCount];
        doubles = new double[keyCount];
    }

    long[] longs() {
        return longs;
    }

    double[] doubles() {
        return doubles;
    }

    boolean hasProblems() {
        return problems != null;
    }

    List<String> problems() {
        return problems == null ? List.of() : problems;
    }

    /** Key k is an optional figure the line left out: not measured, read as NaN (never 0). */
    void notMeasured(int k) {
        doubles[k] = Double.NaN;
    }

    void problem(String problem) {
        if (problems == null) {
            problems = new ArrayList<>(2);
        }
        problems.add(problem);
    }

    /** {@code digits ['.' digits]}: seconds since the epoch, to the nearest millisecond (half up). */
    void readEpochSeconds(int k, String key, String line, int start, int end) {
        int i = start;
        long seconds = 0;
        while (i < end && isDigit(line.charAt(i))) {
            if (seconds > MAX_EPOCH_SECONDS / 10) {
                problem(key + ": " + quote(line, start, end) + " is out of range");
                return;
            }
            seconds = seconds * 10 + (line.charAt(i) - '0');
            i++;
        }
        boolean valid = i > start;
        long millis = 0;
        if (valid && i < end) {
            valid = line.charAt(i) == '.' && i + 1 < end;
            int place = 0;
            for (i++; valid && i < end; i++, place++) {
                char c = line.charAt(i);
                if (!isDigit(c)) {
                    valid = false;
                } else if (place < 3) {
                    millis = millis * 10 + (c - '0');
                } else if (place == 3 && c >= '5') {
                    millis++; // half up; later digits cannot change that
                }
            }
            for (; place < 3; place++) {
                millis *= 10;
            }
        }
        if (!valid) {
            problem(key + ": " + quote(line, start, end) + " is not epoch seconds");
            return;
        }
        longs[k] = seconds * 1000 + millis;
    }

    /** {@code ['-'] digits}. */
    void readWhole(int k, String key, String line, int start, int end) {
        int i = start;
        boolean negative = i < end && line.charAt(i) == '-';
        if (negative) {
            i++;
        }
        if (i >= end) {
            problem(key + ": " + quote(line, start, end) + " is not a whole number");
            return;
        }
        long value = 0;
        for (; i < end; i++) {
            char c = line.charAt(i);
            if (!isDigit(c)) {
                problem(key + ": " + quote(line, start, end) + " is not a whole number");
                return;
            }
            int digit = c - '0';
            if (value > (Long.MAX_VALUE - digit) / 10) {
                problem(key + ": " + quote(line, start, end) + " is out of range");
                return;
            }
            value = value * 10 + digit;
        }
        longs[k] = negative ? -value : value;
    }

    /** {@code ['-'|'+'] digits ['.' digits] [('e'|'E') ['-'|'+'] digits]}; finite only. */
    void readDecimal(int k, String key, String line, int start, int end) {
        int i = start;
        boolean negative = false;
        if (i < end && (line.charAt(i) == '-' || line.charAt(i) == '+')) {
            negative = line.charAt(i) == '-';
            i++;
        }
        long mantissa = 0;
        boolean exact = true;
        int intDigits = 0;
        for (; i < end && isDigit(line.charAt(i)); i++, intDigits++) {
            if (exact) {
                mantissa = mantissa * 10 + (line.charAt(i) - '0');
                exact = mantissa < EXACT_MANTISSA_LIMIT;
            }
        }
        boolean valid = intDigits > 0;
        int fractionDigits = 0;
        if (valid && i < end && line.charAt(i) == '.') {
            for (i++; i < end && isDigit(line.charAt(i)); i++, fractionDigits++) {
                if (exact) {
                    mantissa = mantissa * 10 + (line.charAt(i) - '0');
                    exact = mantissa < EXACT_MANTISSA_LIMIT;
                }
            }
            valid = fractionDigits > 0;
        }
        if (valid && i < end && (line.charAt(i) == 'e' || line.charAt(i) == 'E')) {
            exact = false;
            i++;
            if (i < end && (line.charAt(i) == '-' || line.charAt(i) == '+')) {
                i++;
            }
            int exponentDigits = 0;
            for (; i < end && isDigit(line.charAt(i)); i++) {
                exponentDigits++;
            }
            valid = exponentDigits > 0;
        }
        if (!valid || i != end) {
            problem(key + ": " + quote(line, start, end) + " is not a number");
            return;
        }
        double value;
        if (exact && fractionDigits < POWERS_OF_TEN.length) {
            value = mantissa / POWERS_OF_TEN[fractionDigits]; // both exact: one correct rounding
            value = negative ? -value : value;
        } else {
            value = Double.parseDouble(line.substring(start, end)); // grammar checked: cannot throw
        }
        if (!Double.isFinite(value)) {
            problem(key + ": " + quote(line, start, end) + " is out of range");
            return;
        }
        doubles[k] = value;
    }

    /** The bad value for a problem, cut to a readable length. */
    static String quote(String line, int start, int end) {
        return end - start <= QUOTE_LIMIT
                ? "'" + line.substring(start, end) + "'"
                : "'" + line.substring(start, start + QUOTE_LIMIT) + "...'";
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
