package io.weightsync.experiment;

/**
 * A mode stopped early (its server died, no rollout completed): its report was still written, marked
 * {@code "partial"} in its config, and travels with this exception so the experiment can still write
 * its summary and plots.
 */
public final class PartialModeException extends Exception {

    private final transient ModeResult partial;

    PartialModeException(String message, ModeResult partial) {
        super(message);
        this.partial = partial;
    }

    public ModeResult partial() {
        return partial;
    }
}
