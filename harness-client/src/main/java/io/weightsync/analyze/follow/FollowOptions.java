package io.weightsync.analyze.follow;

import java.time.Duration;

/**
 * How {@code analyze --follow} paces itself.
 *
 * @param every how often the rolling line (p50/p99 of queue_ms and rpc_ms, the diagnosis) is printed
 *     ({@code --every}, default 10 s)
 * @param poll how often each log is checked for new bytes, rotation and truncation: the latency a
 *     finished update's line adds on top of the writer's own flushing (default 150 ms)
 * @param grace how long an update whose client.done is in waits for the server's lines still missing
 *     before it is printed without them ({@code --grace}, default 2 s)
 */
public record FollowOptions(Duration every, Duration poll, Duration grace) {

    public static final Duration DEFAULT_EVERY = Duration.ofSeconds(10);
    public static final Duration DEFAULT_POLL = Duration.ofMillis(150);
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(2);

    public static final FollowOptions DEFAULTS = new FollowOptions(DEFAULT_EVERY, DEFAULT_POLL, DEFAULT_GRACE);

    public FollowOptions {
        if (every == null || every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("--every must be > 0 seconds, was " + seconds(every));
        }
        if (poll == null || poll.toMillis() < 1 || poll.toMillis() > 10_000) {
            throw new IllegalArgumentException("poll interval must be 1 ms to 10 s, was " + poll);
        }
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("--grace must be >= 0 seconds, was " + seconds(grace));
        }
    }

    /**
     * Options from the command line's seconds.
     *
     * @throws IllegalArgumentException naming the flag when a value is out of range or not a number
     */
    public static FollowOptions ofSeconds(double everySeconds, double graceSeconds) {
        if (!(everySeconds > 0) || Double.isInfinite(everySeconds) || everySeconds > 86_400) {
            throw new IllegalArgumentException("--every must be > 0 and at most 86400 seconds, was " + everySeconds);
        }
        if (!(graceSeconds >= 0) || Double.isInfinite(graceSeconds) || graceSeconds > 3600) {
            throw new IllegalArgumentException("--grace must be 0 to 3600 seconds, was " + graceSeconds);
        }
        Duration every = Duration.ofNanos(Math.max(1_000_000, Math.round(everySeconds * 1e9)));
        return new FollowOptions(every, DEFAULT_POLL, Duration.ofNanos(Math.round(graceSeconds * 1e9)));
    }

    /** These options with another poll interval (tests, slow file systems). */
    public FollowOptions withPoll(Duration poll) {
        return new FollowOptions(every, poll, grace);
    }

    private static String seconds(Duration d) {
        return d == null ? "null" : d.toNanos() / 1e9 + "";
    }
}
