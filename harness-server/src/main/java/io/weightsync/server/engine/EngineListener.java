package io.weightsync.server.engine;

/** Hooks for metrics: called on the engine thread (onStep) or the updater thread (updates); keep them cheap. */
public interface EngineListener {

    default void onStep(int batch, long stepNanos) {}

    default void onUpdate(UpdateResult result) {}

    default void onUpdateFailed(String weightDir, Throwable error) {}
}
