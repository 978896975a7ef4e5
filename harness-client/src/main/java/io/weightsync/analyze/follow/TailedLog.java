package io.weightsync.analyze.follow;

import io.weightsync.analyze.Analyzer;
import io.weightsync.analyze.LineSplitter;
import io.weightsync.analyze.LogScanner;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One log that is still being written, read by polling: each {@link #poll} reads the bytes appended
 * since the last one and hands the complete lines to the analyzer, labelled with the file's name. A
 * last line without its {@code \n} waits for it (it is delivered only when the file ends for us: at
 * {@link #close}, a rotation or a truncation, as the batch analyzer delivers a last line).
 *
 * <p>What happens to the file, and what this does (each noted in one line to {@code notices}):
 *
 * <ul>
 *   <li><b>Rotation</b>: the path now names another file (its {@link BasicFileAttributes#fileKey()},
 *       device and inode on Linux, changed) or none (moved away, not yet re-created). The old file is
 *       read to its end through the still-open channel, its lines finished, and the new file is read
 *       from its start. Lines the writer adds to the old file after that are not seen.
 *   <li><b>Truncation</b> ({@code copytruncate}, {@code > log}): the size is below what was read.
 *       The lines so far are finished and the file is read again from byte 0. A truncation followed by
 *       more writing than was read before, within one poll, cannot be told from growth.
 *   <li><b>Not there yet</b>: waited for; read from its start once it appears.
 * </ul>
 *
 * <p>Each stretch of one file between such events is one <i>generation</i>; each ends as one {@link
 * LogScanner.FileStats} in the analysis (so a log rotated once counts as two files, as {@code analyze
 * LOG.1 LOG} would). Single-threaded: the monitor's loop is the only caller.
 */
final class TailedLog implements AutoCloseable {

    private final Path path;
    private final String label;
    private final Analyzer analyzer;
    private final int maxLineBytes;
    private final ByteBuffer buffer;
    private final Consumer<String> notices;

    /** The open generation's channel; null while the path names no file. */
    private FileChannel channel;
    /** Which file the channel reads (dev+inode on Linux); null where the file system has no key. */
    private Object fileKey;
    /** Bytes of the current generation consumed. */
    private long position;
    private LineSplitter lines;
    private boolean waitingNoted;
    private String lastError;

    TailedLog(Path path, Analyzer analyzer, int maxLineBytes, ByteBuffer sharedBuffer, Consumer<String> notices) {
        this.path = Objects.requireNonNull(path, "path");
        this.label = path.getFileName().toString();
        this.analyzer = analyzer;
        this.maxLineBytes = maxLineBytes;
        this.buffer = sharedBuffer;
        this.notices = notices;
    }

    /**
     * Reads what was appended since the last poll, after checking for rotation and truncation.
     *
     * @return bytes read (0 when nothing new)
     */
    long poll() {
        try {
            long read = 0;
            if (channel == null && !open()) {
                return 0;
            }
            BasicFileAttributes now = attributesOrNull();
            if (now == null || (fileKey != null && !fileKey.equals(now.fileKey()))) {
                read += readToEnd();
                long finishedLines = lines.lines();
                endGeneration(null, false);
                notices.accept(label + ": rotated (" + (now == null ? "moved away" : "the name is a new file")
                        + "): finished the old file after " + finishedLines + " lines; reading the new one from its start");
                if (!open()) {
                    return read;
                }
            } else if (channel.size() < position) {
                long size = channel.size();
                long readBefore = position;
                endGeneration(null, true);
                notices.accept(label + ": truncated to " + size + " bytes (had read " + readBefore
                        + "): reading it again from the start");
                startGeneration(channel, fileKey);
            }
            read += readToEnd();
            lastError = null;
            return read;
        } catch (IOException e) {
            String message = label + ": read failed (" + e + "); trying again at the next poll";
            if (!message.equals(lastError)) {
                notices.accept(message);
                lastError = message;
            }
            return 0;
        }
    }

    /** Ends reading: the current generation is finished (its last line delivered, even without \n). */
    @Override
    public void close() {
        if (channel != null) {
            endGeneration(lastError, false);
        }
    }

    /** Opens the file the path names now; false (noted once) when there is none. */
    private boolean open() throws IOException {
        FileChannel opened;
        BasicFileAttributes before = attributesOrNull();
        try {
            opened = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            if (!waitingNoted) {
                notices.accept(label + ": not there yet; waiting for it to appear");
                waitingNoted = true;
            }
            return false;
        }
        waitingNoted = false;
        BasicFileAttributes attributes = attributesOrNull();
        if (before != null && attributes != null && !Objects.equals(before.fileKey(), attributes.fileKey())) {
            // rotated while being opened: which file the channel holds is unknown, so try again next poll
            opened.close();
            return false;
        }
        startGeneration(opened, attributes == null ? null : attributes.fileKey());
        return true;
    }

    private void startGeneration(FileChannel opened, Object key) {
        channel = opened;
        fileKey = key;
        position = 0;
        lines = new LineSplitter(maxLineBytes, (line, number) -> analyzer.line(label, line, number));
    }

    /**
     * Finishes the generation: its last line delivered, its FileStats recorded; the channel closed
     * unless {@code reuseChannel} (a truncated file is read again through the same channel).
     */
    private void endGeneration(String error, boolean reuseChannel) {
        lines.finish();
        analyzer.fileRead(new LogScanner.FileStats(path, false, lines.bytes(), lines.lines(), lines.oversizedLines(),
                error));
        if (!reuseChannel) {
            closeQuietly();
        }
    }

    private long readToEnd() throws IOException {
        long read = 0;
        while (true) {
            buffer.clear();
            int n = channel.read(buffer, position);
            if (n <= 0) {
                return read;
            }
            position += n;
            read += n;
            lines.feed(buffer.array(), 0, n);
        }
    }

    private BasicFileAttributes attributesOrNull() {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class);
        } catch (IOException e) {
            return null;
        }
    }

    private void closeQuietly() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing was written through it; the file's bytes are all read
        }
        channel = null;
        fileKey = null;
    }
}
