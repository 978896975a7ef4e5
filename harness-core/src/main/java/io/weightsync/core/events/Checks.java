package io.weightsync.core.events;

/** Argument checks shared by the event records; each message names the contract key. */
final class Checks {

    private Checks() {}

    static double finite(String key, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(key + " must be a finite number, was " + value);
        }
        return value;
    }

    /** NaN means "not measured" (the key is left out of the line); infinities are refused. */
    static double finiteOrNaN(String key, double value) {
        if (Double.isInfinite(value)) {
            throw new IllegalArgumentException(key + " must be a finite number or not measured (NaN), was " + value);
        }
        return value;
    }

    static long epochMillis(long epochMillis) {
        if (epochMillis < 0) {
            throw new IllegalArgumentException("t must not be before the epoch, was " + epochMillis + " ms");
        }
        return epochMillis;
    }
}
