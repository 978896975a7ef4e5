package io.weightsync.server.engine;

/**
 * @param maxBatch running sequences at most (vLLM's max_num_seqs); the rest wait in FIFO order
 * @param maxContext tokens per sequence (prompt + completion) the KV cache holds
 * @param prefillTokenBudget prompt tokens admitted per step at most (at least one request always is)
 */
public record EngineConfig(int maxBatch, int maxContext, UpdateMode updateMode, int prefillTokenBudget) {

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
    }

    public static EngineConfig defaults() {
        return new EngineConfig(256, 1024, UpdateMode.PAUSE, 2048);
    }
}
