package io.weightsync.server.engine;

/** Hooks for metrics: called on the engine thread (onStep) or the updater thread (updates); keep them cheap. */
public interface EngineListener {

    default void onStep(int batch, long stepNanos) {}

    /**
     * An update's checkpoint is open, mapped and verified, and not one byte of its tensors has been
     * read yet: on the updater thread, in either mode (the engine is frozen in pause mode, decoding
     * in overlap mode). Not called for the weights an engine starts with.
     */
    default void onLoadStart(String weightDir) {}

    default void onUpdate(UpdateResult result) {}

    default void onUpdateFailed(String weightDir, Throwable error) {}
}
