package io.weightsync.compare;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weightsync.core.report.Report;
import io.weightsync.core.report.ReportJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * One side of a comparison: a harness report (report.json, or a folder holding exactly one, such as an
 * analysis folder or {@code results/gatling/<run>/}) or a JMH JSON result file.
 */
public sealed interface CompareInput {

    Path path();

    record ReportInput(Path path, Report report) implements CompareInput {}

    record JmhInput(Path path, List<JmhResult> results) implements CompareInput {}

    /**
     * Loads {@code path}, telling a report from JMH by the JSON's shape (object vs array).
     *
     * @throws IOException naming the path and what is wrong with it
     */
    static CompareInput load(Path path) throws IOException {
        Path file = path;
        if (Files.isDirectory(path)) {
            file = findReport(path);
        } else if (!Files.isRegularFile(path)) {
            throw new IOException(path + ": no such file or folder");
        }
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": not JSON: " + e.getOriginalMessage(), e);
        }
        if (json != null && json.isArray()) {
            try {
                return new JmhInput(file, JmhResult.fromJson(json));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": not a JMH result file: " + e.getMessage(), e);
            }
        }
        if (json == null || !json.isObject()) {
            throw new IOException(file + ": neither a harness report (JSON object) nor JMH results (JSON array)");
        }
        return new ReportInput(file, ReportJson.read(file));
    }

    /** {@code dir/report.json}, else the only report.json up to two levels down. */
    private static Path findReport(Path dir) throws IOException {
        Path direct = dir.resolve("report.json");
        if (Files.isRegularFile(direct)) {
            return direct;
        }
        List<Path> found;
        try (Stream<Path> s = Files.find(dir, 3, (p, a) -> a.isRegularFile() && p.getFileName().toString().equals("report.json"))) {
            found = s.sorted().toList();
        }
        if (found.size() == 1) {
            return found.get(0);
        }
        if (found.isEmpty()) {
            throw new IOException(dir + ": no report.json in this folder or the two below it");
        }
        throw new IOException(dir + ": holds " + found.size() + " reports, name one: " + found);
    }
}
