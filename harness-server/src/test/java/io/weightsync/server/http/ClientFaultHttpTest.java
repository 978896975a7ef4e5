package io.weightsync.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.weightsync.server.engine.EngineProbe;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
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
    /** Cut streams open at once: a full batch (max-batch 256), as many as the 2-core test machine decodes comfortably. */
    private static final int WAVE = 250;
    /** Long enough that no cut stream could finish on its own before it is cut. */
    private static final int CUT_STREAM_MAX_TOKENS = 200;
    /**
     * Uncounted waves first, until the process reaches its working size: the batch shapes, the KV
     * cache pages, the heap, Netty's buffer pools and the JIT's compiled code (after one wave, RSS
     * still grew ~90 MiB in the next, then stayed flat).
     */
    private static final int WARM_UP_WAVES = 2;
    private static final long RSS_GROWTH_BOUND_KIB = 64 * 1024;

    /** Good streams beside the faulty readers, and the bound on how much the readers may slow them. */
    private static final int GOOD_STREAMS = 4;
    private static final int GOOD_MAX_TOKENS = 32;
    private static final double ITL_P99_FACTOR = 3;
    private static final double ITL_P99_SLACK_MILLIS = 20;
    /** Readers that take one byte every {@link #SLOW_READ_PAUSE_MILLIS}: ~300 B/s against ~10 KB/s produced. */
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

    @TempDir
    Path root;

    @Test
    void thousandStreamsCutByResetFreeEverySlotAndAllTheirMemory() throws Exception {
        try (ServerFixture f = new ServerFixture(root, 256, o -> o)) {
            // each wave is freed before the next opens, and RSS is read only when the engine is idle;
            // even so the allocator's idle working set varies by tens of MiB from one reading to the
            // next, so the baseline is the highest idle reading over the warm-up waves
            long rssBeforeKiB = 0;
            for (int wave = 0; wave < WARM_UP_WAVES; wave++) {
                cutWave(f, "warm-up " + wave, WAVE);
                awaitFreed(f, (wave + 1) * WAVE, 30);
                rssBeforeKiB = Math.max(rssBeforeKiB, idleRssKiB());
            }
            int arraysBefore = EngineProbe.nativeArrays(f.engine);
            double abortsBefore = MetricsScrape.finished(f, "abort");
            double lengthsBefore = MetricsScrape.finished(f, "length");

            long startNanos = System.nanoTime();
            double slowestFreeSeconds = 0;
            for (int wave = 0; wave < ABRUPT_CLOSES / WAVE; wave++) {
                cutWave(f, "wave " + wave, WAVE);
                slowestFreeSeconds = Math.max(slowestFreeSeconds, awaitFreed(f, (WARM_UP_WAVES + wave + 1) * WAVE, 30));
            }
            double allSeconds = (System.nanoTime() - startNanos) / 1e9;
            int arraysAfter = EngineProbe.nativeArrays(f.engine);
            long rssGrowthKiB = idleRssKiB() - rssBeforeKiB;
            double aborts = MetricsScrape.finished(f, "abort") - abortsBefore;
            double lengths = MetricsScrape.finished(f, "length") - lengthsBefore;
            java.net.http.HttpResponse<String> next = f.post("/v1/completions",
                    "{\"prompt\":\"still serving\",\"max_tokens\":8,\"ignore_eos\":true}");
            System.out.printf(Locale.ROOT, "[reliability] %d abrupt closes (RST mid-stream, waves of %d, max-batch 256): "
                    + "%d/%d slots freed, at most %.2f s after a wave's last close (%.1f s in all), "
                    + "NDArrays %d -> %d, RSS %+d MiB over the warm-up's (bound %d), next request %d%n",
                    ABRUPT_CLOSES, WAVE, (long) aborts, ABRUPT_CLOSES, slowestFreeSeconds, allSeconds,
                    arraysBefore, arraysAfter, rssGrowthKiB >> 10, RSS_GROWTH_BOUND_KIB >> 10, next.statusCode());

            assertThat(aborts).as("streams counted as aborted").isEqualTo(ABRUPT_CLOSES);
            assertThat(lengths).as("cut streams that ran to max_tokens instead").isZero();
            assertThat(arraysAfter).as("NDArrays alive in the engine").isEqualTo(arraysBefore);
            assertThat(rssGrowthKiB).as("RSS growth, KiB").isLessThan(RSS_GROWTH_BOUND_KIB);
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
            good.awaitCompleted(good.completed() + 2 * GOOD_STREAMS, 60);
            Histogram baseline = good.phase();
            for (RawStreamReader r : fast) {
                r.cut();
            }

            // the fault, for as long as the baseline lasted (in good streams) and at least until
            // every laggard is disconnected: rounds of long streams read slowly or not at all, each
            // round opened once the previous one is gone, and two short streams read slowly
            List<RawStreamReader> shortOnes = new ArrayList<>();
            for (int i = 0; i < SLOW_SHORT_READERS; i++) {
                shortOnes.add(RawStreamReader.start(f, "slow short " + i, SHORT_MAX_TOKENS, SLOW_READ_PAUSE_MILLIS));
            }
            List<RawStreamReader> longOnes = new ArrayList<>();
            int faultUntilCompleted = good.completed() + 2 * GOOD_STREAMS;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            double slowestDisconnectSeconds = 0;
            do {
                long roundStartNanos = System.nanoTime();
                for (int i = 0; i < laggards; i++) {
                    boolean stopped = i >= SLOW_LONG_READERS;
                    longOnes.add(RawStreamReader.start(f, (stopped ? "stopped " : "slow long ") + longOnes.size(),
                            LONG_MAX_TOKENS, stopped ? RawStreamReader.STOPPED : SLOW_READ_PAUSE_MILLIS));
                }
                while (MetricsScrape.value(f, "harness_slow_readers_disconnected_total") < longOnes.size()
                        && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                slowestDisconnectSeconds = Math.max(slowestDisconnectSeconds, (System.nanoTime() - roundStartNanos) / 1e9);
            } while (good.completed() < faultUntilCompleted && System.nanoTime() < deadline);
            Histogram duringSlowReads = good.phase();
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
            double baselineP99Millis = baseline.getValueAtPercentile(99) / 1e3;
            double slowP99Millis = duringSlowReads.getValueAtPercentile(99) / 1e3;
            double boundMillis = ITL_P99_FACTOR * baselineP99Millis + ITL_P99_SLACK_MILLIS;
            System.out.printf(Locale.ROOT, "[reliability] slow readers (1 B per %d ms, or none) beside %d streams: "
                    + "%d of %d long streams disconnected, each within %.1f s (max pending %d chunks), %d of %d short "
                    + "ones finished, open streams %.0f after; good streams %d/%d ok, ITL p50/p99/max "
                    + "%.1f/%.1f/%.1f ms vs %.1f/%.1f/%.1f ms beside fast readers (bound p99 %.1f ms)%n",
                    SLOW_READ_PAUSE_MILLIS, GOOD_STREAMS, (long) MetricsScrape.value(metrics, "harness_slow_readers_disconnected_total"),
                    longOnes.size(), slowestDisconnectSeconds, MAX_PENDING_CHUNKS,
                    shortOnes.stream().filter(RawStreamReader::sawDone).count(), shortOnes.size(),
                    openAfterDisconnect, good.completed(), good.completed() + good.failures().size(),
                    duringSlowReads.getValueAtPercentile(50) / 1e3, slowP99Millis, duringSlowReads.getMaxValue() / 1e3,
                    baseline.getValueAtPercentile(50) / 1e3, baselineP99Millis, baseline.getMaxValue() / 1e3,
                    boundMillis);

            assertThat(MetricsScrape.value(metrics, "harness_slow_readers_disconnected_total")).isEqualTo(longOnes.size());
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
            assertThat(duringSlowReads.getTotalCount()).as("good tokens while the slow readers read").isPositive();
            assertThat(slowP99Millis).as("good streams' p99 ITL beside slow readers, ms").isLessThanOrEqualTo(boundMillis);
        }
    }



    /**
     * One streaming completion on a raw socket with a small receive window, read on its own thread
     * at full speed, one byte per pause, or not at all until {@link #drain()}.
     */
    private static final class RawStreamReader {
        /** A pause that means: read nothing until drained. */
        static final int STOPPED = -1;
        final String name;
        private final Socket socket;
        private final Thread thread;
        private final StringBuilder seen = new StringBuilder();
        /** Milliseconds between two one-byte reads; 0 reads at full speed. */
        private volatile int pauseMillis;
        private volatile boolean ended;

        private RawStreamReader(String name, Socket socket, int pauseMillis) {
            this.name = name;
            this.socket = socket;
            this.pauseMillis = pauseMillis;
            this.thread = new Thread(this::read, name);
            thread.setDaemon(true);
        }

        static RawStreamReader start(ServerFixture f, String name, int maxTokens, int pauseMillis) throws IOException {
            Socket socket = new Socket();
            socket.setReceiveBufferSize(4096); // before connect, so the window stays small
            socket.connect(new InetSocketAddress("127.0.0.1", f.server.port()), 5000);
            socket.setSoTimeout(30_000);
            byte[] body = ("{\"prompt\":\"" + name + "\",\"max_tokens\":" + maxTokens
                    + ",\"stream\":true,\"ignore_eos\":true}").getBytes(StandardCharsets.UTF_8);
            socket.getOutputStream().write(RawHttp.postJson("/v1/completions", body));
            RawStreamReader reader = new RawStreamReader(name, socket, pauseMillis);
            reader.thread.start();
            return reader;
        }

        private void read() {
            byte[] buffer = new byte[8192];
            try {
                InputStream in = socket.getInputStream();
                for (int n = 0; n >= 0; ) {
                    int pause = pauseMillis;
                    if (pause != 0) {
                        try {
                            Thread.sleep(pause == STOPPED ? Long.MAX_VALUE : pause);
                        } catch (InterruptedException drained) {
                            continue; // pauseMillis is 0 from now on
                        }
                    }
                    n = in.read(buffer, 0, pause > 0 ? 1 : buffer.length);
                    if (n > 0) {
                        synchronized (seen) {
                            seen.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                        }
                    }
                }
            } catch (IOException e) {
                // reset by the server or cut by the test: the end of this stream either way
            } finally {
                ended = true;
            }
        }

        /** Reads the rest at full speed and waits for the stream to end. */
        void drain() throws InterruptedException, IOException {
            pauseMillis = 0;
            thread.interrupt(); // out of its pause; a read in progress is not interrupted and goes on
            thread.join(30_000);
            assertThat(ended).as("%s ended within 30 s of reading again", name).isTrue();
            socket.close();
        }

        /** Closes with a reset, as a killed client would. */
        void cut() throws IOException, InterruptedException {
            socket.setSoLinger(true, 0);
            socket.close();
            thread.join(10_000);
        }

        boolean sawDone() {
            synchronized (seen) {
                return seen.indexOf("data: [DONE]") >= 0;
            }
        }

        int tokenChunks() {
            synchronized (seen) {
                int count = 0;
                for (int i = seen.indexOf("\"finish_reason\":null"); i >= 0;
                        i = seen.indexOf("\"finish_reason\":null", i + 1)) {
                    count++;
                }
                return count;
            }
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
                    && metrics.contains("harness_open_streams 0.0") && MetricsScrape.value(metrics, "harness_requests_finished_total{finished_reason=\"abort\"}") >= aborts) {
                return (System.nanoTime() - startNanos) / 1e9;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("not freed within " + seconds + " s: " + f.engine.stats() + ", open streams "
                + MetricsScrape.value(f, "harness_open_streams") + ", aborts "
                + MetricsScrape.finished(f, "abort") + " of " + aborts);
    }




    /** RSS after a full collection, so heap garbage does not count. */
    private static long idleRssKiB() throws IOException {
        System.gc();
        return rssKiB();
    }

    static long rssKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
