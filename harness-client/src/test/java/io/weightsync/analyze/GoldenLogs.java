package io.weightsync.analyze;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * The sample logs under {@code src/test/resources/analyze/}: one run per folder, an orchestrator log in
 * loguru style (ANSI colours) and a vLLM server log ({@code (APIServer pid=N) INFO ...}).
 *
 * <ul>
 *   <li>{@code shared-pool}: the bug. Three updates whose requests reach the server 8.0-9.5 s after the
 *       client sent them (queue_ms 8586.7, 9515, 8014; rpc_ms 55.3, 55, 60), one send that never got a
 *       done ({@code 00000000000000d4}), one server.recv logged twice, two malformed event lines, a
 *       line cut mid-write, and a last line without its newline.
 *   <li>{@code dedicated-admin}: the fix. Three updates with queue_ms 56, 49, 60 and rpc_ms 55, 52, 58.
 * </ul>
 */
public final class GoldenLogs {

    private GoldenLogs() {}

    public static Path dir(String run) {
        try {
            return Path.of(GoldenLogs.class.getResource("/analyze/" + run).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A gzip copy of {@code file} in {@code into}. */
    public static Path gzip(Path file, Path into) throws IOException {
        Path gz = into.resolve(file.getFileName() + ".gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(file, out);
        }
        return gz;
    }
}
