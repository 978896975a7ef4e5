package io.weightsync.cli.analyze;

import static io.weightsync.cli.CliRun.harness;
import static org.assertj.core.api.Assertions.assertThat;

import io.weightsync.analyze.GoldenLogs;
import io.weightsync.cli.CliRun;
import io.weightsync.cli.HarnessCli;
import io.weightsync.core.events.WeightsEvent;
import io.weightsync.core.report.Report;
import io.weightsync.core.report.ReportJson;
import io.weightsync.core.trace.TraceId;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnalyzeFollowCommandTest {

    @TempDir
    Path dir;

    @Test
    void gzipLogIsRefusedWithOneLineAndExitTwo() throws Exception {
        Path gz = GoldenLogs.gzip(GoldenLogs.dir("shared-pool").resolve("server.log"), dir);
        CliRun r = harness("analyze", "--follow", gz.toString(), "--out", dir.resolve("o").toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo(gz + ": --follow reads plain text logs only; use `./harness analyze` for gzip");
        assertThat(dir.resolve("o")).doesNotExist();
    }

    @Test
    void aFolderIsNotALogAndExitsOneAsAnalyzeDoes() {
        CliRun r = harness("analyze", "--follow", dir.toString(), "--out", dir.resolve("o").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo(dir + ": not a regular file");
    }

    @Test
    void anOutFolderItCannotWriteIsRefusedBeforeItFollowsAnything() throws Exception {
        Path log = Files.writeString(dir.resolve("orchestrator.log"), "");
        Path notAFolder = Files.writeString(dir.resolve("taken"), "a file"); // root may write anywhere: a file blocks it
        CliRun r = harness("analyze", "--follow", log.toString(), "--out", notAFolder.resolve("o").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("harness analyze: --out " + notAFolder.resolve("o") + " cannot be written");
    }

    @Test
    void everyAndGraceAreValidatedAndNeedFollow() {
        String log = dir.resolve("x.log").toString();
        CliRun zero = harness("analyze", "--follow", log, "--every", "0");
        assertThat(zero.exit()).isEqualTo(2);
        assertThat(zero.err()).contains("--every must be > 0");
        assertThat(harness("analyze", "--follow", log, "--every", "-1").exit()).isEqualTo(2);
        assertThat(harness("analyze", "--follow", log, "--every", "NaN").exit()).isEqualTo(2);
        assertThat(harness("analyze", "--follow", log, "--every", "soon").exit()).isEqualTo(2);
        CliRun grace = harness("analyze", "--follow", log, "--grace", "-0.5");
        assertThat(grace.exit()).isEqualTo(2);
        assertThat(grace.err()).contains("--grace must be 0 to 3600 seconds");

        CliRun noFollow = harness("analyze", GoldenLogs.dir("shared-pool").resolve("server.log").toString(),
                "--every", "5", "--out", dir.resolve("o").toString());
        assertThat(noFollow.exit()).isEqualTo(2);
        assertThat(noFollow.err()).contains("--every needs --follow");
    }

    @Test
    void helpDescribesTheLiveMonitor() {
        CliRun r = harness("analyze", "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("--follow", "--every", "--grace", "Ctrl-C writes",
                "--follow: the live monitor", "--follow: plain only");
    }

    /**
     * The real thing: {@code ./harness analyze --follow} in its own JVM, stopped by a signal from {@code
     * kill}. SIGINT (Ctrl-C) when the child's JVM catches it; a JVM whose parent ignored SIGINT (a
     * non-interactive background job) inherits that and never sees it, so then SIGTERM, which runs the
     * same shutdown hook. Which one was sent is printed. ({@link Process#destroy()} would close the
     * child's output before its last lines could be read.)
     */
    @Test
    void aStopSignalWritesSummaryAndReportForEveryLineSeen() throws Exception {
        Path log = Files.createFile(dir.resolve("run.log"));
        Path out = dir.resolve("out");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                HarnessCli.class.getName(), "analyze", "--follow", log.toString(), "--out", out.toString())
                .redirectErrorStream(true).start();
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (java.io.IOException ignored) {

                // the process ended
            }
        }, "follow-child-output");
        reader.setDaemon(true);
        reader.start();
        try {
            awaitLine(lines, " following 1 log(s)");
            TraceId trace = new TraceId(0xbeefL);
            long send = 1_764_345_600_000L;
            Files.writeString(log, String.join("\n",
                    new WeightsEvent.ClientSend(trace, send).toLine(),
                    new WeightsEvent.ServerRecv(trace, send + 9000).toLine(),
                    new WeightsEvent.RpcStart(trace, send + 9001).toLine(),
                    new WeightsEvent.RpcDone(trace, send + 9061, 60).toLine(),
                    WeightsEvent.ClientDone.of(trace, 9070, 60).toLine()) + "\n", StandardOpenOption.APPEND);
            awaitLine(lines, "update 000000000000beef");

            String signal = catchesSigint(p.pid()) ? "INT" : "TERM";
            System.out.println("analyze --follow child JVM stopped with SIG" + signal);
            assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start()
                    .waitFor()).isZero();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the monitor exits after the signal").isTrue();
            assertThat(p.exitValue()).isEqualTo(128 + ("INT".equals(signal) ? 2 : 15));
            awaitLine(lines, "verdict: frontend_queue (critical)");
            Report report = ReportJson.read(out.resolve("report.json"));
            assertThat(report.counters()).containsEntry("updates", 1L);
            assertThat(Files.readString(out.resolve("SUMMARY.md"))).startsWith("# Analysis: frontend_queue (critical)");
        } finally {
            p.destroyForcibly();
        }
    }

    /** Whether the process has a handler for SIGINT (bit 2 of SigCgt in /proc/PID/status, Linux). */
    private static boolean catchesSigint(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("SigCgt:")) {
                    return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << (2 - 1))) != 0;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // no /proc: SIGTERM, which every JVM handles
        }
        return false;
    }

    private static void awaitLine(LinkedBlockingQueue<String> lines, String containing) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<String> seen = new java.util.ArrayList<>();
        while (System.nanoTime() < end) {
            String line = lines.poll(end - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line == null) {
                break;
            }
            seen.add(line);
            if (line.contains(containing)) {
                return;
            }
        }
        throw new AssertionError("no line containing '" + containing + "' within 30 s; saw: " + seen);
    }
}
