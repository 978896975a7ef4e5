package io.weightsync.gatling;

import io.weightsync.analyze.Analyzer;
import io.weightsync.analyze.Numbers;
import io.weightsync.analyze.SummaryWriter;
import io.weightsync.analyze.Thresholds;
import io.weightsync.client.ClientMetrics;
import io.weightsync.core.report.MetricNames;
import io.weightsync.core.report.MetricSummary;
import io.weightsync.core.report.Report;
import io.weightsync.core.report.ReportJson;
import io.weightsync.core.report.RunInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import okhttp3.HttpUrl;
import org.HdrHistogram.Histogram;

/**
 * The simulation's {@code report.json} (kind "gatling"): the client's Recorders (streams and
 * updates), and what the analyzer finds in the run's event lines (client.log, plus the embedded
 * server's log: {@code weights.recv_gap_ms} and the diagnosis).
 */
final class GatlingReport {

    record Written(Path reportJson, double queueP99Ms, String summary) {}

    private GatlingReport() {}

    static Written write(Path runDir, Settings s, String model, HttpUrl baseUrl, ClientMetrics metrics,
            long startedAtMillis, boolean embedded) throws IOException {
        Report fromLogs = Analyzer.ofLogs(Thresholds.DEFAULTS, null, runDir.resolve("client.log"),
                embedded ? runDir.resolve("server.log") : null).report();

        Report.Builder b = Report.builder(Report.KIND_GATLING).run(new RunInfo(runDir.getFileName().toString(),
                Instant.ofEpochMilli(startedAtMillis).toString(), s.adminClient(), embedded ? "embedded" : baseUrl.toString(),
                null, RunInfo.Host.current()));
        b.config("simulation", WeightUpdateUnderLoadSimulation.class.getSimpleName())
                .config("profile", s.profile())
                .config("admin_client", s.adminClient())
                .config("streams", s.streams())
                .config("ramp_s", s.ramp().toSeconds())
                .config("duration_s", s.duration().toSeconds())
                .config("max_tokens", s.maxTokens())
                .config("update_every_s", s.updateEvery().toSeconds())
                .config("weight_dir", s.weightDir() == null ? null : s.weightDir().toString())
                .config("checkpoint_root", s.checkpointRoot() == null ? null : s.checkpointRoot().toString())
                .config("model", model)
                .config("base_url", embedded ? "embedded (" + baseUrl + ")" : baseUrl.toString());
        for (String name : List.of(MetricNames.WEIGHTS_WALL_MS, MetricNames.WEIGHTS_RPC_MS, MetricNames.WEIGHTS_QUEUE_MS,
                MetricNames.STREAM_TTFT_MS, MetricNames.STREAM_ITL_MS, MetricNames.STREAM_E2E_MS)) {
            Histogram h = metrics.recorders().get(name).getIntervalHistogram();
            b.metric(name, h);
        }
        fromLogs.histogram(MetricNames.WEIGHTS_RECV_GAP_MS).ifPresent(h -> b.metric(MetricNames.WEIGHTS_RECV_GAP_MS, h));
        b.counter("requests", metrics.requests.get())
                .counter("errors", metrics.errors.get())
                .counter("tokens", metrics.tokens.get())
                .counter("truncated", metrics.truncated.get())
                .counter("updates", metrics.updates.get())
                .counter("updates_failed", metrics.updatesFailed.get());
        fromLogs.diagnosis().forEach(b::finding);
        Report report = b.build();
        Path json = runDir.resolve("report.json");
        ReportJson.write(report, json);

        MetricSummary queue = report.metrics().get(MetricNames.WEIGHTS_QUEUE_MS);
        double queueP99 = queue == null || queue.count() == 0 ? Double.NaN : queue.p99();
        StringBuilder summary = new StringBuilder("harness: ").append(s.adminClient()).append(" admin client, ")
                .append(metrics.requests.get()).append(" streams, ").append(metrics.updates.get()).append(" updates (")
                .append(metrics.updatesFailed.get()).append(" failed); verdict: ").append(SummaryWriter.verdict(report));
        for (String name : List.of(MetricNames.WEIGHTS_QUEUE_MS, MetricNames.WEIGHTS_RPC_MS, MetricNames.WEIGHTS_RECV_GAP_MS,
                MetricNames.STREAM_TTFT_MS, MetricNames.STREAM_ITL_MS)) {
            MetricSummary m = report.metrics().get(name);
            if (m != null && m.count() > 0) {
                summary.append("\n  ").append(name).append(" p50=").append(Numbers.reading(m.p50())).append(" p99=")
                        .append(Numbers.reading(m.p99())).append(" ms (n=").append(m.count()).append(')');
            }
        }
        return new Written(json, queueP99, summary.toString());
    }
}
