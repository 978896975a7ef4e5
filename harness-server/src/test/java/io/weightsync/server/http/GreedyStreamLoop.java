package io.weightsync.server.http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Good traffic beside a fault: {@code streams} clients, each streaming a greedy completion of
 * {@code maxTokens} tokens over and over until {@link #stop()}. Inter-token gaps go into
 * {@link GapWindows}, so a test reads them phase by phase ({@link #phase()}: everything since the
 * last call); every stream is checked to finish with all its tokens.
 */
final class GreedyStreamLoop implements AutoCloseable {

    private final ServerFixture f;
    private final int maxTokens;
    private final List<Thread> clients = new ArrayList<>();
    /** Inter-token gaps of every good stream, in one-second windows. */
    private final GapWindows gaps = new GapWindows(1000);
    private final AtomicInteger completed = new AtomicInteger();
    /** Streams that did not finish with all their tokens, or failed, described. */
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;

    GreedyStreamLoop(ServerFixture f, int streams, int maxTokens) {
        this.f = f;
        this.maxTokens = maxTokens;
        for (int i = 0; i < streams; i++) {
            String prompt = "good stream " + i;
            Thread t = new Thread(() -> loop(prompt), "good-stream-" + i);
            t.setDaemon(true);
            clients.add(t);
        }
        clients.forEach(Thread::start);
    }

    private void loop(String prompt) {
        String body = TimedStream.greedyBody(prompt, maxTokens);
        while (running) {
            try {
                TimedStream.Result r = TimedStream.run(f, body, Duration.ofSeconds(60), gaps::record);
                if (r.completeWith(maxTokens)) {
                    completed.incrementAndGet();
                } else {
                    failures.add(prompt + ": status " + r.status() + " " + r.errorBody() + ", finish " + r.finishReason()
                            + ", " + r.completionTokens() + " of " + maxTokens + " tokens, done " + r.done());
                }
            } catch (Exception e) {
                failures.add(prompt + ": " + e);
            }
        }
    }

    /** Inter-token gaps recorded since the previous call (or the start). */
    GapWindows.Phase phase() {
        return gaps.phase();
    }

    /** Streams finished with all their tokens so far. */
    int completed() {
        return completed.get();
    }

    /** Waits until {@code streams} have completed in all, failing after {@code seconds} or at the first failed stream. */
    void awaitCompleted(int streams, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (completed.get() < streams && failures.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        if (!failures.isEmpty()) {
            throw new AssertionError("good streams failed: " + failures);
        }
        if (completed.get() < streams) {
            throw new AssertionError(completed.get() + " of " + streams + " good streams completed within " + seconds + " s");
        }
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    /** Lets every client finish the stream it is on, then returns. */
    void stop() throws InterruptedException {
        running = false;
        for (Thread t : clients) {
            t.join(TimeUnit.SECONDS.toMillis(90));
            if (t.isAlive()) {
                throw new AssertionError(t.getName() + " did not finish its stream within 90 s");
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        try {
            stop();
        } finally {
            gaps.close();
        }
    }
}
