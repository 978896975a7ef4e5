package io.weightsync.analyze.follow;

import static org.assertj.core.api.Assertions.assertThat;

import io.weightsync.analyze.Analyzer;
import io.weightsync.analyze.GoldenLogs;
import io.weightsync.analyze.Numbers;
import io.weightsync.analyze.SummaryWriter;
import io.weightsync.analyze.Thresholds;
import io.weightsync.core.events.WeightsEvent;
import io.weightsync.core.report.MetricSummary;
import io.weightsync.core.report.Report;
import io.weightsync.core.report.RunInfo;
import io.weightsync.core.trace.TraceId;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live monitor on real files that a test appends to while it runs on its own thread.
 *
 * <p>Timing: nothing here waits a fixed time for something to happen; every wait is for a line, with a
 * {@link #DEADLINE} far above what it takes. The one latency bound, {@link #PROMPT}, is the "within
 * a second of the line landing": the monitor polls every 150 ms, so a line lands at most one poll
 * before it is read, and the rest is the time to parse a few lines; 1 s leaves ~850 ms for a busy
 * 2-core machine to schedule the monitor's thread. Lower bounds (the rolling line not before
 * {@code --every}, the grace) hold by construction, whatever the load.
 */
class LiveMonitorTest {

    /** The bound for printing an update after its last line lands; see the class comment. */
    private static final Duration PROMPT = Duration.ofSeconds(1);
    /** How long a wait for a line lasts before the test fails; only reached when the line never comes. */
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    /** The clock for the printed time of day: a fixed one, so lines read the same on every run. */
    private static final Clock NOON = Clock.fixed(Instant.parse("2026-01-01T12:00:00Z"), ZoneOffset.UTC);
    private static final long T0 = 1_764_345_600_000L;

    @TempDir
    Path dir;

    private final List<Running> running = new ArrayList<>();

    /** A monitor on its own thread, its output and its result. */
    private record Running(LiveMonitor monitor, TimedLines out, TimedLines err,
            CompletableFuture<Analyzer.Analysis> result) {
        Analyzer.Analysis stop() throws Exception {
            monitor.stop();
            return result.get(30, TimeUnit.SECONDS);
        }
    }

    private Running start(FollowOptions options, Path... logs) throws InterruptedException {
        TimedLines out = new TimedLines();
        TimedLines err = new TimedLines();
        LiveMonitor monitor = new LiveMonitor(List.of(logs), Thresholds.DEFAULTS, 65536, options, out.printWriter(),
                err.printWriter(), NOON, System::nanoTime);
        CompletableFuture<Analyzer.Analysis> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(monitor.run(new RunInfo("follow-test", null, null, null, null, null), Map.of()));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, "live-monitor-test");
        thread.setDaemon(true);
        thread.start();
        Running r = new Running(monitor, out, err, result);
        running.add(r);
        out.awaitOrFail(l -> l.contains(" following "), DEADLINE, "'following'");
        return r;
    }

    @AfterEach
    void stopAll() {
        running.forEach(r -> r.monitor().stop());
    }

    private static void append(Path log, String text) throws IOException {
        Files.writeString(log, text, StandardCharsets.ISO_8859_1, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static String lines(String... lines) {
        return String.join("\n", lines) + "\n";
    }

    private static TraceId trace(int i) {
        return new TraceId(0xa0L + i);
    }

    /** The server's three lines of update i: received 8 s after the send (the bug), loaded in 55 ms. */
    private static String serverLines(int i) {
        long send = T0 + i * 60_000L;
        return lines("(APIServer pid=1234) INFO [api_server.py:99] " + new WeightsEvent.ServerRecv(trace(i), send + 8000).toLine(),
                "(EngineCore_0 pid=1301) INFO [worker.py:212] " + new WeightsEvent.RpcStart(trace(i), send + 8001).toLine(),
                "(EngineCore_0 pid=1301) INFO [worker.py:230] " + new WeightsEvent.RpcDone(trace(i), send + 8056, 55).toLine());
    }

    private static String clientSend(int i) {
        return lines("2026-01-01 12:00:00.000 | INFO | orchestrator - "
                + new WeightsEvent.ClientSend(trace(i), T0 + i * 60_000L).toLine());
    }

    private static String clientDone(int i) {
        return lines("2026-01-01 12:00:08.060 | INFO | orchestrator - "
                + WeightsEvent.ClientDone.of(trace(i), 8060, 55).toLine());
    }

    private static Analyzer.Analysis batch(Path... logs) throws IOException {
        Analyzer analyzer = new Analyzer(Thresholds.DEFAULTS);
        for (Path log : logs) {
            analyzer.scan(log);
        }
        return analyzer.finish(new RunInfo("batch", null, null, null, null, null), Map.of());
    }

    private static void assertSameAnalysis(Analyzer.Analysis follow, Analyzer.Analysis batch) {
        Report f = follow.report();
        Report b = batch.report();
        assertThat(f.metrics()).isEqualTo(b.metrics());
        assertThat(f.histograms()).isEqualTo(b.histograms());
        assertThat(f.counters()).isEqualTo(b.counters());
        assertThat(f.diagnosis()).isEqualTo(b.diagnosis());
        assertThat(SummaryWriter.markdown(follow)).isEqualTo(SummaryWriter.markdown(batch));
    }

    @Test
    void printsEachUpdateWithinASecondOfItsLastLineLanding() throws Exception {
        Path client = dir.resolve("orchestrator.log");
        Path server = dir.resolve("server.log");
        Files.createFile(client);
        Files.createFile(server);
        Running r = start(FollowOptions.DEFAULTS, client, server);

        List<Long> latenciesMillis = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 8; i++) {
            append(client, clientSend(i));
            append(server, serverLines(i));
            int from = r.out().size();
            Thread.sleep(random.nextInt(200)); // land anywhere in the monitor's poll cycle, not just after a print
            append(client, clientDone(i));
            long landed = System.nanoTime();
            String id = trace(i).toString();
            TimedLines.Line printed = r.out().await(from, l -> l.contains("update " + id), DEADLINE)
                    .orElseThrow(() -> new AssertionError("update " + id + " never printed:\n" + r.out().text()));
            assertThat(printed.text()).isEqualTo("12:00:00 update " + id
                    + " recv_gap_ms=8000 server_wait_ms=1 rpc_ms=55 queue_ms=8005 wall_ms=8060");
            latenciesMillis.add((printed.nanos() - landed) / 1_000_000);
        }
        System.out.println("analyze --follow: update line printed this many ms after its client.done landed: "
                + latenciesMillis);
        assertThat(latenciesMillis).allSatisfy(ms -> assertThat(ms).isLessThan(PROMPT.toMillis()));
        assertThat(r.err().text()).isEmpty();
        assertThat(r.stop().report().counters()).containsEntry("updates", 8L).containsEntry("files", 2L);
    }

    @Test
    void rollingLineGivesP50AndP99OfQueueAndRpcAndTheDiagnosisEveryInterval() throws Exception {
        Path client = dir.resolve("orchestrator.log");
        Path server = dir.resolve("server.log");
        Files.createFile(client);
        Files.createFile(server);
        Duration every = Duration.ofSeconds(1);
        Running r = start(new FollowOptions(every, FollowOptions.DEFAULT_POLL, FollowOptions.DEFAULT_GRACE), client, server);
        long startedNanos = r.out().lines().get(0).nanos();

        Path healthy = GoldenLogs.dir("dedicated-admin");
        append(server, Files.readString(healthy.resolve("server.log"), StandardCharsets.ISO_8859_1));
        append(client, Files.readString(healthy.resolve("orchestrator.log"), StandardCharsets.ISO_8859_1));
        Analyzer.Analysis expected = batch(healthy.resolve("server.log"), healthy.resolve("orchestrator.log"));
        TimedLines.Line rolling = r.out().awaitOrFail(l -> l.contains(" so far: 3 updates"), DEADLINE, "with 3 updates");
        assertThat(rolling.text()).endsWith(expectedRolling(expected)).contains("diagnosis: healthy");

        Path bug = GoldenLogs.dir("shared-pool");
        append(server, Files.readString(bug.resolve("server.log"), StandardCharsets.ISO_8859_1));
        append(client, Files.readString(bug.resolve("orchestrator.log"), StandardCharsets.ISO_8859_1));
        Analyzer.Analysis both = batch(healthy.resolve("server.log"), healthy.resolve("orchestrator.log"),
                bug.resolve("server.log"), bug.resolve("orchestrator.log"));
        rolling = r.out().awaitOrFail(l -> l.contains(" so far: 6 updates"), DEADLINE, "with 6 updates");
        assertThat(rolling.text()).endsWith(expectedRolling(both)).contains("diagnosis: frontend_queue (critical)");

        // the k-th rolling line comes no sooner than k intervals after the start (the loop's schedule)
        List<TimedLines.Line> rollingLines = r.out().lines().stream().filter(l -> l.text().contains(" so far: ")).toList();
        List<Long> afterStartMillis = new ArrayList<>();
        for (int k = 0; k < rollingLines.size(); k++) {
            long after = rollingLines.get(k).nanos() - startedNanos;
            afterStartMillis.add(after / 1_000_000);
            assertThat(after).isGreaterThanOrEqualTo((k + 1) * every.toNanos());
        }
        System.out.println("analyze --follow --every 1: rolling lines at these ms after the start: " + afterStartMillis);
        r.stop();
    }

    /** What the rolling line says for the analysis of the same lines: its numbers as the batch report has them. */
    private static String expectedRolling(Analyzer.Analysis analysis) {
        MetricSummary queue = analysis.report().metrics().get("weights.queue_ms");
        MetricSummary rpc = analysis.report().metrics().get("weights.rpc_ms");
        return "; queue_ms p50=" + Numbers.reading(queue.p50()) + " p99=" + Numbers.reading(queue.p99())
                + "; rpc_ms p50=" + Numbers.reading(rpc.p50()) + " p99=" + Numbers.reading(rpc.p99())
                + "; diagnosis: " + SummaryWriter.verdict(analysis.report());
    }

    @Test
    void whatItWritesAtTheEndIsWhatTheBatchAnalyzerWritesForTheSameLines() throws Exception {
        Path run = GoldenLogs.dir("shared-pool");
        Path server = Files.copy(run.resolve("server.log"), dir.resolve("server.log"));
        Path client = Files.createFile(dir.resolve("orchestrator.log"));
        // a 10 ms poll, and the client log appended in pieces of 1-200 bytes: polls cut lines anywhere
        Running r = start(FollowOptions.DEFAULTS.withPoll(Duration.ofMillis(10)), server, client);
        byte[] bytes = Files.readAllBytes(run.resolve("orchestrator.log"));
        SplittableRandom random = new SplittableRandom(20);
        for (int at = 0; at < bytes.length; ) {
            int n = Math.min(bytes.length - at, 1 + random.nextInt(200));
            try (FileChannel ch = FileChannel.open(client, StandardOpenOption.APPEND)) {
                ch.write(java.nio.ByteBuffer.wrap(bytes, at, n));
            }
            at += n;
            Thread.sleep(random.nextInt(15));
        }
        r.out().awaitOrFail(l -> l.contains("update 00000000000000c3"), DEADLINE, "for the last complete update");
        Analyzer.Analysis follow = r.stop();

        // the orchestrator log ends without a newline: that last line counts at the end, as in the batch
        assertSameAnalysis(follow, batch(run.resolve("server.log"), run.resolve("orchestrator.log")));
        assertThat(r.out().text()).contains("update 3f9a0c21d4e5b6a7", "update 00000000000000b2",
                "update 00000000000000c3").doesNotContain("00000000000000d4");
        assertThat(r.err().text()).contains("malformed: orchestrator.log:", "trunc_pct: 'abc' is not a number");
    }

    @Test
    void aLineWithoutItsNewlineWaitsForIt() throws Exception {
        Path client = Files.createFile(dir.resolve("orchestrator.log"));
        Running r = start(FollowOptions.DEFAULTS.withPoll(Duration.ofMillis(20)), client);
        append(client, clientSend(0));
        String done = clientDone(0);
        append(client, done.substring(0, done.length() - 3)); // "... queue_ms=80", no newline

        // many polls go by; a monitor that took the half line would print queue_ms=80 now
        assertThat(r.out().await(0, l -> l.contains("update "), Duration.ofMillis(600))).isEmpty();
        append(client, done.substring(done.length() - 3));
        TimedLines.Line printed = r.out().awaitOrFail(l -> l.contains("update "), DEADLINE, "for the update");
        assertThat(printed.text()).contains("queue_ms=8005 ").endsWith("missing=server.recv,rpc.start,rpc.done");
        r.stop();
    }

    @Test
    void aRotatedLogIsFinishedAndTheNewFileReadFromItsStart() throws Exception {
        Path log = dir.resolve("run.log");
        append(log, clientSend(0) + serverLines(0) + clientDone(0));
        Running r = start(FollowOptions.DEFAULTS, log);
        append(log, clientSend(1) + serverLines(1) + clientDone(1));
        r.out().awaitOrFail(l -> l.contains("update " + trace(1)), DEADLINE, "for update 1");

        Path rotated = Files.move(log, dir.resolve("run.log.1"));
        append(log, clientSend(2) + serverLines(2) + clientDone(2));
        r.err().awaitOrFail(l -> l.startsWith("run.log: rotated"), DEADLINE, "noting the rotation");
        r.out().awaitOrFail(l -> l.contains("update " + trace(2)), DEADLINE, "for update 2, in the new file");
        Analyzer.Analysis follow = r.stop();

        assertThat(r.out().text()).doesNotContain("update " + trace(0)); // it was there before the monitor started
        assertThat(follow.report().counters()).containsEntry("files", 2L).containsEntry("updates", 3L);
        assertSameAnalysis(follow, batch(rotated, log));
    }

    @Test
    void aTruncatedLogIsReadAgainFromItsStart() throws Exception {
        Path log = dir.resolve("run.log");
        String before = clientSend(0) + serverLines(0) + clientDone(0) + clientSend(1) + serverLines(1) + clientDone(1);
        append(log, before);
        Running r = start(FollowOptions.DEFAULTS, log);
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
            ch.truncate(0); // what logrotate's copytruncate does, on the same file
        }
        r.err().awaitOrFail(l -> l.startsWith("run.log: truncated to 0 bytes (had read " + before.length() + ")"),
                DEADLINE, "noting the truncation");
        String after = clientSend(2) + serverLines(2) + clientDone(2);
        append(log, after);
        r.out().awaitOrFail(l -> l.contains("update " + trace(2)), DEADLINE, "for update 2, after the truncation");
        Analyzer.Analysis follow = r.stop();

        Path first = Files.writeString(dir.resolve("first.log"), before, StandardCharsets.ISO_8859_1);
        assertThat(follow.report().counters()).containsEntry("files", 2L).containsEntry("updates", 3L);
        assertSameAnalysis(follow, batch(first, log));
    }

    @Test
    void anUpdateMissingItsServerLinesIsPrintedAfterTheGraceAndAgainWhenTheyCome() throws Exception {
        Path client = Files.createFile(dir.resolve("orchestrator.log"));
        Path server = Files.createFile(dir.resolve("server.log"));
        Duration grace = Duration.ofMillis(500);
        Running r = start(new FollowOptions(Duration.ofSeconds(60), FollowOptions.DEFAULT_POLL, grace), client, server);
        append(server, serverLines(0)); // the run has a server log with lines in it
        append(client, clientSend(0) + clientDone(0));
        r.out().awaitOrFail(l -> l.contains("update " + trace(0)), DEADLINE, "for update 0");

        long landed = System.nanoTime(); // before the append: the monitor's grace cannot start earlier
        append(client, clientSend(1) + clientDone(1));
        TimedLines.Line early = r.out().awaitOrFail(l -> l.contains("update " + trace(1)), DEADLINE, "for update 1");
        assertThat(early.text()).endsWith(" rpc_ms=55 queue_ms=8005 wall_ms=8060 missing=server.recv,rpc.start,rpc.done");
        assertThat(early.nanos() - landed).isGreaterThanOrEqualTo(grace.toNanos());

        append(server, serverLines(1));
        TimedLines.Line late = r.out().awaitOrFail(l -> l.contains("update " + trace(1) + " ") && l.endsWith(" late"),
                DEADLINE, "for update 1 complete");
        assertThat(late.text()).contains("recv_gap_ms=8000 server_wait_ms=1");
        assertThat(r.stop().report().counters()).containsEntry("updates", 2L);
    }

    @Test
    void aServerLogAlonePrintsEachUpdateAtItsRpcDone() throws Exception {
        Path server = Files.createFile(dir.resolve("server.log"));
        Running r = start(FollowOptions.DEFAULTS, server);
        append(server, serverLines(0));
        TimedLines.Line printed = r.out().awaitOrFail(l -> l.contains("update "), DEADLINE, "for update 0");
        assertThat(printed.text()).endsWith("update " + trace(0)
                + " recv_gap_ms=- server_wait_ms=1 rpc_ms=55 queue_ms=- wall_ms=- missing=client.send,client.done");
        r.stop();
    }

    @Test
    void aLogNotThereYetIsWaitedFor() throws Exception {
        Path log = dir.resolve("later.log");
        Running r = start(FollowOptions.DEFAULTS, log);
        r.err().awaitOrFail(l -> l.equals("later.log: not there yet; waiting for it to appear"), DEADLINE, "waiting");
        append(log, clientSend(0) + serverLines(0) + clientDone(0));
        r.out().awaitOrFail(l -> l.contains("update " + trace(0)), DEADLINE, "for update 0");
        assertSameAnalysis(r.stop(), batch(log));
    }

    @Test
    void gzipLogsAreRefusedByNameOrByTheirMagicBytes() throws Exception {
        Path named = dir.resolve("server.log.gz");
        Path disguised = GoldenLogs.gzip(GoldenLogs.dir("shared-pool").resolve("server.log"), dir);
        Path plain = Files.move(disguised, dir.resolve("looks-plain.log"));
        Path text = Files.writeString(dir.resolve("text.log"), "hello\n");

        String gzip = ": --follow reads plain text logs only; use `./harness analyze` for gzip";
        assertThat(LiveMonitor.refusal(named)).hasValue(new LiveMonitor.Refusal(named + gzip, 2));
        assertThat(LiveMonitor.refusal(plain)).hasValue(new LiveMonitor.Refusal(plain + gzip, 2));
        assertThat(LiveMonitor.refusal(text)).isEmpty();
        assertThat(LiveMonitor.refusal(dir.resolve("not-yet.log"))).isEmpty();
        assertThat(LiveMonitor.refusal(dir)).hasValue(new LiveMonitor.Refusal(dir + ": not a regular file", 1));
    }
}
