package io.weightsync.server.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The process's anonymous resident memory, Linux's {@code RssAnon} ({@code /proc/self/status}):
 * heap, malloc and PyTorch's tensors, without the file-backed pages that plain RSS also counts.
 * Those come and go without any leak: the pages of shared libraries' code as it is first used, and
 * the mapped checkpoint files of each update, which are unmapped only when the JVM collects their
 * buffers (84-90 MiB of the embedded server's 1.8 GiB in a 2-minute soak). A soak that watches
 * native memory wants this one.
 */
final class AnonymousMemory {

    private static final Path STATUS = Path.of("/proc/self/status");

    private AnonymousMemory() {}

    /** RssAnon in bytes, or empty where there is none (not Linux, or an old kernel). */
    static OptionalLong bytes() {
        return ofStatus(STATUS);
    }

    static OptionalLong ofStatus(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("RssAnon:")) {
                    String[] parts = line.substring("RssAnon:".length()).trim().split("\\s+");
                    if (parts.length == 2 && parts[1].equals("kB")) {
                        return OptionalLong.of(Long.parseLong(parts[0]) * 1024);
                    }
                }
            }
            return OptionalLong.empty();
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }
}
