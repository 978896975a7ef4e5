package io.weightsync.server.engine;

/** A snapshot of the engine for /metrics and logs. */
public record EngineStats(int running, int waiting, boolean paused, long steps, long generatedTokens,
        long promptTokens, double lastStepMillis, long weightStep, String weightSource, long updates,
        long updatesFailed) {}
