package io.weightsync.core.trace;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A 64-bit trace id, written as 16 lowercase hex digits ({@code 3f9a0c21d4e5b6a7}).
 *
 * <p>It ties together the event lines of one weight update across processes: the client's
 * {@code client.send}/{@code client.done} and the server's {@code server.recv}/{@code rpc.*}, and travels
 * in the {@code X-Trace-Id} header. Equality is by value; the text form is always 16 characters,
 * leading zeros kept.
 *
 * @param bits the id's 64 bits
 */
public record TraceId(long bits) {

    /** Characters of the text form. */
    public static final int LENGTH = 16;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** A fresh random id; never all zeros, so a zero id in a log always means "not set". */
    public static TraceId random() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long bits;
        do {
            bits = random.nextLong();
        } while (bits == 0L);
        return new TraceId(bits);
    }

    /**
     * Parses exactly 16 hex digits, either case.
     *
     * @throws IllegalArgumentException naming the value when it is anything else (null, blank, padded,
     *     {@code 0x}-prefixed, too short or too long)
     */
    @JsonCreator
    public static TraceId parse(String text) {
        if (!isValid(text)) {
            throw new IllegalArgumentException(
                    "trace id " + (text == null ? "null" : "'" + text + "'") + " is not " + LENGTH + " hex digits");
        }
        long bits = 0L;
        for (int i = 0; i < LENGTH; i++) {
            bits = (bits << 4) | Character.digit(text.charAt(i), 16);
        }
        return new TraceId(bits);
    }

    /** True when {@code text} is exactly 16 hex digits, either case. */
    public static boolean isValid(String text) {
        if (text == null || text.length() != LENGTH) {
            return false;
        }
        for (int i = 0; i < LENGTH; i++) {
            char c = text.charAt(i);
            boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!hex) {
                return false;
            }
        }
        return true;
    }

    /** The 16 lowercase hex digits. */
    @JsonValue
    @Override
    public String toString() {
        char[] out = new char[LENGTH];
        long rest = bits;
        for (int i = LENGTH - 1; i >= 0; i--) {
            out[i] = HEX[(int) (rest & 0xF)];
            rest >>>= 4;
        }
        return new String(out);
    }
}
