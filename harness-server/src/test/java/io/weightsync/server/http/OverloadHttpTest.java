package io.weightsync.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --max-concurrent-requests L} under twice that many streams at once: the excess is refused
 * at once with a JSON 503 instead of queued, the admitted streams keep their latency, and once the
 * burst is over the server admits L again without a refusal.
 */
class OverloadHttpTest {

    /** The admission limit; the engine's batch is larger, so every admitted stream decodes at once. */
    private static final int LIMIT = 32;
    private static final int MAX_BATCH = 64;
    /**
     * Tokens per stream, in the baselines and the burst alike (a step's cost grows with the context
     * decoded): long enough that no admitted stream ends before the last of the burst has arrived.
     */
    private static final int MAX_TOKENS = 128;
    /**
     * The burst's admitted streams against the same number of streams without the excess: what the
     * refused half costs them, in p99 ITL (the median of one-second windows'), on a shared 2-core
     * machine; and no wait for a token as long as a stall.
     */
    private static final double ITL_P99_FACTOR = 3;
    private static final double ITL_P99_SLACK_MILLIS = 20;
    private static final double STALL_MILLIS = 5000;
    /**
     * A refusal must come before any admitted stream has ended (else it may have waited for a slot)
     * and within this (else it is a hang, whatever the streams do).
     */
    private static final long REFUSAL_BOUND_MILLIS = 5000;

    private static final String REJECTED = "harness_requests_rejected_total";

    @TempDir
    Path root;

    @Test
    void excessStreamsAreRefusedAtOnceAndTheAdmittedOnesKeepTheirPace() throws Exception {
        try (ServerFixture f = new ServerFixture(root, MAX_BATCH, o -> o.withMaxConcurrentRequests(LIMIT));
                GapWindows gaps = new GapWindows(1000)) {
            offer(f, LIMIT / 2, 16, gaps); // warm-up: batch shapes, JIT, connections
            gaps.phase();

            // baselines: half the limit, and the limit itself, without an excess
            List<TimedStream.Result> half = offer(f, LIMIT / 2, MAX_TOKENS, gaps);
            GapWindows.Phase halfItl = gaps.phase();
            List<TimedStream.Result> full = offer(f, LIMIT, MAX_TOKENS, gaps);
            GapWindows.Phase fullItl = gaps.phase();
            assertThat(half).allMatch(r -> r.completeWith(MAX_TOKENS));
            assertThat(full).allMatch(r -> r.completeWith(MAX_TOKENS));
            double rejectedBefore = MetricsScrape.value(f, REJECTED);

            // the burst: twice the limit at once
            List<TimedStream.Result> burst;
            int healthAtLimit;
            int inEngineAtLimit;
            try (Offered offered = new Offered(f, 2 * LIMIT, MAX_TOKENS, gaps)) {
                // while the limit is held, every admitted stream decodes and /health is still answered
                MetricsScrape.await(f, REJECTED, v -> v >= rejectedBefore + LIMIT, 30);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (inEngine(f) < LIMIT && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                inEngineAtLimit = inEngine(f);
                healthAtLimit = f.get("/health").statusCode();
                burst = offered.results();
            }
            GapWindows.Phase burstItl = gaps.phase();
            List<TimedStream.Result> admitted = burst.stream().filter(r -> r.status() == 200).toList();
            List<TimedStream.Result> refused = burst.stream().filter(r -> r.status() != 200).toList();
            double rejectedInBurst = MetricsScrape.value(f, REJECTED) - rejectedBefore;

            // recovery: once every burst stream is closed, the limit is free again
            double open = MetricsScrape.await(f, "harness_open_streams", v -> v == 0, 10);
            List<TimedStream.Result> after = offer(f, LIMIT, MAX_TOKENS, gaps);
            long refusedAfter = after.stream().filter(r -> r.status() != 200).count();

            double boundMillis = ITL_P99_FACTOR * fullItl.medianP99Millis() + ITL_P99_SLACK_MILLIS;
            long slowestRefusalMillis = refused.stream().mapToLong(r -> r.endMicros() / 1000).max().orElse(-1);
            long firstAdmittedEndMillis = admitted.stream().mapToLong(r -> r.endMicros() / 1000).min().orElse(-1);
            System.out.printf(Locale.ROOT, "[reliability] overload, %d streams at --max-concurrent-requests %d: "
                    + "%d admitted, %d refused with 503 (slowest %d ms; first admitted stream ended at %d ms); "
                    + "admitted ITL p50/p99/max %s vs %s for %d streams alone and %s for %d (p99: median of 1 s "
                    + "windows; bound %.1f ms); TTFT p99 %.1f ms vs %.1f ms for %d and %.1f ms for %d; "
                    + "after: %d/%d admitted, %d refused%n",
                    2 * LIMIT, LIMIT, admitted.size(), refused.size(), slowestRefusalMillis, firstAdmittedEndMillis,
                    burstItl.summary(), fullItl.summary(), LIMIT, halfItl.summary(), LIMIT / 2, boundMillis,
                    ttftP99Millis(admitted), ttftP99Millis(full), LIMIT, ttftP99Millis(half), LIMIT / 2,
                    after.size() - refusedAfter, after.size(), refusedAfter);

            assertThat(admitted).as("admitted streams").hasSize(LIMIT);
            assertThat(admitted).as("admitted streams finished with all their tokens")
                    .allMatch(r -> r.completeWith(MAX_TOKENS));
            assertThat(refused).as("refused streams").hasSize(LIMIT);
            for (TimedStream.Result r : refused) {
                assertThat(r.status()).isEqualTo(503);
                assertThat(ServerFixture.json(r.errorBody()).get("error").get("message").asText())
                        .contains("--max-concurrent-requests " + LIMIT);
                assertThat(r.endMicros() / 1000).as("refusal latency, ms").isLessThan(REFUSAL_BOUND_MILLIS)
                        .isLessThan(firstAdmittedEndMillis);
            }
            assertThat(rejectedInBurst).as("harness_requests_rejected_total").isEqualTo(LIMIT);
            assertThat(healthAtLimit).as("/health at the limit").isEqualTo(200);
            assertThat(inEngineAtLimit).as("admitted requests in the engine at once").isEqualTo(LIMIT);
            assertThat(burstItl.medianP99Millis()).as("admitted streams' p99 ITL during the burst, ms")
                    .isLessThanOrEqualTo(boundMillis);
            assertThat(burstItl.maxMillis()).as("admitted streams' longest wait for a token, ms")
                    .isLessThan(STALL_MILLIS);
            assertThat(open).as("streams open after the burst").isZero();
            assertThat(refusedAfter).as("refusals after the burst").isZero();
            assertThat(after).allMatch(r -> r.completeWith(MAX_TOKENS));
            assertThat(f.get("/health").statusCode()).isEqualTo(200);
        }
    }

    /** Starts {@code count} greedy streams and waits for all of them to end. */
    private static List<TimedStream.Result> offer(ServerFixture f, int count, int maxTokens, GapWindows gaps)
            throws Exception {
        try (Offered offered = new Offered(f, count, maxTokens, gaps)) {
            return offered.results();
        }
    }

    /**
     * {@code count} greedy streams started at the same moment, each on its own connection;
     * inter-token gaps of the admitted ones go into {@code gaps}.
     */
    private static final class Offered implements AutoCloseable {
        private final ExecutorService clients;
        private final List<Future<TimedStream.Result>> streams = new ArrayList<>();

        Offered(ServerFixture f, int count, int maxTokens, GapWindows gaps) {
            clients = Executors.newFixedThreadPool(count);
            CountDownLatch start = new CountDownLatch(1);
            for (int i = 0; i < count; i++) {
                String body = TimedStream.greedyBody("overload " + i, maxTokens);
                streams.add(clients.submit(() -> {
                    start.await();
                    return TimedStream.run(f, body, Duration.ofSeconds(60), gaps::record);
                }));
            }
            start.countDown();
        }

        /** Every stream's result, in the order started, once all have ended. */
        List<TimedStream.Result> results() throws Exception {
            List<TimedStream.Result> results = new ArrayList<>();
            for (Future<TimedStream.Result> s : streams) {
                results.add(s.get(90, TimeUnit.SECONDS));
            }
            return results;
        }

        @Override
        public void close() {
            clients.shutdownNow();
        }
    }

    /** Requests the engine holds, decoding or queued for a slot. */
    private static int inEngine(ServerFixture f) {
        return f.engine.stats().running() + f.engine.stats().waiting();
    }

    private static double ttftP99Millis(List<TimedStream.Result> results) {
        Histogram ttftMicros = new Histogram(3);
        results.forEach(r -> ttftMicros.recordValue(r.ttftMicros()));
        return ttftMicros.getValueAtPercentile(99) / 1e3;
    }
}
