package io.weightsync.cli.compare;

import static io.weightsync.cli.CliRun.harness;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.weightsync.analyze.GoldenLogs;
import io.weightsync.charts.ChartPages;
import io.weightsync.cli.CliRun;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompareCommandTest {

    @TempDir
    Path dir;

    Path before;
    Path after;

    /** The shared-pool run (8.6 s queues) is BEFORE, the dedicated-admin run (~55 ms) is AFTER. */
    @BeforeEach
    void analyzeBothGoldenRuns() {
        before = dir.resolve("before");
        after = dir.resolve("after");
        for (String[] run : new String[][] {{"shared-pool", before.toString()}, {"dedicated-admin", after.toString()}}) {
            Path logs = GoldenLogs.dir(run[0]);
            CliRun r = harness("analyze", logs.resolve("orchestrator.log").toString(), logs.resolve("server.log").toString(),
                    "--out", run[1]);
            assertThat(r.exit()).as(r.err()).isZero();
        }
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(CompareCommandTest.class.getResource("/compare/" + name).toURI());
    }

    @Test
    void reportsCompareMetricByMetricWithTheRatio() {
        CliRun r = harness("compare", before.resolve("report.json").toString(), after.toString());

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("## `weights.queue_ms` (ms)", "| stat | before | after | ratio | change |",
                "## Counters", "- before: frontend_queue (critical)", "- after: healthy");
        // p50 queue_ms 8586.7 -> 56: 0.0065x, -99.3%
        assertThat(r.out()).containsPattern("\\| p50 \\| 85\\d\\d \\| 56(\\.\\d+)? \\| 0\\.00652x \\| -99\\.3% \\|");
    }

    @Test
    void expectationsDecideTheExitCodeAndFailuresAreListed() {
        CliRun pass = harness("compare", before.toString(), after.toString(),
                "--expect", "weights.queue_ms.p99<300", "--expect", "counters.updates>=3");
        assertThat(pass.exit()).as(pass.err()).isZero();
        assertThat(pass.out()).contains("PASS `weights.queue_ms.p99<300`: actual 60");

        CliRun fail = harness("compare", after.toString(), before.toString(),
                "--expect", "weights.queue_ms.p99<300", "--expect", "weights.rpc_ms.p50<100", "--expect", "nope.p99<1");
        assertThat(fail.exit()).isEqualTo(1);
        assertThat(fail.err()).contains("expectation failed: weights.queue_ms.p99<300", "expectation failed: nope.p99<1")
                .doesNotContain("weights.rpc_ms.p50<100");
    }

    @Test
    void malformedExpectationIsAUsageError() {
        CliRun r = harness("compare", before.toString(), after.toString(), "--expect", "weights.queue_ms<300");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("'queue_ms' is not a stat");
        CliRun noOperator = harness("compare", before.toString(), after.toString(), "--expect", "weights.queue_ms.p99=300");
        assertThat(noOperator.exit()).isEqualTo(2);
        assertThat(noOperator.err()).contains("no < or >");
    }

    @Test
    void htmlOverlaysTheSharedHistogramsAndEmbedsTheirData() throws Exception {
        Path html = dir.resolve("plots/compare.html");
        CliRun r = harness("compare", before.toString(), after.toString(), "--html", html.toString(),
                "--expect", "weights.queue_ms.p99<300");

        assertThat(r.exit()).as(r.err()).isZero();
        String page = Files.readString(html);
        assertThat(page).contains("<h2>weights.queue_ms (ms)</h2>", "class=\"chart percentile\"", "id=\"plot-data\"",
                ChartPages.uPlotScript());
        // the --expect verdict heads the page
        assertThat(page).contains("<p class=\"headline pass\">Every expectation holds (1)</p>",
                "<li class=\"pass\"><b>PASS</b> weights.queue_ms.p99&lt;300: actual ");
        assertThat(page).doesNotContain("src=\"http", "href=\"http", "<script src=", "<svg");
        JsonNode queue = null;
        for (JsonNode chart : ChartPages.plotData(page).get("percentiles")) {
            if (chart.get("metric").asText().equals("weights.queue_ms")) {
                queue = chart;
            }
        }
        assertThat(queue).as("the weights.queue_ms chart").isNotNull();
        assertThat(queue.get("series").findValuesAsText("label")).containsExactly("before", "after");
        // p50 8.6 s before, 56 ms after: two decades apart, so a log value axis
        assertThat(queue.get("logValues").asBoolean()).isTrue();
        JsonNode before50 = queue.get("series").get(0).get("points").get(5);
        JsonNode after50 = queue.get("series").get(1).get("points").get(5);
        assertThat(before50.get(0).asDouble()).isEqualTo(50);
        assertThat(before50.get(1).asDouble()).isBetween(8500.0, 8600.0);
        assertThat(after50.get(1).asDouble()).isBetween(55.0, 57.0);
    }

    @Test
    void jmhResultsCompareScoreAndErrorPerBenchmarkAndParameterSet() throws Exception {
        CliRun r = harness("compare", resource("jmh-before.json").toString(), resource("jmh-after.json").toString(),
                "--expect", "mmapZeroCopy.ratio>1.1", "--expect", "CheckpointLoadBenchmark.mmapZeroCopy:bytes.score>2e9");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains(
                "| CheckpointLoadBenchmark.mmapZeroCopy | sizeMb=16 | thrpt | 100 ± 10 | 150 ± 12 | ops/s | 1.50x | +50.0% |",
                "| CheckpointLoadBenchmark.mmapZeroCopy | sizeMb=256 | thrpt | 20 ± 2 | 24 ± 3 | ops/s | 1.20x | +20.0% |",
                "| CheckpointLoadBenchmark.mmapZeroCopy:bytes | sizeMb=16 | thrpt | 1600000000 ± 160000000 | 2400000000 ± 190000000 | ops/s | 1.50x |",
                "| AnalyzeLogBenchmark.analyze | logMb=64 | thrpt | 1.5 ± 0.1 | - |",
                "| MachineLimitsBenchmark.memcpy | sizeMb=16 | thrpt | - | 400 ± 40 |");

        CliRun fail = harness("compare", resource("jmh-before.json").toString(), resource("jmh-after.json").toString(),
                "--expect", "mmapZeroCopy.ratio>1.3");
        assertThat(fail.exit()).isEqualTo(1);
        assertThat(fail.err()).contains("[sizeMb=256] ratio 1.2 FAILS");
    }

    @Test
    void theProjectsOwnJmhResultsCompareWithThemselves() {
        Path real = Path.of("..", "results", "jmh", "checkpoint-suite.json");
        CliRun r = harness("compare", real.toString(), real.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("CheckpointLoadBenchmark.mmapZeroCopy", "CheckpointLoadBenchmark.djlDecode:bytes",
                "WeightSwapBenchmark.overlap:stallMillis", "1.00x");
    }

    @Test
    void unreadableOrMixedInputsExitOneNamingThePath() throws Exception {
        CliRun missing = harness("compare", dir.resolve("nope").toString(), after.toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("nope: no such file or folder");

        CliRun mixed = harness("compare", before.toString(), resource("jmh-after.json").toString());
        assertThat(mixed.exit()).isEqualTo(1);
        assertThat(mixed.err()).contains("cannot compare a harness report with JMH results");

        CliRun twoReports = harness("compare", dir.toString(), after.toString());
        assertThat(twoReports.exit()).isEqualTo(1);
        assertThat(twoReports.err()).contains("holds 2 reports");
    }
}
