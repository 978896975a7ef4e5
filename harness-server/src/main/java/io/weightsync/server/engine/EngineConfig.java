package io.weightsync.server.engine;

/**
 * @param maxBatch running sequences at most (vLLM's max_num_seqs); the rest wait in FIFO order
 * @param maxContext tokens per sequence (prompt + completion) the KV cache holds
 * @param prefillTokenBudget prompt tokens admitted per step at most (at least one request always is)
 * @param engineNice the Linux nice value of the engine thread and the PyTorch threads it starts
 *     (0..19; 0 leaves them as they are): above 0, the HTTP front end's threads are run first when
 *     they share cores with the decode math, so an admin request is answered without waiting for a
 *     core; the engine still gets every cycle they leave (see {@link ThreadNice})
 */
public record EngineConfig(int maxBatch, int maxContext, UpdateMode updateMode, int prefillTokenBudget,
        int engineNice) {

    /**
     * The default {@code --engine-nice}: measured on the 2-core dev machine with 4,096 streams,
     * admin answers waited up to 8 ms for the event loop to get a core at 0 (docs/SERVER.md).
     */
    public static final int DEFAULT_ENGINE_NICE = 10;

    public EngineConfig {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("--max-batch must be >= 1, got " + maxBatch);
        }
        if (maxContext < 2) {
            throw new IllegalArgumentException("--max-model-len must be >= 2, got " + maxContext);
        }
        if (prefillTokenBudget < 1) {
            throw new IllegalArgumentException("prefill token budget must be >= 1, got " + prefillTokenBudget);
        }
        if (engineNice < 0 || engineNice > ThreadNice.MAX) {
            throw new IllegalArgumentException("--engine-nice must be in 0.." + ThreadNice.MAX + ", got " + engineNice);
        }
    }

    /** With the default engine nice value. */
    public EngineConfig(int maxBatch, int maxContext, UpdateMode updateMode, int prefillTokenBudget) {
        this(maxBatch, maxContext, updateMode, prefillTokenBudget, DEFAULT_ENGINE_NICE);
    }

    public static EngineConfig defaults() {
        return new EngineConfig(256, 1024, UpdateMode.PAUSE, 2048);
    }

    public EngineConfig withEngineNice(int nice) {
        return new EngineConfig(maxBatch, maxContext, updateMode, prefillTokenBudget, nice);
    }
}
