package io.weightsync.core.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportJsonTest {

    @TempDir
    Path dir;

    private static Report sample() {
        Histogram queue = MetricHistograms.create();
        for (double ms : new double[] {8584.7, 12.5, 30.25, 55.0}) {
            MetricHistograms.record(queue, "weights.queue_ms", ms);
        }
        return Report.builder(Report.KIND_ANALYSIS)
                .run(new RunInfo("analysis_20261128-161747", "2026-11-28T16:17:47Z", null, null, "2653b02",
                        new RunInfo.Host(2, 25_000_000_000L, "17.0.15")))
                .config("logs", List.of("orchestrator.log", "server.log.gz"))
                .config("queue_ratio", 10.0)
                .metric("weights.queue_ms", queue)
                .counter("updates", 4)
                .finding(new Finding("frontend_queue", Finding.CRITICAL, "p99 queue_ms 8589 ms"))
                .build();
    }

    @Test
    void reportSurvivesAWriteAndReadUnchanged() throws Exception {
        Report report = sample();
        Path file = dir.resolve("sub/report.json");
        ReportJson.write(report, file);

        Report back = ReportJson.read(file);

        assertThat(back).isEqualTo(report);
        assertThat(back.histogram("weights.queue_ms").orElseThrow().getTotalCount()).isEqualTo(4);
        assertThat(MetricSummary.of("weights.queue_ms", back.histogram("weights.queue_ms").orElseThrow()))
                .isEqualTo(report.metrics().get("weights.queue_ms"));
    }

    @Test
    void jsonUsesTheContractsNamesAndMillisecondUnits() throws Exception {
        JsonNode json = new ObjectMapper().readTree(ReportJson.toJson(sample()));

        assertThat(json.get("schema").asText()).isEqualTo("harness-report/1");
        assertThat(json.get("kind").asText()).isEqualTo("analysis");
        assertThat(json.get("run").get("started_at").asText()).isEqualTo("2026-11-28T16:17:47Z");
        assertThat(json.get("run").has("base_url")).isTrue();
        assertThat(json.get("run").get("host").get("cores").asInt()).isEqualTo(2);
        JsonNode queue = json.get("metrics").get("weights.queue_ms");
        assertThat(queue.get("count").asLong()).isEqualTo(4);
        assertThat(queue.get("max").asDouble()).isCloseTo(8584.7, within(8584.7 * 0.001));
        assertThat(queue.get("min").asDouble()).isCloseTo(12.5, within(0.01));
        assertThat(json.get("diagnosis").get(0).get("id").asText()).isEqualTo("frontend_queue");
        assertThat(json.get("histograms").get("weights.queue_ms").asText()).isNotBlank();
        List<String> keys = new java.util.ArrayList<>();
        json.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("schema", "kind", "run", "config", "metrics", "counters", "diagnosis", "histograms");
    }

    @Test
    void subMillisecondValuesKeepMicrosecondPrecision() {
        Histogram h = MetricHistograms.create();
        MetricHistograms.record(h, "weights.rpc_ms", 0.125);
        assertThat(MetricSummary.of("weights.rpc_ms", h).p50()).isEqualTo(0.125);
    }

    @Test
    void wholeNumberMetricsReadBackExactly() {
        Histogram h = MetricHistograms.create();
        for (int staleness : new int[] {1, 2, 3, 3, 1500}) {
            MetricHistograms.record(h, "rollout.staleness", staleness);
        }
        MetricSummary s = MetricSummary.of("rollout.staleness", h);
        assertThat(s.p50()).isEqualTo(3);
        assertThat(s.max()).isEqualTo(1500);
        assertThat(s.min()).isEqualTo(1);
    }

    @Test
    void readingSomethingElseNamesTheDefect() {
        assertThatThrownBy(() -> ReportJson.fromJson("{\"schema\":\"other/2\",\"kind\":\"analysis\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("schema must be 'harness-report/1'");
        assertThatThrownBy(() -> MetricHistograms.decode("not base64!"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not base64");
        assertThatThrownBy(() -> MetricHistograms.record(MetricHistograms.create(), "weights.rpc_ms", -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    }

    @Test
    void unknownFieldsFromNewerWritersAreIgnored() {
        Report r = ReportJson.fromJson("{\"schema\":\"harness-report/1\",\"kind\":\"gatling\",\"extra\":1}");
        assertThat(r.kind()).isEqualTo("gatling");
        assertThat(r.metrics()).isEmpty();
        assertThat(r.healthy()).isTrue();
    }
}
