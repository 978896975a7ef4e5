package io.weightsync.soak;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.HttpUrl;

/**
 * One soak run.
 *
 * @param baseUrl a live server; null starts the embedded one
 * @param duration how long the load runs
 * @param warmup samples before this are not checked (caches, JIT, the allocator's arenas fill up)
 * @param interval between two samples of {@code /metrics}
 * @param streams streams kept in flight (each one ended is replaced at once)
 * @param maxTokens per stream
 * @param updateEvery between the start of two weight updates
 * @param weightDirs live server: folders to cycle through (with a {@code /reload_weights} between
 *     rounds); empty: reload only. Embedded server: ignored (two published tiny steps are used)
 * @param bounds growth bounds by resource; a resource missing here has its default bound
 * @param updateMode embedded server: pause or overlap
 * @param maxBatch embedded server: sequences decoded together
 * @param adminToken sent as a bearer token on admin calls; null for none
 * @param seed prompts and sampling
 * @param out where the results go
 * @param progress draw a progress bar
 */
public record SoakConfig(HttpUrl baseUrl, Duration duration, Duration warmup, Duration interval, int streams,
        int maxTokens, Duration updateEvery, List<String> weightDirs, Map<Resource, Double> bounds, String updateMode,
        int maxBatch, String adminToken, long seed, Path out, boolean progress) {

    public SoakConfig {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("--minutes must be > 0");
        }
        if (interval.toMillis() < 100) {
            throw new IllegalArgumentException("--interval must be >= 0.1 s, was " + interval.toMillis() / 1e3 + " s");
        }
        if (warmup.isNegative() || warmup.compareTo(duration) >= 0) {
            throw new IllegalArgumentException("--warmup must be >= 0 and shorter than the run ("
                    + warmup.toMillis() / 1e3 + " s of " + duration.toMillis() / 1e3 + " s)");
        }
        if (streams < 1) {
            throw new IllegalArgumentException("--streams must be >= 1, was " + streams);
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("--max-tokens must be >= 1, was " + maxTokens);
        }
        if (updateEvery.toMillis() < 100) {
            throw new IllegalArgumentException("--update-every must be >= 0.1 s");
        }
        for (Map.Entry<Resource, Double> b : bounds.entrySet()) {
            if (!(b.getValue() >= 0)) {
                throw new IllegalArgumentException("--bound " + b.getKey().key + " must be >= 0, was " + b.getValue());
            }
        }
        weightDirs = List.copyOf(weightDirs);
        bounds = Map.copyOf(bounds);
    }

    /** The default warm-up: a tenth of the run, at least 30 s, and never more than half of it. */
    public static Duration defaultWarmup(Duration duration) {
        long millis = Math.max(30_000, duration.toMillis() / 10);
        return Duration.ofMillis(Math.min(millis, duration.toMillis() / 2));
    }
}
