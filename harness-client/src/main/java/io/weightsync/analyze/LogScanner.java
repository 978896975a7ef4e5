package io.weightsync.analyze;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Streams the lines of a log file, plain or gzip (detected by its magic bytes, not its name), in
 * constant memory: one read buffer and at most {@code maxLineBytes} of a line that spans two reads.
 *
 * <p>Lines are decoded as ISO-8859-1: every byte becomes one char, which is a plain array copy. Event
 * lines are ASCII, and in UTF-8 every byte of a multi-byte character is >= 0x80, so a non-ASCII log
 * prefix can never fake a {@code [} or a digit; only that prefix's text comes out garbled, and it is
 * never read. Line ends are {@code \n}; a {@code \r} before it is left for the parser, which ignores it.
 *
 * <p>What real logs do to a reader, and what happens: a last line without {@code \n} (a log still
 * being written) is delivered; a line longer than {@code maxLineBytes} (a dumped tensor, a binary blob)
 * is counted as oversized and skipped to its end; a truncated gzip (copied mid-write) ends the file
 * with its lines so far delivered and {@link FileStats#error()} saying so.
 */
public final class LogScanner {

    /** Event lines are ~100 bytes; nothing useful is longer than this. */
    public static final int DEFAULT_MAX_LINE_BYTES = 64 * 1024;

    private static final int READ_BUFFER_BYTES = 256 * 1024;

    /** Receives each line, without its terminator. */
    @FunctionalInterface
    public interface LineHandler {
        void line(String line, long lineNumber);
    }

    /**
     * What one file held.
     *
     * @param bytes bytes of log text read (after gunzip)
     * @param lines lines delivered (oversized ones not included)
     * @param oversizedLines lines longer than the limit, skipped
     * @param error why the file ended early, or null when it was read to its end
     */
    public record FileStats(Path file, boolean gzip, long bytes, long lines, long oversizedLines, String error) {}

    private final int maxLineBytes;

    public LogScanner(int maxLineBytes) {
        if (maxLineBytes < 256) {
            throw new IllegalArgumentException("maxLineBytes must be >= 256, was " + maxLineBytes);
        }
        this.maxLineBytes = maxLineBytes;
    }

    public LogScanner() {
        this(DEFAULT_MAX_LINE_BYTES);
    }

    /**
     * Reads {@code file} to its end, handing every line to {@code handler}.
     *
     * @throws IOException when the file cannot be opened or read (not for a truncated gzip)
     */
    public FileStats scan(Path file, LineHandler handler) throws IOException {
        try (PushbackInputStream raw = new PushbackInputStream(Files.newInputStream(file), 2)) {
            boolean gzip = isGzip(raw);
            InputStream in = gzip ? new GZIPInputStream(raw, READ_BUFFER_BYTES) : raw;
            return new Reader(file, gzip, handler).readAll(in);
        }
    }

    private static boolean isGzip(PushbackInputStream in) throws IOException {
        byte[] magic = new byte[2];
        int n = in.readNBytes(magic, 0, 2);
        if (n > 0) {
            in.unread(magic, 0, n);
        }
        return n == 2 && (magic[0] & 0xFF) == 0x1F && (magic[1] & 0xFF) == 0x8B;
    }

    /** The per-file state: the read buffer and the start of a line cut by the end of a read. */
    private final class Reader {
        private final Path file;
        private final boolean gzip;
        private final LineHandler handler;
        private final byte[] buffer = new byte[READ_BUFFER_BYTES];
        /** The head of a line that continues in the next read; never more than maxLineBytes. */
        private byte[] carry = new byte[1024];
        private int carryLength;
        /** The current line passed maxLineBytes: drop everything up to its \n. */
        private boolean skipping;
        private long bytes;
        private long lines;
        private long oversized;

        Reader(Path file, boolean gzip, LineHandler handler) {
            this.file = file;
            this.gzip = gzip;
            this.handler = handler;
        }

        FileStats readAll(InputStream in) throws IOException {
            String error = null;
            try {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    bytes += n;
                    split(n);
                }
            } catch (EOFException | ZipException e) {
                error = "gzip stream ends early (" + e.getMessage() + "): read " + bytes + " bytes";
            }
            if (skipping) {
                oversized++;
            } else if (carryLength > 0) {
                deliver(carry, 0, carryLength);
            }
            return new FileStats(file, gzip, bytes, lines, oversized, error);
        }

        private void split(int n) {
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (buffer[i] != '\n') {
                    continue;
                }
                if (skipping) {
                    skipping = false;
                    oversized++;
                } else if (carryLength > 0) {
                    if (append(start, i)) {
                        deliver(carry, 0, carryLength);
                    }
                    carryLength = 0;
                } else if (i - start > maxLineBytes) {
                    oversized++;
                } else {
                    deliver(buffer, start, i - start);
                }
                start = i + 1;
            }
            if (start < n && !skipping) {
                append(start, n);
            }
        }

        /** Adds buffer[from, to) to the carried line; false (and skipping) once the line is too long. */
        private boolean append(int from, int to) {
            int length = to - from;
            if (carryLength + length > maxLineBytes) {
                carryLength = 0;
                skipping = true;
                return false;
            }
            if (carryLength + length > carry.length) {
                carry = java.util.Arrays.copyOf(carry, Math.min(maxLineBytes, Math.max(carry.length * 2, carryLength + length)));
            }
            System.arraycopy(buffer, from, carry, carryLength, length);
            carryLength += length;
            return true;
        }

        private void deliver(byte[] bytes, int offset, int length) {
            lines++;
            handler.line(new String(bytes, offset, length, StandardCharsets.ISO_8859_1), lines + oversized);
        }
    }
}
