package io.weightsync.core.report;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.HdrHistogram.Histogram;

/**
 * One {@code report.json} (schema {@value #SCHEMA}): what every run of the harness writes (experiment,
 * Gatling, analysis) and what {@code compare} reads. See {@code docs/REPORT_FORMAT.md}.
 *
 * <p>Maps keep insertion order, so a report is written in the order it was built. Build one with
 * {@link #builder(String)}; read and write it with {@link ReportJson}.
 *
 * @param schema always {@value #SCHEMA}
 * @param kind {@link #KIND_EXPERIMENT}, {@link #KIND_GATLING} or {@link #KIND_ANALYSIS}
 * @param config everything needed to rerun (flags, thresholds, inputs)
 * @param metrics name (e.g. {@code weights.queue_ms}) to summary, in the metric's unit
 * @param counters name to count (e.g. {@code updates}, {@code errors})
 * @param diagnosis the bottlenecks found; empty when healthy
 * @param histograms name to the metric's full distribution, base64 compressed HdrHistogram, values x
 *     {@link MetricHistograms#SCALE}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"schema", "kind", "run", "config", "metrics", "counters", "diagnosis", "histograms"})
public record Report(
        String schema,
        String kind,
        RunInfo run,
        Map<String, Object> config,
        Map<String, MetricSummary> metrics,
        Map<String, Long> counters,
        List<Finding> diagnosis,
        Map<String, String> histograms) {

    public static final String SCHEMA = "harness-report/1";
    public static final String KIND_EXPERIMENT = "experiment";
    public static final String KIND_GATLING = "gatling";
    public static final String KIND_ANALYSIS = "analysis";

    public Report {
        if (!SCHEMA.equals(schema)) {
            throw new IllegalArgumentException("schema must be '" + SCHEMA + "', was " + (schema == null ? "missing" : "'" + schema + "'"));
        }
        Objects.requireNonNull(kind, "kind");
        config = config == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(config));
        metrics = metrics == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        counters = counters == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(counters));
        diagnosis = diagnosis == null ? List.of() : List.copyOf(diagnosis);
        histograms = histograms == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(histograms));
    }

    public static Builder builder(String kind) {
        return new Builder(kind);
    }

    /** The decoded distribution of {@code metric}; empty when the report carries none. */
    public Optional<Histogram> histogram(String metric) {
        String encoded = histograms.get(metric);
        return encoded == null ? Optional.empty() : Optional.of(MetricHistograms.decode(encoded));
    }

    /** True when the diagnosis is empty. */
    public boolean healthy() {
        return diagnosis.isEmpty();
    }

    /** Collects a report's parts in the order they are added. */
    public static final class Builder {
        private final String kind;
        private RunInfo run;
        private final Map<String, Object> config = new LinkedHashMap<>();
        private final Map<String, MetricSummary> metrics = new LinkedHashMap<>();
        private final Map<String, Long> counters = new LinkedHashMap<>();
        private final List<Finding> diagnosis = new ArrayList<>();
        private final Map<String, String> histograms = new LinkedHashMap<>();

        private Builder(String kind) {
            this.kind = Objects.requireNonNull(kind, "kind");
        }

        public Builder run(RunInfo run) {
            this.run = run;
            return this;
        }

        public Builder config(String key, Object value) {
            config.put(key, value);
            return this;
        }

        /** Adds the metric's summary and, when it has samples, its encoded histogram. */
        public Builder metric(String name, Histogram histogram) {
            metrics.put(name, MetricSummary.of(name, histogram));
            if (histogram.getTotalCount() > 0) {
                histograms.put(name, MetricHistograms.encode(histogram));
            }
            return this;
        }

        /** A summary without a distribution (e.g. from a tool that exports only percentiles). */
        public Builder metric(String name, MetricSummary summary) {
            metrics.put(name, summary);
            return this;
        }

        public Builder counter(String name, long value) {
            counters.put(name, value);
            return this;
        }

        public Builder finding(Finding finding) {
            diagnosis.add(finding);
            return this;
        }

        public Report build() {
            return new Report(SCHEMA, kind, run, config, metrics, counters, diagnosis, histograms);
        }
    }
}
