package io.weightsync.soak;

import io.weightsync.client.ClientMetrics;
import io.weightsync.client.CompletionStreamer;
import io.weightsync.client.Rollout;
import io.weightsync.sim.Prompts;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.sse.EventSource;

/**
 * The soak's streaming load: {@code streams} completions in flight at all times, each one that ends
 * (finished, failed) replaced at once by the next, until {@link #stop()}. Stream metrics go to the
 * given {@link ClientMetrics}; the first error is kept to be reported.
 */
final class SoakLoad {

    private static final long RETRY_AFTER_ERROR_MILLIS = 250;

    private final CompletionStreamer streamer;
    private final int streams;
    private final int maxTokens;
    private final long seed;
    private final AtomicLong next = new AtomicLong();
    private final Map<Long, EventSource> open = new ConcurrentHashMap<>();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private final ScheduledExecutorService retryTimer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "soak-relaunch");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean stopping;

    SoakLoad(OkHttpClient rollouts, HttpUrl baseUrl, String model, int streams, int maxTokens, long seed,
            ClientMetrics metrics) {
        this.streamer = new CompletionStreamer(rollouts, baseUrl, model, metrics);
        this.streams = streams;
        this.maxTokens = maxTokens;
        this.seed = seed;
    }

    void start() {
        for (int i = 0; i < streams; i++) {
            launch();
        }
    }

    /** Chunks received so far (the throughput counter). */
    long chunks() {
        return streamer.chunks();
    }

    /** The first stream error, as one line; null while there was none. */
    String firstError() {
        return firstError.get();
    }

    /** Cancels the streams in flight; none is started after this. */
    void stop() {
        stopping = true;
        streamer.stopping();
        retryTimer.shutdownNow();
        open.values().forEach(EventSource::cancel);
    }

    private void launch() {
        if (stopping) {
            return;
        }
        long index = next.getAndIncrement();
        CompletionStreamer.Ask ask = new CompletionStreamer.Ask(Prompts.prompt(seed, index), maxTokens, 1.0, seed + index);
        EventSource source = streamer.start(index, ask, System.nanoTime(), true, rollout -> ended(rollout));
        open.put(index, source);
        if (stopping) {
            source.cancel(); // stop() ran between the check and the put: it did not see this one
        }
    }

    private void ended(Rollout rollout) {
        open.remove(rollout.index());
        if (rollout.error() == null) {
            launch();
            return;
        }
        // a failing server must not be hammered by a tight relaunch loop
        firstError.compareAndSet(null, "stream " + rollout.index() + ": " + rollout.error());
        try {
            retryTimer.schedule(this::launch, RETRY_AFTER_ERROR_MILLIS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            // stop() ran: nothing more to launch
        }
    }
}
