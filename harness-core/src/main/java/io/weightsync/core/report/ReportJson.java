package io.weightsync.core.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads and writes {@link Report}s as report.json: pretty-printed UTF-8, keys in schema order. */
public final class ReportJson {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ReportJson() {}

    public static String toJson(Report report) {
        try {
            return MAPPER.writeValueAsString(report) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Parses a report.
     *
     * @throws IllegalArgumentException naming the defect (not JSON, wrong schema, wrong types)
     */
    public static Report fromJson(String json) {
        try {
            return MAPPER.readValue(json, Report.class);
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
            throw new IllegalArgumentException(cause instanceof IllegalArgumentException ? cause.getMessage()
                    : e.getOriginalMessage(), e);
        }
    }

    /** Writes {@code report} to {@code file} (parent folders created). */
    public static void write(Report report, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, toJson(report));
    }

    /**
     * Reads a report.json.
     *
     * @throws IOException when the file cannot be read or is not a harness report, naming the file
     */
    public static Report read(Path file) throws IOException {
        try {
            return fromJson(Files.readString(file));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": not a " + Report.SCHEMA + " report: " + e.getMessage(), e);
        }
    }
}
