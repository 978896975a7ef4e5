package io.weightsync.client;

import io.weightsync.core.events.Event;
import io.weightsync.core.events.EventFormatter;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the client side of the RL loop writes its event lines ({@code docs/LOG_FORMAT.md}) and its
 * warnings: each line prefixed with an ISO-8601 instant and the writer's role, e.g.
 * {@code 2026-11-28T18:00:00.123Z orchestrator [ckpt] wait.done target_step=3 wait_ms=0.4}. Any
 * number of outputs (a file, the console); every line is flushed as written so a log can be tailed.
 * Thread-safe.
 */
public final class EventLog implements Closeable {

    private final List<Writer> outputs = new ArrayList<>();
    private final List<Writer> owned = new ArrayList<>();

    private EventLog() {}

    /** A log that writes nowhere (tests, quiet runs). */
    public static EventLog discard() {
        return new EventLog();
    }

    /** Appends to {@code file} (created with its folders when absent). */
    public static EventLog toFile(Path file) throws IOException {
        EventLog log = new EventLog();
        return log.alsoTo(file);
    }

    /** Also appends to {@code file}. */
    public synchronized EventLog alsoTo(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        outputs.add(w);
        owned.add(w);
        return this;
    }

    /** Also writes to {@code stream} (not closed by {@link #close()}). */
    public synchronized EventLog alsoTo(PrintStream stream) {
        outputs.add(new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8)));
        return this;
    }

    /** One event line from {@code role} (trainer, orchestrator, client). */
    public void event(String role, Event event) {
        line(role, EventFormatter.format(event));
    }

    /** A free-form line (a warning, a note): never an event line. */
    public synchronized void line(String role, String text) {
        if (outputs.isEmpty()) {
            return;
        }
        String line = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS) + " " + role + " " + text + "\n";
        for (Writer w : outputs) {
            try {
                w.write(line);
                w.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the event log: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public synchronized void close() throws IOException {
        for (Writer w : outputs) {
            w.flush();
        }
        for (Writer w : owned) {
            w.close();
        }
        outputs.clear();
        owned.clear();
    }
}
