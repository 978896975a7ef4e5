package io.weightsync.analyze;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
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

    /** Lines longer than this many bytes are counted as oversized and skipped. */
    public int maxLineBytes() {
        return maxLineBytes;
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
            return readAll(file, gzip, in, handler);
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

    /** Reads a stream to its end through one {@link LineSplitter}. */
    private FileStats readAll(Path file, boolean gzip, InputStream in, LineHandler handler) throws IOException {
        LineSplitter lines = new LineSplitter(maxLineBytes, handler);
        byte[] buffer = new byte[READ_BUFFER_BYTES];
        String error = null;
        try {
            int n;
            while ((n = in.read(buffer)) > 0) {
                lines.feed(buffer, 0, n);
            }
        } catch (EOFException | ZipException e) {
            error = "gzip stream ends early (" + e.getMessage() + "): read " + lines.bytes() + " bytes";
        }
        lines.finish();
        return new FileStats(file, gzip, lines.bytes(), lines.lines(), lines.oversizedLines(), error);
    }

    /** Whether the file starts with gzip's magic bytes {@code 1f 8b}; false for a shorter file. */
    public static boolean startsWithGzipMagic(Path file) throws IOException {
        try (PushbackInputStream in = new PushbackInputStream(Files.newInputStream(file), 2)) {
            return isGzip(in);
        }
    }
}
