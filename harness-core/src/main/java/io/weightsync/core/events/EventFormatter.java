package io.weightsync.core.events;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Writes events as the contract's event lines, keys in {@link EventKind#keys()} order.
 *
 * <p>Number forms: {@code t} is epoch seconds with exactly three decimals ({@code t=1764345600.123});
 * durations and {@code trunc_pct} carry at most three decimals, trailing zeros dropped ({@code
 * rpc_ms=55.3}, {@code wall_ms=120}), so they are exact to the microsecond; steps and counts are
 * whole numbers. No exponent notation is ever written.
 */
public final class EventFormatter {

    /** Below this magnitude {@code value * 1000} rounds to the right whole microsecond in a long. */
    private static final double FAST_PATH_LIMIT = 1e12;

    private EventFormatter() {}

    /** The contract line for {@code event}, without prefix or line terminator. */
    public static String format(Event event) {
        StringBuilder line = new StringBuilder(96);
        formatTo(event, line);
        return line.toString();
    }

    /** Appends the contract line for {@code event} to {@code out}. */
    public static void formatTo(Event event, StringBuilder out) {
        EventKind kind = event.kind();
        out.append('[').append(kind.tag()).append(']');
        if (event instanceof WeightsEvent w) {
            out.append('[').append(w.trace()).append(']');
        }
        if (!kind.eventName().isEmpty()) {
            out.append(' ').append(kind.eventName());
        }
        // values in EventKind key order
        if (event instanceof WeightsEvent.ClientSend e) {
            epoch(out, "t", e.epochMillis());
        } else if (event instanceof WeightsEvent.ServerRecv e) {
            epoch(out, "t", e.epochMillis());
        } else if (event instanceof WeightsEvent.RpcStart e) {
            epoch(out, "t", e.epochMillis());
        } else if (event instanceof WeightsEvent.RpcDone e) {
            epoch(out, "t", e.epochMillis());
            decimal(out, "rpc_ms", e.rpcMillis());
        } else if (event instanceof WeightsEvent.ClientDone e) {
            decimal(out, "wall_ms", e.wallMillis());
            optionalDecimal(out, "rpc_ms", e.rpcMillis());
            optionalDecimal(out, "queue_ms", e.queueMillis());
        } else if (event instanceof CkptEvent.WriteDone e) {
            whole(out, "step", e.step());
            decimal(out, "write_ms", e.writeMillis());
        } else if (event instanceof CkptEvent.WaitStart e) {
            whole(out, "target_step", e.targetStep());
        } else if (event instanceof CkptEvent.WaitDone e) {
            whole(out, "target_step", e.targetStep());
            decimal(out, "wait_ms", e.waitMillis());
        } else if (event instanceof GenEvent.BatchStart e) {
            whole(out, "inflight", e.inflight());
            whole(out, "target_batch", e.targetBatch());
        } else if (event instanceof GenEvent.BatchDone e) {
            whole(out, "completions", e.completions());
            decimal(out, "dur_ms", e.durMillis());
            whole(out, "inflight", e.inflight());
        } else if (event instanceof RolloutEvent e) {
            decimal(out, "trunc_pct", e.truncPct());
            whole(out, "current_step", e.currentStep());
            whole(out, "ckpt_step", e.ckptStep());
            whole(out, "staleness", e.staleness());
        } else {
            throw new AssertionError("unhandled event " + event);
        }
    }

    /** Epoch millis as seconds with exactly three decimals. */
    static void appendEpochSeconds(StringBuilder out, long epochMillis) {
        out.append(epochMillis / 1000).append('.');
        appendThreeDigits(out, (int) (epochMillis % 1000));
    }

    /** At most three decimals, trailing zeros dropped, never an exponent. */
    static void appendDecimal(StringBuilder out, double value) {
        if (!(Math.abs(value) < FAST_PATH_LIMIT)) {
            out.append(BigDecimal.valueOf(value).setScale(3, RoundingMode.HALF_UP).stripTrailingZeros()
                    .toPlainString());
            return;
        }
        long thousandths = Math.round(value * 1000.0);
        if (thousandths < 0) {
            out.append('-');
            thousandths = -thousandths;
        }
        out.append(thousandths / 1000);
        int fraction = (int) (thousandths % 1000);
        if (fraction != 0) {
            out.append('.');
            if (fraction % 100 == 0) {
                out.append((char) ('0' + fraction / 100));
            } else if (fraction % 10 == 0) {
                out.append((char) ('0' + fraction / 100)).append((char) ('0' + fraction / 10 % 10));
            } else {
                appendThreeDigits(out, fraction);
            }
        }
    }

    private static void appendThreeDigits(StringBuilder out, int value) {
        out.append((char) ('0' + value / 100))
                .append((char) ('0' + value / 10 % 10))
                .append((char) ('0' + value % 10));
    }

    private static void epoch(StringBuilder out, String key, long epochMillis) {
        out.append(' ').append(key).append('=');
        appendEpochSeconds(out, epochMillis);
    }

    private static void decimal(StringBuilder out, String key, double value) {
        out.append(' ').append(key).append('=');
        appendDecimal(out, value);
    }

    /** Leaves the key out when the figure was not measured (NaN): never a made-up 0. */
    private static void optionalDecimal(StringBuilder out, String key, double value) {
        if (!Double.isNaN(value)) {
            decimal(out, key, value);
        }
    }

    private static void whole(StringBuilder out, String key, long value) {
        out.append(' ').append(key).append('=').append(value);
    }
}
