package io.weightsync.cli.analyze;

import static io.weightsync.cli.CliRun.harness;
import static org.assertj.core.api.Assertions.assertThat;

import io.weightsync.analyze.GoldenLogs;
import io.weightsync.cli.CliRun;
import io.weightsync.core.report.Report;
import io.weightsync.core.report.ReportJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnalyzeCommandTest {

    @TempDir
    Path dir;

    @Test
    void writesSummaryWithTheVerdictFirstAndAReadableAnalysisReport() throws Exception {
        Path run = GoldenLogs.dir("shared-pool");
        Path out = dir.resolve("out");
        CliRun r = harness("analyze", run.resolve("server.log").toString(), run.resolve("orchestrator.log").toString(),
                "--out", out.toString());

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("verdict: frontend_queue (critical)").contains(out.resolve("SUMMARY.md").toString());
        String summary = Files.readString(out.resolve("SUMMARY.md"));
        assertThat(summary.lines().findFirst()).hasValue("# Analysis: frontend_queue (critical)");
        assertThat(summary.indexOf("## Metrics")).isLessThan(summary.indexOf("## Evidence"));
        assertThat(summary.indexOf("## Evidence")).isLessThan(summary.indexOf("## What to do next"));
        assertThat(summary).contains("| `weights.queue_ms` | ms | 3 |", "`00000000000000d4` seen client.send",
                "dedicated", "--queue-ratio");
        Report report = ReportJson.read(out.resolve("report.json"));
        assertThat(report.kind()).isEqualTo("analysis");
        assertThat(report.counters()).containsEntry("updates", 3L);
        assertThat(report.histogram("weights.queue_ms")).isPresent();
    }

    @Test
    void defaultOutputFolderIsTimestampedNextToTheFirstLog() throws Exception {
        Path log = Files.copy(GoldenLogs.dir("dedicated-admin").resolve("orchestrator.log"), dir.resolve("orch.log"));
        CliRun r = harness("analyze", log.toString());

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("verdict: healthy");
        try (Stream<Path> s = Files.list(dir)) {
            Path made = s.filter(Files::isDirectory).findFirst().orElseThrow();
            assertThat(made.getFileName().toString()).matches("analysis_\\d{8}-\\d{6}");
            assertThat(made.resolve("SUMMARY.md")).exists();
        }
    }

    @Test
    void thresholdsAreFlagsAndBadOnesAreUsageErrors() {
        Path run = GoldenLogs.dir("shared-pool");
        CliRun lenient = harness("analyze", run.resolve("orchestrator.log").toString(), run.resolve("server.log").toString(),
                "--out", dir.resolve("x").toString(), "--queue-floor-ms", "20000");
        assertThat(lenient.out()).startsWith("verdict: healthy");

        CliRun bad = harness("analyze", run.resolve("server.log").toString(), "--queue-ratio", "-1");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("--queue-ratio must be > 0");
        assertThat(harness("analyze", "--no-such-flag", "x.log").exit()).isEqualTo(2);
        assertThat(harness("analyze").exit()).isEqualTo(2);
    }

    @Test
    void missingLogExitsOneNamingIt() {
        CliRun r = harness("analyze", dir.resolve("nope.log").toString(), "--out", dir.resolve("o").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("nope.log: cannot read");
    }

    @Test
    void helpDescribesTheRules() {
        CliRun r = harness("analyze", "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("frontend_queue", "--async-level", "default: 10", "--out");
    }
}
