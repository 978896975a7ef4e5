package io.weightsync.client;

import java.util.Locale;

/** How admin calls (weight updates) reach the server: the experiment's before and after. */
public enum AdminMode {
    /**
     * Before: through the rollouts' own OkHttpClient, Dispatcher and connection pool, enqueued like
     * them, as prime-rl's admin calls shared the httpx pool of its OpenAI client.
     */
    SHARED,
    /** After: a client of its own, a fresh connection per call and no keep-alive (prime-rl PR #1114). */
    DEDICATED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static AdminMode parse(String text) {
        for (AdminMode mode : values()) {
            if (mode.label().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return mode;
            }
        }
        throw new IllegalArgumentException("mode must be shared or dedicated, got '" + text + "'");
    }
}
