package io.weightsync.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.weightsync.server.engine.EngineProbe;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that misbehave mid-stream cost the server nothing that outlives them: a stream cut by a
 * TCP reset frees its engine slot, its open-stream count and its native memory; a reader too slow
 * to keep up is disconnected without slowing anyone else down.
 */
class ClientFaultHttpTest {

    /** Streams cut by a reset, all told. */
    private static final int ABRUPT_CLOSES = 1000;
    /**
     * Cut streams open at once (max-batch 256): ten measured waves, so the slope of native memory
     * over eleven readings is steady (docs/TESTING.md).
     */
    private static final int WAVE = 100;
    /** Long enough that no cut stream could finish on its own before it is cut. */
    private static final int CUT_STREAM_MAX_TOKENS = 200;
    /**
     * Uncounted waves first, until the process reaches its working size: the batch shapes, the KV
     * cache pages, the heap, Netty's buffer pools and the JIT's compiled code (after one wave, RSS
     * still grew ~90 MiB in the next, then stayed flat).
     */
    private static final int WARM_UP_WAVES = 2;
    /**
     * Largest slope of malloc in use over the measured waves that passes, KiB per wave: 4 MiB = a
     * leak of 40 KiB per cut stream (its SSE buffers and more). Without a leak the slope stayed
     * within +-2.3 MiB per wave (docs/TESTING.md has the runs); see {@link NativeGrowth} for the
     * statistic.
     */
    private static final long NATIVE_SLOPE_BOUND_KIB_PER_WAVE = 4 * 1024;

    /**
     * Good streams beside the faulty readers, and the bounds on how much the readers may slow them:
     * their p99 ITL (the median of one-second windows') against the same streams beside readers
     * that keep up, and no wait for a token as long as a stall.
     */
    private static final int GOOD_STREAMS = 4;
    private static final int GOOD_MAX_TOKENS = 32;
    private static final double ITL_P99_FACTOR = 3;
    private static final double ITL_P99_SLACK_MILLIS = 20;
    private static final double STALL_MILLIS = 5000;
    /** Baseline and fault each last at least this, so each has a few windows. */
    private static final long PHASE_MILLIS = 3000;
    /** Slow readers take one byte per pause: ~300 B/s against ~50 KB/s produced (chunks of ~2 KiB). */
    private static final int SLOW_READ_PAUSE_MILLIS = 3;
    /** Long streams read slowly, plus one whose reader stops reading once the response head is in. */
    private static final int SLOW_LONG_READERS = 2;
    private static final int STOPPED_READERS = 1;
    /** Short streams read slowly: they fit in the socket buffers and finish. */
    private static final int SLOW_SHORT_READERS = 2;
    private static final int LONG_MAX_TOKENS = 1000;
    private static final int SHORT_MAX_TOKENS = 8;
    private static final int MAX_PENDING_CHUNKS = 32;
    /**
     * The served model name is in every chunk: a 2,000-character one makes each chunk ~2 KiB, so a
     * laggard fills the server's 64 KiB socket buffer in ~100 tokens instead of ~900 (minutes of
     * decoding on a busy 2-core machine). The good streams name no model and carry it too.
     */
    private static final String LONG_MODEL_NAME = "tiny-" + "x".repeat(2000);

    private static final String ABORTS = "harness_requests_finished_total{finished_reason=\"abort\"}";
    private static final String SLOW_READERS_DISCONNECTED = "harness_slow_readers_disconnected_total";

    @TempDir
    Path root;

    @Test
    void thousandStreamsCutByResetFreeEverySlotAndAllTheirMemory() throws Exception {
        try (ServerFixture f = new ServerFixture(root, 256, o -> o)) {
            // each wave is freed before the next opens, and memory is read only when the engine is idle
            for (int wave = 0; wave < WARM_UP_WAVES; wave++) {
                cutWave(f, "warm-up " + wave, WAVE);
                awaitFreed(f, (wave + 1) * WAVE, 30);
            }
            NativeGrowth nativeMemory = new NativeGrowth();
            nativeMemory.read();
            int arraysBefore = EngineProbe.nativeArrays(f.engine);
            double abortsBefore = MetricsScrape.finished(f, "abort");
            double lengthsBefore = MetricsScrape.finished(f, "length");

            long startNanos = System.nanoTime();
            double slowestFreeSeconds = 0;
            for (int wave = 0; wave < ABRUPT_CLOSES / WAVE; wave++) {
                cutWave(f, "wave " + wave, WAVE);
                double freeSeconds = awaitFreed(f, (WARM_UP_WAVES + wave + 1) * WAVE, 30);
                slowestFreeSeconds = Math.max(slowestFreeSeconds, freeSeconds);
                nativeMemory.read();
            }
            double allSeconds = (System.nanoTime() - startNanos) / 1e9;
            int arraysAfter = EngineProbe.nativeArrays(f.engine);
            double aborts = MetricsScrape.finished(f, "abort") - abortsBefore;
            double lengths = MetricsScrape.finished(f, "length") - lengthsBefore;
            HttpResponse<String> next = f.post("/v1/completions",
                    "{\"prompt\":\"still serving\",\"max_tokens\":8,\"ignore_eos\":true}");
            System.out.printf(Locale.ROOT, "[reliability] %d abrupt closes (RST mid-stream, waves of %d, "
                    + "max-batch 256): %d/%d slots freed, at most %.2f s after a wave's last close (%.1f s in all), "
                    + "NDArrays %d -> %d, %s (bound %+.1f MiB per wave), next request %d%n",
                    ABRUPT_CLOSES, WAVE, (long) aborts, ABRUPT_CLOSES, slowestFreeSeconds, allSeconds,
                    arraysBefore, arraysAfter, nativeMemory, NATIVE_SLOPE_BOUND_KIB_PER_WAVE / 1024.0, next.statusCode());

            assertThat(aborts).as("streams counted as aborted").isEqualTo(ABRUPT_CLOSES);
            assertThat(lengths).as("cut streams that ran to max_tokens instead").isZero();
            assertThat(arraysAfter).as("NDArrays alive in the engine").isEqualTo(arraysBefore);
            assertThat(nativeMemory.slopeKiBPerRound()).as("slope of malloc in use per wave of %d cut streams, KiB (%s)",
                    WAVE, nativeMemory).isLessThan(NATIVE_SLOPE_BOUND_KIB_PER_WAVE);
            assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
            assertThat(ServerFixture.json(next.body()).get("usage").get("completion_tokens").asInt()).isEqualTo(8);
        }
    }

    @Test
    void slowReadersAreDisconnectedOrFinishWithoutStallingOtherStreams() throws Exception {
        try (ServerFixture f = new ServerFixture(root, 32, 1024, o -> new ServerOptions(o.host(), o.port(),
                        LONG_MODEL_NAME, null, null, 0, o.maxBodyBytes(), MAX_PENDING_CHUNKS));
                GreedyStreamLoop good = new GreedyStreamLoop(f, GOOD_STREAMS, GOOD_MAX_TOKENS)) {
            int laggards = SLOW_LONG_READERS + STOPPED_READERS;
            // baseline: the same batch, the long streams read at full speed
            List<RawStreamReader> fast = new ArrayList<>();
            for (int i = 0; i < laggards; i++) {
                fast.add(RawStreamReader.start(f, "fast " + i, LONG_MAX_TOKENS, 0));
            }
            good.awaitCompleted(GOOD_STREAMS, 60); // past the first, cold streams
            good.phase();
            Thread.sleep(PHASE_MILLIS);
            GapWindows.Phase baseline = good.phase();
            for (RawStreamReader r : fast) {
                r.cut();
            }

            // the fault, for as long as the baseline and at least until every laggard is disconnected:
            // rounds of long streams read slowly or not at all, each round opened once the previous
            // one is gone, and two short streams read slowly
            List<RawStreamReader> shortOnes = new ArrayList<>();
            for (int i = 0; i < SLOW_SHORT_READERS; i++) {
                shortOnes.add(RawStreamReader.start(f, "slow short " + i, SHORT_MAX_TOKENS, SLOW_READ_PAUSE_MILLIS));
            }
            List<RawStreamReader> longOnes = new ArrayList<>();
            long faultStartNanos = System.nanoTime();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            double slowestDisconnectSeconds = 0;
            do {
                long roundStartNanos = System.nanoTime();
                for (int i = 0; i < laggards; i++) {
                    boolean stopped = i >= SLOW_LONG_READERS;
                    longOnes.add(RawStreamReader.start(f, (stopped ? "stopped " : "slow long ") + longOnes.size(),
                            LONG_MAX_TOKENS, stopped ? RawStreamReader.STOPPED : SLOW_READ_PAUSE_MILLIS));
                }
                while (MetricsScrape.value(f, SLOW_READERS_DISCONNECTED) < longOnes.size()
                        && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                double roundSeconds = (System.nanoTime() - roundStartNanos) / 1e9;
                slowestDisconnectSeconds = Math.max(slowestDisconnectSeconds, roundSeconds);
            } while (System.nanoTime() - faultStartNanos < PHASE_MILLIS * 1_000_000 && System.nanoTime() < deadline);
            GapWindows.Phase duringSlowReads = good.phase();
            good.stop();
            for (RawStreamReader r : shortOnes) {
                r.drain();
            }
            // the laggards have not read again: their connections must be gone all the same, not
            // waiting for them to take what was queued (else each keeps its stream and admission slot)
            double openAfterDisconnect = MetricsScrape.await(f, "harness_open_streams", v -> v == 0, 5);
            f.awaitEngineIdle(10);
            // what each laggard gets when it reads again: at most what was buffered, then the end
            for (RawStreamReader r : longOnes) {
                r.drain();
            }
            String metrics = f.get("/metrics").body();
            double boundMillis = ITL_P99_FACTOR * baseline.medianP99Millis() + ITL_P99_SLACK_MILLIS;
            System.out.printf(Locale.ROOT, "[reliability] slow readers (1 B per %d ms, or none) beside %d streams: "
                    + "%d of %d long streams disconnected, each within %.1f s (max pending %d chunks), %d of %d short "
                    + "ones finished, open streams %.0f after; good streams %d/%d ok, ITL p50/p99/max %s vs %s beside "
                    + "fast readers (p99: median of 1 s windows; bound %.1f ms)%n",
                    SLOW_READ_PAUSE_MILLIS, GOOD_STREAMS,
                    (long) MetricsScrape.value(metrics, SLOW_READERS_DISCONNECTED), longOnes.size(),
                    slowestDisconnectSeconds, MAX_PENDING_CHUNKS,
                    shortOnes.stream().filter(RawStreamReader::sawDone).count(), shortOnes.size(),
                    openAfterDisconnect, good.completed(), good.completed() + good.failures().size(),
                    duringSlowReads.summary(), baseline.summary(), boundMillis);

            assertThat(MetricsScrape.value(metrics, SLOW_READERS_DISCONNECTED)).isEqualTo(longOnes.size());
            assertThat(openAfterDisconnect).as("SSE responses still open after the disconnects").isZero();
            for (RawStreamReader r : longOnes) {
                assertThat(r.sawDone()).as("%s was cut, not finished", r.name).isFalse();
                assertThat(r.tokenChunks()).as("%s: chunks it got", r.name).isLessThan(LONG_MAX_TOKENS);
            }
            for (RawStreamReader r : shortOnes) {
                assertThat(r.sawDone()).as("%s fits in the buffers and finishes", r.name).isTrue();
                assertThat(r.tokenChunks()).as("%s: chunks it got", r.name).isPositive();
            }
            assertThat(good.failures()).isEmpty();
            assertThat(duringSlowReads.count()).as("good tokens while the slow readers read").isPositive();
            assertThat(duringSlowReads.medianP99Millis()).as("good streams' p99 ITL beside slow readers, ms")
                    .isLessThanOrEqualTo(boundMillis);
            assertThat(duringSlowReads.maxMillis()).as("good streams' longest wait for a token, ms")
                    .isLessThan(STALL_MILLIS);
        }
    }

    /**
     * Opens {@code count} streams at once on raw sockets, reads each until its first token chunk,
     * then closes it with SO_LINGER 0, so the kernel sends RST instead of FIN: a client killed
     * mid-stream, not one that says goodbye.
     */
    private static void cutWave(ServerFixture f, String name, int count) throws IOException {
        List<Socket> sockets = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                Socket s = new Socket();
                sockets.add(s);
                s.connect(new InetSocketAddress("127.0.0.1", f.server.port()), 5000);
                s.setSoTimeout(30_000);
                s.setSoLinger(true, 0);
                byte[] body = ("{\"prompt\":\"cut " + name + " " + i + "\",\"max_tokens\":" + CUT_STREAM_MAX_TOKENS
                        + ",\"stream\":true,\"ignore_eos\":true}").getBytes(StandardCharsets.UTF_8);
                OutputStream out = s.getOutputStream();
                out.write(RawHttp.postJson("/v1/completions", body));
                out.flush();
            }
            byte[] buffer = new byte[8192];
            for (int i = 0; i < count; i++) {
                Socket s = sockets.get(i);
                String seen = readUntilFirstToken(s.getInputStream(), buffer);
                assertThat(seen).as("%s stream %d before its cut", name, i).startsWith("HTTP/1.1 200")
                        .doesNotContain("[DONE]").doesNotContain("\"finish_reason\":\"");
                s.close();
            }
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    private static String readUntilFirstToken(InputStream in, byte[] buffer) throws IOException {
        StringBuilder seen = new StringBuilder();
        while (!seen.toString().contains("data: {")) {
            int n = in.read(buffer);
            if (n < 0) {
                throw new AssertionError("stream ended before its first token: " + seen);
            }
            seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
        return seen.toString();
    }

    /**
     * Waits until the engine holds no request, no SSE response is open, and {@code aborts} aborts
     * are counted in all.
     *
     * @return seconds it took
     */
    private static double awaitFreed(ServerFixture f, int aborts, int seconds) throws Exception {
        long startNanos = System.nanoTime();
        long deadline = startNanos + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            String metrics = f.get("/metrics").body();
            if (f.engine.stats().running() == 0 && f.engine.stats().waiting() == 0
                    && MetricsScrape.value(metrics, "harness_open_streams") == 0
                    && MetricsScrape.value(metrics, ABORTS) >= aborts) {
                return (System.nanoTime() - startNanos) / 1e9;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("not freed within " + seconds + " s: " + f.engine.stats() + ", open streams "
                + MetricsScrape.value(f, "harness_open_streams") + ", aborts "
                + MetricsScrape.finished(f, "abort") + " of " + aborts);
    }
}
