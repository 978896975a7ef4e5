package io.weightsync.server.engine;

/** How a weight update meets generation. */
public enum UpdateMode {
    /** The engine stops between two steps, loads, swaps, resumes: what vLLM's collective_rpc does. */
    PAUSE,
    /** New weights load beside the running engine; only the swap happens between two steps. */
    OVERLAP
}
