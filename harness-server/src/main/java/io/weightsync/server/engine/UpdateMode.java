package io.weightsync.server.engine;

/** How a weight update meets generation. */
public enum UpdateMode {
    /** The engine stops between two steps, loads, swaps, resumes: what vLLM's collective_rpc does. */
    PAUSE,
    /**
     * The engine keeps decoding while the new weights load beside it on CPU it leaves idle (a thread
     * in the idle scheduling class), and between its steps for a bounded time when that thread falls
     * behind; the swap happens between two steps. See {@code OverlappedLoad}.
     */
    OVERLAP
}
