package io.weightsync.gatling;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The simulation's knobs, from {@code -D} system properties (Gatling's way: {@code mvn gatling:test
 * -Dstreams=256 -DbaseUrl=...}). {@code -Dprofile=smoke} changes the defaults to a run of at most
 * 60 s; any property given explicitly wins over the profile.
 *
 * @param baseUrl a live host; null: start the harness server with the built-in model on loopback
 * @param adminToken bearer token for the admin endpoints, or null
 * @param streams concurrent SSE streams (closed model: a finished stream's user is replaced at once)
 * @param ramp time to reach {@code streams} users
 * @param duration how long the load is held after the ramp
 * @param maxTokens per completion
 * @param prompt the prompt of every completion
 * @param updateEvery time between two weight updates
 * @param weightDir the folder every update loads; null: see checkpointRoot
 * @param checkpointRoot each update loads the newest {@code step_N} with STABLE under it; null with
 *     weightDir null: {@code /reload_weights} (or, on the embedded server, alternation between a
 *     published tiny {@code step_1} and {@code /reload_weights}, so every update moves real weights)
 * @param adminClient {@code dedicated} (admin calls on their own connection); {@code shared} is refused,
 *     see {@link #SHARED_NOT_EXPRESSIBLE}
 * @param model the model name sent; null: the server's first /v1/models entry
 * @param queueP99Ms assertion: weights.queue_ms p99 below this (NaN: no assertion)
 * @param failedPct assertion: failed requests at most this percent
 */
record Settings(String baseUrl, String adminToken, int streams, Duration ramp, Duration duration,
        int maxTokens, String prompt, Duration updateEvery, Path weightDir, Path checkpointRoot, String adminClient,
        String model, double queueP99Ms, double failedPct, String profile) {

    /**
     * Why {@code -DadminClient=shared} is refused: Gatling cannot make admin calls wait for one pool
     * bounded to N connections that the streams hold. {@code maxConnectionsPerHost} bounds each
     * virtual user's connections, not a pool shared with {@code shareConnections()}: measured here,
     * 32 streams with {@code shareConnections().maxConnectionsPerHost(16)} all ran at once (TTFT p50
     * 111 ms, the engine decoding 32) and an update through that protocol waited 44 ms, not for a
     * stream to end. Blocking a virtual user on a semaphore would stall Gatling's engine threads.
     */
    static final String SHARED_NOT_EXPRESSIBLE = "-DadminClient=shared cannot be expressed in Gatling (maxConnectionsPerHost"
            + " bounds each virtual user's connections, not a pool shared by all streams); the shared-pool bottleneck"
            + " is measured by ./harness experiment (OkHttp). Use -DadminClient=dedicated here.";

    static Settings fromSystemProperties() {
        String profile = System.getProperty("profile", "default");
        boolean smoke = profile.equals("smoke");
        if (!smoke && !profile.equals("default")) {
            throw new IllegalArgumentException("-Dprofile must be smoke or default, was '" + profile + "'");
        }
        String adminClient = System.getProperty("adminClient", "dedicated").toLowerCase(Locale.ROOT);
        if (adminClient.equals("shared")) {
            throw new IllegalArgumentException(SHARED_NOT_EXPRESSIBLE);
        }
        if (!adminClient.equals("dedicated")) {
            throw new IllegalArgumentException("-DadminClient must be dedicated, was '" + adminClient + "'");
        }
        Settings s = new Settings(
                blankToNull(System.getProperty("baseUrl")),
                blankToNull(System.getProperty("adminToken", System.getenv("HARNESS_ADMIN_TOKEN"))),
                intProp("streams", smoke ? 16 : 64, 1),
                Duration.ofSeconds(intProp("rampSeconds", smoke ? 2 : 5, 0)),
                Duration.ofSeconds(intProp("durationSeconds", smoke ? 25 : 60, 1)),
                intProp("maxTokens", smoke ? 48 : 128, 1),
                System.getProperty("prompt", "Write a short story about a lighthouse keeper:"),
                Duration.ofSeconds(intProp("updateEvery", smoke ? 4 : 10, 1)),
                pathProp("weightDir"),
                pathProp("checkpointRoot"),
                adminClient,
                blankToNull(System.getProperty("model")),
                doubleProp("assert.queueP99Ms", smoke && adminClient.equals("dedicated") ? 300 : Double.NaN),
                doubleProp("assert.failedPct", 0),
                profile);
        return s;
    }

    private static int intProp(String name, int fallback, int min) {
        String v = System.getProperty(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min) {
                throw new IllegalArgumentException("-D" + name + " must be >= " + min + ", was " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + name + " must be a whole number, was '" + v + "'");
        }
    }

    private static double doubleProp(String name, double fallback) {
        String v = System.getProperty(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + name + " must be a number, was '" + v + "'");
        }
    }

    private static Path pathProp(String name) {
        String v = blankToNull(System.getProperty(name));
        return v == null ? null : Path.of(v).toAbsolutePath();
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.trim();
    }
}
