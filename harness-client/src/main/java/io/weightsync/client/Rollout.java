package io.weightsync.client;

/**
 * One finished (or failed, or cancelled) streaming completion.
 *
 * @param index the orchestrator's submission number
 * @param measured submitted after warm-up: its stream metrics were recorded
 * @param tokens completion tokens (usage, else chunks)
 * @param finishReason {@code stop}, {@code length}, ...; null when it did not finish
 * @param error one line when it failed; null otherwise
 * @param cancelled stopped by the client (the run ended), neither a completion nor an error
 */
public record Rollout(long index, boolean measured, long tokens, String finishReason, String error, boolean cancelled) {

    public boolean completed() {
        return finishReason != null && error == null && !cancelled;
    }

    public boolean truncated() {
        return "length".equals(finishReason);
    }
}
