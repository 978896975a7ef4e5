package io.weightsync.server.engine;

import java.util.Locale;

/** vLLM's {@code /pause?mode=}. */
public enum PauseMode {
    /** Abort every running and waiting request (they finish with "abort"), then pause. */
    ABORT,
    /** Stop admitting, let running requests finish, then pause. */
    WAIT,
    /** Freeze: requests stay in the scheduler, their streams go quiet until resume. */
    KEEP;

    public static PauseMode parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("pause mode must be abort, wait or keep, got '" + s + "'");
        }
    }
}
