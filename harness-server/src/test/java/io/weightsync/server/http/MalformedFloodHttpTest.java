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
     * bound is on their p99 ITL (the median of one-second windows') against the same streams just
     * before it. A stall (a blocked event loop, an engine step waiting on a bad request) is caught
     * by {@link #STALL_MILLIS}.
     */
    private static final double ITL_P99_FACTOR = 4;
    private static final double ITL_P99_SLACK_MILLIS = 50;
    /** No good stream may wait this long for its next token. */
    private static final double STALL_MILLIS = 5000;
    /** Each phase lasts at least this, so it has a few windows. */
    private static final long PHASE_MILLIS = 3000;

    @TempDir
    Path root;

    @Test
    void everyMalformedRequestIsRefusedWithA4xxWhileGoodStreamsRunUndisturbed() throws Exception {
        try (ServerFixture f = new ServerFixture(root, 32, o -> o);
                GreedyStreamLoop good = new GreedyStreamLoop(f, GOOD_STREAMS, GOOD_MAX_TOKENS);
                Flood flood = new Flood(f.server.port(), MalformedCorpus.generate(f.step0.toRealPath().toString()))) {
            List<Case> corpus = flood.corpus;
            long badCount = corpus.stream().filter(c -> c.expect() != Expect.ACCEPTED).count();
            assertThat(badCount).as("requests in the corpus that are client mistakes")
                    .isGreaterThanOrEqualTo(MIN_BAD_REQUESTS);

            good.awaitCompleted(GOOD_STREAMS, 60); // past the first, cold streams
            good.phase();
            Thread.sleep(PHASE_MILLIS);
            GapWindows.Phase before = good.phase();

            // the flood: the whole corpus, again and again, for at least a phase and one whole pass
            long floodStartNanos = System.nanoTime();
            flood.start();
            while (flood.passes() < 1 || System.nanoTime() - floodStartNanos < PHASE_MILLIS * 1_000_000) {
                flood.check();
                Thread.sleep(20);
            }
            GapWindows.Phase during = good.phase();
            flood.stopAfterThisPass();
            double floodSeconds = (System.nanoTime() - floodStartNanos) / 1e9;
            good.stop();

            f.awaitEngineIdle(10);
            HttpResponse<String> health = f.get("/health");
            HttpResponse<String> next = f.post("/v1/completions",
                    "{\"prompt\":\"after the flood\",\"max_tokens\":4}");
            double boundMillis = ITL_P99_FACTOR * before.medianP99Millis() + ITL_P99_SLACK_MILLIS;
            System.out.printf(Locale.ROOT, "[reliability] malformed flood: %d requests x %d passes from %d threads "
                    + "in %.1f s (%d bad: bodies, framing, headers, paths, methods; %d valid variants), answers %s, "
                    + "bad ones' statuses %s, slowest %d ms; good streams %d/%d ok, ITL p50/p99/max %s during vs %s "
                    + "before (p99: median of 1 s windows; bound %.1f ms); health %d after%n",
                    corpus.size(), flood.passes(), FLOOD_THREADS, floodSeconds, badCount, corpus.size() - badCount,
                    flood.outcomes, flood.badStatuses, flood.slowestBadMillis, good.completed(),
                    good.completed() + good.failures().size(), during.summary(), before.summary(), boundMillis,
                    health.statusCode());

            assertThat(flood.mismatches).as("requests answered other than expected").isEmpty();
            assertThat(good.failures()).as("good streams that did not finish with all their tokens").isEmpty();
            assertThat(during.count()).as("good tokens during the flood").isPositive();
            assertThat(during.medianP99Millis()).as("good streams' p99 ITL during the flood, ms")
                    .isLessThanOrEqualTo(boundMillis);
            assertThat(during.maxMillis()).as("good streams' longest wait for a token, ms").isLessThan(STALL_MILLIS);
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
            assertThat(MetricsScrape.value(f, "harness_open_streams")).isZero();
        }
    }

    /**
     * The corpus sent pass after pass on a background thread, {@link #FLOOD_THREADS} requests at a
     * time, each answer checked against its case.
     */
    private static final class Flood implements AutoCloseable {
        final List<Case> corpus;
        final List<String> mismatches = new java.util.concurrent.CopyOnWriteArrayList<>();
        final Map<String, Integer> outcomes = new TreeMap<>();
        final Map<Integer, Integer> badStatuses = new TreeMap<>();
        volatile long slowestBadMillis;
        private final int port;
        private final ExecutorService runner = Executors.newSingleThreadExecutor();
        private final AtomicInteger passes = new AtomicInteger();
        private volatile boolean stopping;
        private Future<?> running;

        Flood(int port, List<Case> corpus) {
            this.port = port;
            this.corpus = corpus;
        }

        void start() {
            running = runner.submit(() -> {
                do {
                    List<Answer> answers = flood(port, corpus);
                    synchronized (this) {
                        for (int i = 0; i < corpus.size(); i++) {
                            tally(corpus.get(i), answers.get(i));
                        }
                    }
                    passes.incrementAndGet();
                } while (!stopping);
                return null;
            });
        }

        private void tally(Case c, Answer a) {
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

        int passes() {
            return passes.get();
        }

        /** Rethrows what broke the flood itself (an answer that could not be read), if anything. */
        void check() throws Exception {
            if (running.isDone()) {
                running.get();
            }
        }

        void stopAfterThisPass() throws Exception {
            stopping = true;
            running.get(5, TimeUnit.MINUTES);
        }

        @Override
        public void close() {
            runner.shutdownNow();
        }
    }

    /** Sends every case once, {@link #FLOOD_THREADS} at a time, each on a fresh connection; answers in corpus order. */
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
        String who = c.expect() == Expect.ACCEPTED ? "valid " : "bad ";
        return switch (a.outcome()) {
            case TIMED_OUT -> who + "hung";
            case CLOSED_WITHOUT_ANSWER -> who + "closed";
            case ANSWERED -> who + (a.status() / 100) + "xx";
        };
    }

}
