package io.weightsync.server.engine;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Chooses PyTorch's intra-op thread count per step. Measured on the 2-core dev machine: a decode
 * step of the tiny model at batch 1 took 6.8 ms on one thread and 12 ms on two (the per-op
 * thread hand-off costs more than the work), while batch 256 took 103 ms on one and 56 ms on two.
 * So steps with few tokens run on one thread and larger ones on all of them. The setting is
 * process-wide and only touched when it changes.
 */
final class IntraOpThreads {

    /** Tokens in a forward pass from which all threads pay off. */
    static final int PARALLEL_FROM_TOKENS = 32;

    private final int maxThreads;
    private int current;

    IntraOpThreads() {
        ai.djl.engine.Engine.getEngine("PyTorch"); // loads the native library JniUtils calls into
        this.maxThreads = Math.max(1, JniUtils.getNumThreads());
        this.current = maxThreads;
    }

    /** Sets the thread count for a forward over {@code tokens} tokens. */
    void forTokens(int tokens) {
        int wanted = tokens >= PARALLEL_FROM_TOKENS ? maxThreads : 1;
        if (wanted != current) {
            JniUtils.setNumThreads(wanted);
            current = wanted;
        }
    }
}
