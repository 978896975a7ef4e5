package io.weightsync.server.engine;

/** How a weight update meets generation. */
public enum UpdateMode {
    /** The engine stops between two steps, loads, swaps, resumes: what vLLM's collective_rpc does. */
    PAUSE,
    /**
     * The engine keeps decoding while the new weights load, a few tensors between each two steps (not
     * concurrently on the same cores, which slowed every step here); the swap happens between two
     * steps.
     */
    OVERLAP
}
