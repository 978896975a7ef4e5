package io.weightsync.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The writer gives the event loop back between slices. Counted in drains, not milliseconds, so the
 * bound holds however loaded the machine is: every fake drain takes at least {@link #DRAIN_NANOS} of
 * wall time, so a slice fits at most {@code SLICE_NANOS / DRAIN_NANOS} of them.
 */
class StreamWriterTest {

    /** Wall time of one fake stream's drain: 1,000 streams are 50 ms of writing. */
    static final long DRAIN_NANOS = 50_000;
    static final int STREAMS = 1000;

    Vertx vertx;
    Context loop;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        loop = vertx.getOrCreateContext();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void answerQueuedWhileStreamsAreWrittenWaitsForOneSliceNotForEveryStream() throws Exception {
        StreamWriter writer = new StreamWriter(loop);
        AtomicInteger drained = new AtomicInteger();
        CountDownLatch writing = new CountDownLatch(1);
        CompletableFuture<Void> answerQueued = new CompletableFuture<>();
        for (int i = 0; i < STREAMS; i++) {
            boolean first = i == 0;
            writer.ready(() -> {
                if (first) {
                    // hold the first slice until the answer is queued, so it is queued mid-writing
                    // however late the test thread gets a core
                    writing.countDown();
                    answerQueued.join();
                }
                spin(DRAIN_NANOS);
                drained.incrementAndGet();
            });
        }
        assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Integer> answered = new CompletableFuture<>();
        loop.runOnContext(v -> answered.complete(drained.get()));
        answerQueued.complete(null);

        int drainedBeforeAnswer = answered.get(30, TimeUnit.SECONDS);
        // the slice in progress, not the 1,000 streams
        assertThat(drainedBeforeAnswer).as("streams drained before the answer ran")
                .isLessThanOrEqualTo((int) (StreamWriter.SLICE_NANOS / DRAIN_NANOS));

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (drained.get() < STREAMS && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(drained.get()).as("every stream drained after the writer yielded").isEqualTo(STREAMS);
    }

    @Test
    void streamReadyAgainWhileTheWriterRunsIsDrainedAgain() throws Exception {
        StreamWriter writer = new StreamWriter(loop);
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch twice = new CountDownLatch(2);
        Runnable[] drain = new Runnable[1];
        drain[0] = () -> {
            if (runs.incrementAndGet() == 1) {
                writer.ready(drain[0]); // more chunks arrived while this one was writing
            }
            twice.countDown();
        };
        writer.ready(drain[0]);
        assertThat(twice.await(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(50);
        assertThat(runs.get()).isEqualTo(2);
    }

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }
}
