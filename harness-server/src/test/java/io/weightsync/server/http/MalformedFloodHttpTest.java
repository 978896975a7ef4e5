package io.weightsync.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.weightsync.server.http.MalformedCorpus.Case;
import io.weightsync.server.http.MalformedCorpus.Expect;
import io.weightsync.server.http.RawHttp.Answer;
import io.weightsync.server.http.RawHttp.Outcome;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flood of malformed requests ({@link MalformedCorpus}) from several clients at once, beside good
 * streaming traffic: every bad request is answered with a 4xx JSON error, never a 5xx and never a
 * hang; the valid variants are served; the good streams all finish with every token, at an ITL
 * close to the one they had before the flood; and the server is healthy afterwards.
 */
class MalformedFloodHttpTest {

    private static final int FLOOD_THREADS = 3;
    private static final int MIN_BAD_REQUESTS = 200;
    /** A request with no answer (nor a close) within this is a hang. */
    private static final int REQUEST_TIMEOUT_MILLIS = 10_000;
    private static final int GOOD_STREAMS = 8;
    private static final int GOOD_MAX_TOKENS = 32;
    /**
     * The flood shares two cores with the server and the good streams, so it may slow them; the
     * bound is on p99 ITL against the same streams just before it: a stall (a blocked event loop,
     * an engine step waiting on a bad request) is seconds, well past it.
     */
    private static final double ITL_P99_FACTOR = 4;
    private static final double ITL_P99_SLACK_MILLIS = 50;

    @TempDir
    Path root;

    @Test
    void everyMalformedRequestIsRefusedWithA4xxWhileGoodStreamsRunUndisturbed() throws Exception {
        try (ServerFixture f = new ServerFixture(root, 32, o -> o);
                GreedyStreamLoop good = new GreedyStreamLoop(f, GOOD_STREAMS, GOOD_MAX_TOKENS)) {
            List<Case> corpus = MalformedCorpus.generate(f.step0.toRealPath().toString());
            long badCount = corpus.stream().filter(c -> c.expect() != Expect.ACCEPTED).count();
            long notHttp1Count = corpus.stream().filter(c -> c.expect() == Expect.NOT_HTTP_1_501).count();
            assertThat(badCount - notHttp1Count).as("requests in the corpus that are client mistakes")
                    .isGreaterThanOrEqualTo(MIN_BAD_REQUESTS);

            good.awaitCompleted(GOOD_STREAMS, 60); // past the first, cold streams
            good.phase();
            good.awaitCompleted(good.completed() + 2 * GOOD_STREAMS, 60);
            Histogram before = good.phase();

            // the flood: the whole corpus, again and again until it has lasted as long as the baseline
            List<String> mismatches = new ArrayList<>();
            Map<String, Integer> outcomes = new TreeMap<>();
            Map<Integer, Integer> badStatuses = new TreeMap<>();
            long slowestBadMillis = 0;
            int floodUntilCompleted = good.completed() + 2 * GOOD_STREAMS;
            int passes = 0;
            long floodStartNanos = System.nanoTime();
            do {
                List<Answer> answers = flood(f.server.port(), corpus);
                for (int i = 0; i < corpus.size(); i++) {
                    Case c = corpus.get(i);
                    Answer a = answers.get(i);
                    outcomes.merge(outcomeClass(c, a), 1, Integer::sum);
                    if (c.expect() != Expect.ACCEPTED && a.outcome() == Outcome.ANSWERED) {
                        badStatuses.merge(a.status(), 1, Integer::sum);
                        slowestBadMillis = Math.max(slowestBadMillis, a.millis());
                    }
                    String mismatch = mismatch(c, a);
                    if (mismatch != null) {
                        mismatches.add(c.name() + ": " + mismatch);
                    }
                }
                passes++;
            } while (good.completed() < floodUntilCompleted && passes < 20);
            double floodSeconds = (System.nanoTime() - floodStartNanos) / 1e9;
            Histogram during = good.phase();
            good.stop();

            f.awaitEngineIdle(10);
            HttpResponse<String> health = f.get("/health");
            HttpResponse<String> next = f.post("/v1/completions", "{\"prompt\":\"after the flood\",\"max_tokens\":4}");
            double beforeP99Millis = before.getValueAtPercentile(99) / 1e3;
            double duringP99Millis = during.getValueAtPercentile(99) / 1e3;
            double boundMillis = ITL_P99_FACTOR * beforeP99Millis + ITL_P99_SLACK_MILLIS;
            System.out.printf(Locale.ROOT, "[reliability] malformed flood: %d requests x %d passes from %d threads in "
                    + "%.1f s (%d bad: bodies, framing, headers, paths, methods; %d valid variants), answers %s, bad ones' "
                    + "statuses %s, slowest %d ms; "
                    + "good streams %d/%d ok, ITL p50/p99 %.1f/%.1f ms during vs %.1f/%.1f ms before (bound p99 %.1f ms); "
                    + "health %d after%n",
                    corpus.size(), passes, FLOOD_THREADS, floodSeconds, badCount, corpus.size() - badCount, outcomes,
                    badStatuses, slowestBadMillis,
                    good.completed(), good.completed() + good.failures().size(),
                    during.getValueAtPercentile(50) / 1e3, duringP99Millis, before.getValueAtPercentile(50) / 1e3,
                    beforeP99Millis, boundMillis, health.statusCode());

            assertThat(mismatches).as("requests answered other than expected").isEmpty();
            assertThat(good.failures()).as("good streams that did not finish with all their tokens").isEmpty();
            assertThat(during.getTotalCount()).as("good tokens during the flood").isPositive();
            assertThat(duringP99Millis).as("good streams' p99 ITL during the flood, ms").isLessThanOrEqualTo(boundMillis);
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
            assertThat(MetricsScrape.value(f, "harness_open_streams")).isZero();
        }
    }

    /** Sends every case once, {@link #FLOOD_THREADS} at a time, each on its own connection; answers in corpus order. */
    private static List<Answer> flood(int port, List<Case> corpus) throws Exception {
        Answer[] answers = new Answer[corpus.size()];
        AtomicInteger next = new AtomicInteger();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        ExecutorService clients = Executors.newFixedThreadPool(FLOOD_THREADS);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < FLOOD_THREADS; t++) {
                running.add(clients.submit(() -> {
                    for (int i; (i = next.getAndIncrement()) < corpus.size(); ) {
                        Case c = corpus.get(i);
                        try {
                            answers[i] = RawHttp.exchange(port, c.bytes(), c.halfClose(), REQUEST_TIMEOUT_MILLIS);
                        } catch (Exception e) {
                            errors.add(new AssertionError(c.name() + ": " + e, e));
                        }
                    }
                }));
            }
            for (Future<?> r : running) {
                r.get(5, TimeUnit.MINUTES);
            }
        } finally {
            clients.shutdownNow();
        }
        assertThat(errors).as("requests whose answer could not be read").isEmpty();
        return List.of(answers);
    }

    /** What is wrong with {@code a} as the answer to {@code c}; null when nothing is. */
    private static String mismatch(Case c, Answer a) {
        if (a.outcome() == Outcome.TIMED_OUT) {
            return "no answer within " + REQUEST_TIMEOUT_MILLIS + " ms";
        }
        if (a.outcome() == Outcome.CLOSED_WITHOUT_ANSWER) {
            return c.expect() == Expect.CLIENT_ERROR_OR_CLOSE ? null : "connection closed without an answer";
        }
        int status = a.status();
        boolean clientError = status >= 400 && status < 500;
        return switch (c.expect()) {
            case ACCEPTED -> status >= 200 && status < 300 ? null : "expected 2xx, got " + a;
            case NOT_HTTP_1_501 -> status == 501 ? null : "expected Vert.x's 501, got " + a;
            case CLIENT_ERROR_HEAD -> clientError ? null : "expected 4xx, got " + a;
            case CLIENT_ERROR, CLIENT_ERROR_OR_CLOSE -> {
                if (!clientError) {
                    yield "expected a 4xx, got " + a;
                }
                if (!a.isJsonError() || !a.body().contains("\"code\":" + status)) {
                    yield "expected a JSON error with code " + status + ", got " + a.headers() + " " + a.body();
                }
                yield null;
            }
        };
    }

    /** "4xx", "2xx", "5xx", "closed" or "hung", with the bad/valid split the figure shows. */
    private static String outcomeClass(Case c, Answer a) {
        String who = c.expect() == Expect.ACCEPTED ? "valid " : c.expect() == Expect.NOT_HTTP_1_501 ? "not HTTP/1 " : "bad ";
        return switch (a.outcome()) {
            case TIMED_OUT -> who + "hung";
            case CLOSED_WITHOUT_ANSWER -> who + "closed";
            case ANSWERED -> who + (a.status() / 100) + "xx";
        };
    }

}
