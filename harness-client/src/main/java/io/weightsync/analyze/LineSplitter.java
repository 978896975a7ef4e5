package io.weightsync.analyze;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Cuts a byte stream into lines, fed in pieces of any size: what {@link LogScanner} does to a whole
 * file and what {@code analyze --follow} does to a file that is still growing, so both count and number
 * lines the same way.
 *
 * <p>A line is delivered when its {@code \n} arrives, without the {@code \n} (a {@code \r} before it is
 * left for the parser). The head of a line cut by the end of a piece is held, at most {@code
 * maxLineBytes} of it, until the rest arrives; a line longer than that is counted as oversized and
 * skipped to its end. {@link #finish()} says the stream ended: a held last line without {@code \n} is
 * delivered then. Lines are decoded as ISO-8859-1 (see {@link LogScanner} for why).
 *
 * <p>Line numbers count every line of the stream, oversized ones included, from 1. Not thread-safe.
 */
public final class LineSplitter {

    private final int maxLineBytes;
    private final LogScanner.LineHandler handler;
    /** The head of a line that continues in the next piece; never more than maxLineBytes. */
    private byte[] carry = new byte[1024];
    private int carryLength;
    /** The current line passed maxLineBytes: drop everything up to its \n. */
    private boolean skipping;
    private long bytes;
    private long lines;
    private long oversized;

    public LineSplitter(int maxLineBytes, LogScanner.LineHandler handler) {
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes must be >= 1, was " + maxLineBytes);
        }
        this.maxLineBytes = maxLineBytes;
        this.handler = handler;
    }

    /** Takes {@code buffer[offset, offset + length)}, delivering every line it completes. */
    public void feed(byte[] buffer, int offset, int length) {
        bytes += length;
        int end = offset + length;
        int start = offset;
        for (int i = offset; i < end; i++) {
            if (buffer[i] != '\n') {
                continue;
            }
            if (skipping) {
                skipping = false;
                oversized++;
            } else if (carryLength > 0) {
                if (append(buffer, start, i)) {
                    deliver(carry, 0, carryLength);
                } else { // the held line passed the limit with this piece: its \n is here, so it ends here
                    skipping = false;
                    oversized++;
                }
                carryLength = 0;
            } else if (i - start > maxLineBytes) {
                oversized++;
            } else {
                deliver(buffer, start, i - start);
            }
            start = i + 1;
        }
        if (start < end && !skipping) {
            append(buffer, start, end);
        }
    }

    /** The stream ended: a held line without its {@code \n} is delivered, an oversized one counted. */
    public void finish() {
        if (skipping) {
            skipping = false;
            oversized++;
        } else if (carryLength > 0) {
            deliver(carry, 0, carryLength);
        }
        carryLength = 0;
    }

    /** True while the start of a line waits for its {@code \n}. */
    public boolean holdsPartialLine() {
        return carryLength > 0 || skipping;
    }

    /** Bytes fed so far. */
    public long bytes() {
        return bytes;
    }

    /** Lines delivered so far (oversized ones not included). */
    public long lines() {
        return lines;
    }

    /** Lines longer than the limit, skipped. */
    public long oversizedLines() {
        return oversized;
    }

    /** Adds buffer[from, to) to the held line; false (and skipping) once the line is too long. */
    private boolean append(byte[] buffer, int from, int to) {
        int length = to - from;
        if (carryLength + length > maxLineBytes) {
            carryLength = 0;
            skipping = true;
            return false;
        }
        if (carryLength + length > carry.length) {
            carry = Arrays.copyOf(carry, Math.min(maxLineBytes, Math.max(carry.length * 2, carryLength + length)));
        }
        System.arraycopy(buffer, from, carry, carryLength, length);
        carryLength += length;
        return true;
    }

    private void deliver(byte[] from, int offset, int length) {
        lines++;
        handler.line(new String(from, offset, length, StandardCharsets.ISO_8859_1), lines + oversized);
    }
}
