package io.weightsync.cli.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import io.weightsync.cli.CliRun;
import io.weightsync.cli.NotTheHarnessServer;
import io.weightsync.cli.ServerKiller;
import io.weightsync.core.report.MetricNames;
import io.weightsync.core.report.Report;
import io.weightsync.core.report.ReportJson;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentCommandTest {

    @TempDir
    Path tmp;

    /**
     * The whole experiment, shortened (about 45 s here): an embedded server per mode, 16 streams with 48
     * more queued, 3 updates per mode. Every signature check is printed, and the investigation's
     * signature shows where its margin is wide: shared queue p50 >= 1 s and >= 10x rpc p50 (seconds
     * behind 48 queued rollouts), dedicated queue p99 < 300 ms. The fourth check, dedicated recv_gap
     * p99 < 50 ms, is an absolute bound on the largest of three samples, which one busy moment on a
     * 2-core machine can break (76 ms once, beside other builds): here it is held to a tenth of the
     * shared mode's recv_gap instead, the difference the fix makes.
     */
    @Test
    void aShortenedExperimentReproducesTheSignatureAndWritesEveryOutput() throws Exception {
        Path out = tmp.resolve("exp");
        CliRun run = CliRun.harness("experiment", "--streams", "16", "--queued", "48", "--batch-size", "16",
                "--updates", "3", "--max-tokens", "64", "--step-interval", "0.5", "--no-progress", "--out", out.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("PASS  shared    weights.queue_ms p50 >= 1000 ms")
                .contains("PASS  shared    weights.queue_ms p50 >= 10x weights.rpc_ms p50")
                .contains("PASS  dedicated weights.queue_ms p99 < 300 ms")
                .containsPattern("(PASS|FAIL)  dedicated weights.recv_gap_ms p99 < 50 ms")
                .containsPattern("signature (NOT )?reproduced");
        double sharedGapP50 = ReportJson.read(out.resolve("shared/report.json")).metrics()
                .get(MetricNames.WEIGHTS_RECV_GAP_MS).p50();
        double dedicatedGapP99 = ReportJson.read(out.resolve("dedicated/report.json")).metrics()
                .get(MetricNames.WEIGHTS_RECV_GAP_MS).p99();
        assertThat(dedicatedGapP99).as("dedicated recv_gap p99 against shared p50 %.0f ms", sharedGapP50)
                .isLessThan(sharedGapP50 / 10);
        for (String mode : new String[] {"shared", "dedicated"}) {
            Path dir = out.resolve(mode);
            for (String file : new String[] {"report.json", "SUMMARY.md", "client.log", "server.log", "metrics.hlog"}) {
                assertThat(dir.resolve(file)).as(mode + "/" + file).isNotEmptyFile();
            }
            Report report = ReportJson.read(dir.resolve("report.json"));
            assertThat(report.kind()).isEqualTo(Report.KIND_EXPERIMENT);
            assertThat(report.run().mode()).isEqualTo(mode);
            assertThat(report.counters()).containsEntry("updates", 3L).containsEntry("updates_failed", 0L)
                    .containsEntry("errors", 0L);
            assertThat(report.counters().get("requests")).isGreaterThan(16);
            assertThat(report.histograms()).containsKeys(MetricNames.WEIGHTS_QUEUE_MS, MetricNames.WEIGHTS_RECV_GAP_MS,
                    MetricNames.STREAM_ITL_MS, MetricNames.STREAM_TTFT_MS, MetricNames.GEN_STALL_MS);
            assertThat(report.metrics().get(MetricNames.WEIGHTS_QUEUE_MS).count()).isEqualTo(3);
            assertThat(hlogTags(dir.resolve("metrics.hlog"))).contains(MetricNames.STREAM_ITL_MS, MetricNames.WEIGHTS_QUEUE_MS);

            // the report's update metrics are what `analyze` finds in the same logs
            Path analysis = tmp.resolve("analysis-" + mode);
            CliRun analyze = CliRun.harness("analyze", dir.resolve("client.log").toString(),
                    dir.resolve("server.log").toString(), "--out", analysis.toString());
            assertThat(analyze.exit()).as(analyze.err()).isZero();
            Report analysed = ReportJson.read(analysis.resolve("report.json"));
            assertThat(analysed.metrics().get(MetricNames.WEIGHTS_QUEUE_MS))
                    .isEqualTo(report.metrics().get(MetricNames.WEIGHTS_QUEUE_MS));
            assertThat(analysed.diagnosis()).isEqualTo(report.diagnosis());
        }
        assertThat(ReportJson.read(out.resolve("shared/report.json")).diagnosis())
                .anyMatch(f -> f.id().equals("frontend_queue"));
        assertThat(ReportJson.read(out.resolve("dedicated/report.json")).diagnosis())
                .noneMatch(f -> f.id().equals("frontend_queue"));
        assertThat(out.resolve("COMPARE.md")).content().contains("weights.queue_ms");
        assertThat(out.resolve("SUMMARY.md")).content().startsWith("# Experiment").containsPattern("signature (NOT )?reproduced");
        assertThat(out.resolve("report.html")).content().contains("uPlot").contains("weights.queue_ms");
    }

    @Test
    void aServerKilledMidRunStopsTheExperimentWithAPartialReport() throws Exception {
        Path out = tmp.resolve("killed");
        Path log = out.resolve("shared/client.log");
        ServerKiller killer = ServerKiller.when( // once two measured steps are done
                () -> Files.exists(log) && Files.readString(log).split("batch.done", -1).length > 2);
        CliRun run = CliRun.harness("experiment", "--streams", "8", "--queued", "8", "--batch-size", "8",
                "--updates", "20", "--max-tokens", "64", "--no-progress", "--out", out.toString());
        long ended = System.nanoTime();
        // from the kill, not from the start: start-up and the two steps before it take longer on a busy machine
        double secondsAfterKill = (ended - killer.killedAtNanos()) / 1e9;
        killer.close();
        assertThat(killer.killedAtNanos()).as("the server was killed mid-run").isPositive();
        assertThat(run.exit()).as(run.err()).isEqualTo(1);
        assertThat(run.err().strip().lines()).last().asString()
                .startsWith("harness experiment: stopped early: shared: the embedded server exited (status ")
                .contains("marked partial");
        assertThat(run.err()).doesNotContain("\tat ");
        Report partial = ReportJson.read(out.resolve("shared/report.json"));
        assertThat(partial.config().get("partial")).asString().contains("embedded server exited");
        assertThat(partial.counters().get("requests")).isGreaterThan(0);
        assertThat(out.resolve("dedicated")).doesNotExist(); // later modes do not run
        assertThat(out.resolve("SUMMARY.md")).content().contains("PARTIAL, stopped early");
        assertThat(out.resolve("report.html")).isNotEmptyFile();
        assertThat(secondsAfterKill).as("stops soon after the kill, not after the 60 s stall timeout").isLessThan(45);
        System.out.printf("[reliability] server killed mid-experiment: stopped %.1f s after the kill, exit 1, partial"
                + " report with %d rollouts measured%n", secondsAfterKill,
                partial.counters().get("requests"));
    }

    @Test
    void anUnreachableBaseUrlIsOneLineAndExitOne() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        CliRun run = CliRun.harness("experiment", "--base-url", "http://127.0.0.1:" + closed, "--no-progress",
                "--out", tmp.resolve("x").toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err().strip().lines()).singleElement().asString()
                .startsWith("harness experiment: cannot reach http://127.0.0.1:" + closed);
        assertThat(run.err()).doesNotContain("\tat ");
    }

    @Test
    void aServerWithoutUpdateEndpointsIsWarnedAboutAndTheStreamsStillMeasured() throws Exception {
        Path out = tmp.resolve("other");
        String baseUrl;
        try (NotTheHarnessServer server = new NotTheHarnessServer()) {
            baseUrl = server.baseUrl();
            CliRun run = CliRun.harness("experiment", "--base-url", server.baseUrl(), "--modes", "dedicated",
                    "--streams", "4", "--queued", "0", "--batch-size", "4", "--updates", "1", "--warmup-batches", "0",
                    "--step-interval", "0", "--no-progress", "--out", out.toString());
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.err()).contains("warning: dedicated: 404 on /update_weights")
                    .contains("measuring the streams only");
        }
        Report report = ReportJson.read(out.resolve("dedicated/report.json"));
        assertThat(report.counters()).containsEntry("updates", 0L).containsEntry("updates_failed", 1L)
                .containsEntry("updates_supported", 0L).containsEntry("errors", 0L);
        assertThat(report.counters().get("requests")).isGreaterThanOrEqualTo(16);
        assertThat(report.counters().get("tokens")).isEqualTo(6 * report.counters().get("requests"));
        assertThat(report.metrics().get(MetricNames.STREAM_ITL_MS).count()).isGreaterThan(0);
        assertThat(report.config()).containsEntry("model", "other-model").containsEntry("base_url", baseUrl + "/");
    }

    @Test
    void anOutFolderThatCannotBeCreatedIsOneLineAndExitOne() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        CliRun run = CliRun.harness("experiment", "--no-progress", "--out", file.resolve("sub").toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err().strip().lines()).singleElement().asString()
                .startsWith("harness experiment: --out " + file.resolve("sub"));
    }

    @Test
    void badFlagsAreUsageErrors() {
        assertThat(CliRun.harness("experiment", "--modes", "shared,bogus").exit()).isEqualTo(2);
        assertThat(CliRun.harness("experiment", "--streams", "0").exit()).isEqualTo(2);
        assertThat(CliRun.harness("experiment", "--base-url", "not a url").exit()).isEqualTo(2);
        CliRun remote = CliRun.harness("experiment", "--base-url", "http://inference.example.com:8000");
        assertThat(remote.exit()).as("load tests only hit loopback").isEqualTo(2);
        assertThat(remote.err()).contains("must be a loopback address");
        assertThat(CliRun.harness("experiment", "--update-mode", "sometimes").exit()).isEqualTo(2);
    }

    private static Set<String> hlogTags(Path hlog) throws Exception {
        Set<String> tags = new HashSet<>();
        HistogramLogReader reader = new HistogramLogReader(hlog.toFile());
        for (EncodableHistogram h; (h = reader.nextIntervalHistogram()) != null; ) {
            tags.add(h.getTag());
        }
        return tags;
    }
}
