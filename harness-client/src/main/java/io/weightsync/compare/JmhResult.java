package io.weightsync.compare;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One score of a JMH JSON result file ({@code -rf json}): a benchmark's primary metric, or one of its
 * secondary metrics (e.g. {@code :bytes} from {@code @AuxCounters}, {@code gc.alloc.rate}).
 *
 * @param benchmark the benchmark's full name, e.g. {@code io.weightsync.benchmarks.X.measure}
 * @param metric "" for the primary metric, else the secondary metric's name as JMH writes it
 *     ({@code :bytes} for an {@code @AuxCounters} field, {@code ·gc.alloc.rate} for a profiler's)
 * @param params the {@code @Param} values, sorted by name
 * @param score JMH's score
 * @param error JMH's scoreError (99.9% half-interval); NaN when JMH gave none (a single iteration)
 */
public record JmhResult(String benchmark, String metric, String mode, Map<String, String> params, double score,
        double error, String unit) {

    /** {@code pkg.Class.method}, or {@code pkg.Class.method:bytes} for a secondary metric. */
    public String name() {
        return metric.isEmpty() ? benchmark : benchmark + (metric.startsWith(":") ? metric : ":" + metric);
    }

    /** Identifies the same measurement in two files: benchmark, metric and parameter set. */
    public String key() {
        return name() + " " + params;
    }

    /** {@code sizeMb=16,threads=2}, or "" without params. */
    public String paramsText() {
        StringBuilder s = new StringBuilder();
        params.forEach((k, v) -> s.append(s.length() == 0 ? "" : ",").append(k).append('=').append(v));
        return s.toString();
    }

    /**
     * Reads a JMH JSON result array.
     *
     * @throws IllegalArgumentException when an entry lacks benchmark or primaryMetric
     */
    public static List<JmhResult> fromJson(JsonNode array) {
        List<JmhResult> results = new ArrayList<>();
        for (JsonNode run : array) {
            if (!run.hasNonNull("benchmark") || !run.hasNonNull("primaryMetric")) {
                throw new IllegalArgumentException("JMH result entry without 'benchmark' and 'primaryMetric'");
            }
            String benchmark = run.get("benchmark").asText();
            String mode = run.path("mode").asText("");
            Map<String, String> params = new TreeMap<>();
            Iterator<Map.Entry<String, JsonNode>> p = run.path("params").fields();
            while (p.hasNext()) {
                Map.Entry<String, JsonNode> e = p.next();
                params.put(e.getKey(), e.getValue().asText());
            }
            results.add(of(benchmark, "", mode, params, run.get("primaryMetric")));
            Iterator<Map.Entry<String, JsonNode>> s = run.path("secondaryMetrics").fields();
            while (s.hasNext()) {
                Map.Entry<String, JsonNode> e = s.next();
                results.add(of(benchmark, e.getKey(), mode, params, e.getValue()));
            }
        }
        return results;
    }

    private static JmhResult of(String benchmark, String metric, String mode, Map<String, String> params, JsonNode m) {
        JsonNode error = m.get("scoreError");
        double err = error == null || !error.isNumber() ? Double.NaN : error.asDouble();
        return new JmhResult(benchmark, metric, mode, params, m.path("score").asDouble(Double.NaN), err,
                m.path("scoreUnit").asText(""));
    }
}
