package io.weightsync.server.engine;

import java.util.List;

/**
 * Releases streamed text while watching for stop strings. A tail of the text that could still be
 * the start of a stop string is held back; once a stop string appears, the text before it is released and
 * the completion ends (the stop string itself is not part of the output, as in OpenAI/vLLM).
 */
final class StopMatcher {

    private final List<String> stops;
    private final int holdBack;
    private final StringBuilder pending = new StringBuilder();
    private boolean stopped;

    StopMatcher(List<String> stops) {
        this.stops = stops;
        int longest = 0;
        for (String s : stops) {
            longest = Math.max(longest, s.length());
        }
        this.holdBack = Math.max(0, longest - 1);
    }

    boolean stopped() {
        return stopped;
    }

    /** Adds new text; returns what can be released now. */
    String offer(String text) {
        if (stopped || text.isEmpty()) {
            return "";
        }
        if (stops.isEmpty()) {
            return text;
        }
        pending.append(text);
        int at = -1;
        for (String s : stops) {
            int i = pending.indexOf(s);
            if (i >= 0 && (at < 0 || i < at)) {
                at = i;
            }
        }
        if (at >= 0) {
            stopped = true;
            String out = pending.substring(0, at);
            pending.setLength(0);
            return out;
        }
        int release = pending.length() - heldBack();
        if (release <= 0) {
            return "";
        }
        String out = pending.substring(0, release);
        pending.delete(0, release);
        return out;
    }

    /** Length of the longest tail of the pending text that could still grow into a stop string. */
    private int heldBack() {
        int max = Math.min(holdBack, pending.length());
        String tail = pending.substring(pending.length() - max);
        for (int k = max; k > 0; k--) {
            for (String s : stops) {
                if (s.length() > k && s.regionMatches(0, tail, max - k, k)) {
                    return k;
                }
            }
        }
        return 0;
    }

    /** At the end of a completion that did not stop on a string: what was held back. */
    String flush() {
        String out = pending.toString();
        pending.setLength(0);
        return out;
    }
}
