package io.weightsync.sim;

/** The RL loop cannot go on (no rollout completes, a checkpoint never appears); the message says why, on one line. */
public final class OrchestratorException extends Exception {
    public OrchestratorException(String message) {
        super(message);
    }
}
