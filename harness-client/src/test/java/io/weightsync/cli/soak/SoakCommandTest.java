package io.weightsync.cli.soak;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weightsync.charts.ChartPages;
import io.weightsync.cli.CliRun;
import io.weightsync.cli.NotTheHarnessServer;
import io.weightsync.cli.ServerKiller;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SoakCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /**
     * A 24-second soak against the embedded server: every resource is sampled from its /metrics, the
     * engine's arrays do not grow at all (bound 0, exact between steps), neither do file descriptors
     * and threads beyond their bounds, every stream finishes and every update succeeds. Memory bounds
     * are opened wide here: 18 s after a 6 s warm-up is still the server's warm-up for RSS and the heap
     * (the growth verdict itself is tested in GrowthCheckTest; the README reports a 30-minute run).
     */
    @Test
    void aShortSoakSamplesEveryResourceFromTheServerAndPasses() throws Exception {
        Path out = tmp.resolve("soak");
        CliRun run = CliRun.harness("soak", "--minutes", "0.4", "--warmup", "6", "--interval", "1", "--streams", "8",
                "--max-tokens", "32", "--update-every", "2", "--bound", "rss_mib=4096", "--bound", "native_mib=4096",
                "--bound", "heap_mib=4096", "--no-progress", "--out", out.toString());
        assertThat(run.exit()).as(run.err() + run.out()).isZero();
        assertThat(run.out()).contains("harness soak: PASS").contains("ndarrays");

        JsonNode soak = JSON.readTree(out.resolve("soak.json").toFile());
        assertThat(soak.path("kind").asText()).isEqualTo("soak");
        assertThat(soak.path("verdict").asText()).isEqualTo("pass");
        assertThat(soak.path("failures")).isEmpty();
        List<String> verdicts = new ArrayList<>();
        soak.path("checks").forEach(c -> verdicts.add(c.path("resource").asText() + "=" + c.path("verdict").asText()));
        assertThat(verdicts).containsExactly("rss_mib=pass", "native_mib=pass", "heap_mib=pass", "open_fds=pass",
                "threads=pass", "ndarrays=pass");
        JsonNode arrays = soak.path("checks").get(5);
        assertThat(arrays.path("growth").asDouble()).isZero();
        assertThat(arrays.path("first").asDouble()).isPositive();
        JsonNode load = soak.path("workload");
        assertThat(load.path("stream_errors").asLong()).isZero();
        assertThat(load.path("streams_done").asLong()).isGreaterThan(8);
        assertThat(load.path("updates_failed").asLong()).isZero();
        assertThat(load.path("updates_ok").asLong()).isGreaterThanOrEqualTo(8); // one every 2 s for 24 s
        assertThat(soak.path("samples").size()).isBetween(18, 26);

        List<String> csv = Files.readAllLines(out.resolve("samples.csv"));
        assertThat(csv.get(0)).startsWith("elapsed_s,rss_mib,native_mib,heap_mib,open_fds,threads,ndarrays,");
        assertThat(csv).hasSize(soak.path("samples").size() + 1);
        assertThat(out.resolve("SUMMARY.md")).content().startsWith("# Soak\n\n**PASS**").contains("| ndarrays");
        assertThat(out.resolve("client.log")).content().contains("client.done");
        assertThat(out.resolve("server.log")).content().contains("weights updated to");
        assertThat(run.out()).contains("plots:   " + out.resolve("report.html"));
        String page = Files.readString(out.resolve("report.html"));
        assertThat(page).contains("<h1>soak: <span class=\"pass\">PASS</span></h1>", "<td>ndarrays</td>");
        assertThat(ChartPages.plotData(page).path("series")).hasSize(7); // six resources and the throughput
    }

    @Test
    void aServerKilledMidSoakStopsItWithWhatItSampled() throws Exception {
        Path out = tmp.resolve("killed");
        Path csv = out.resolve("samples.csv");
        ServerKiller killer = ServerKiller.when(() -> Files.exists(csv) && Files.readAllLines(csv).size() >= 4); // 3 samples
        CliRun run = CliRun.harness("soak", "--minutes", "2", "--warmup", "5", "--interval", "1", "--streams", "4",
                "--max-tokens", "32", "--no-progress", "--out", out.toString());
        long ended = System.nanoTime();
        // from the kill, not from the start: start-up takes longer on a busy machine
        double secondsAfterKill = (ended - killer.killedAtNanos()) / 1e9;
        killer.close();
        assertThat(killer.killedAtNanos()).as("the server was killed mid-run").isPositive();
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("harness soak: FAIL: stopped early: the embedded server exited with status")
                .doesNotContain("\tat ");
        JsonNode soak = JSON.readTree(out.resolve("soak.json").toFile());
        assertThat(soak.path("verdict").asText()).isEqualTo("fail");
        assertThat(soak.path("config").path("partial").asText()).contains("embedded server exited");
        assertThat(soak.path("samples").size()).isGreaterThanOrEqualTo(3);
        assertThat(secondsAfterKill).as("stops at the kill, not after the 2 minutes").isLessThan(45);
        System.out.printf("[reliability] server killed mid-soak: stopped %.1f s after the kill, exit 1, soak.json marked"
                + " partial with %d samples%n", secondsAfterKill, soak.path("samples").size());
    }

    @Test
    void aServerWithoutMetricsIsRefusedInOneLine() throws Exception {
        try (NotTheHarnessServer server = new NotTheHarnessServer()) {
            CliRun run = CliRun.harness("soak", "--minutes", "1", "--base-url", server.baseUrl(), "--no-progress",
                    "--out", tmp.resolve("x").toString());
            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.err().strip().lines()).singleElement().asString()
                    .startsWith("harness soak: GET " + server.baseUrl() + "/metrics answered 404")
                    .endsWith("a soak reads the server's resources from its /metrics");
        }
    }

    @Test
    void helpStatesEveryResourceWithItsDefaultBound() {
        String help = CliRun.harness("soak", "--help").out().replaceAll("\\s+", " ");
        for (io.weightsync.soak.Resource r : io.weightsync.soak.Resource.values()) {
            assertThat(help).containsPattern(java.util.regex.Pattern.quote(r.key) + "[^)]*?, "
                    + Math.round(r.defaultBound) + "\\)");
        }
    }

    @Test
    void badFlagsAreUsageErrors() {
        assertThat(CliRun.harness("soak", "--minutes", "1", "--bound", "memory=3").err())
                .contains("unknown resource 'memory' (known: rss_mib, native_mib, heap_mib, open_fds, threads, ndarrays)");
        assertThat(CliRun.harness("soak", "--minutes", "1", "--weight-dir", "/tmp/x").err())
                .contains("--weight-dir needs --base-url");
        assertThat(CliRun.harness("soak", "--minutes", "0.5", "--warmup", "40").err())
                .contains("--warmup must be >= 0 and shorter than the run");
        assertThat(CliRun.harness("soak", "--minutes", "1", "--bound", "rss_mib=-1").exit()).isEqualTo(2);
        assertThat(CliRun.harness("soak").exit()).as("--minutes is required").isEqualTo(2);
        CliRun remote = CliRun.harness("soak", "--minutes", "1", "--base-url", "http://10.1.2.3:8000");
        assertThat(remote.exit()).isEqualTo(2);
        assertThat(remote.err()).contains("--base-url must be a loopback address (127.0.0.1, ::1), was 10.1.2.3");
    }
}
