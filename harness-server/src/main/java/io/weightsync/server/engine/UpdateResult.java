package io.weightsync.server.engine;

/**
 * What one weight update cost.
 *
 * @param step the N of a {@code step_N} folder, -1 for another folder
 * @param noop the same weights were already live (updates are idempotent per folder)
 * @param loadMillis reading, checking and converting the checkpoint into new tensors (in pause mode
 *     from the moment the engine stopped)
 * @param swapMillis from loaded to live: in overlap mode this includes waiting for the step in flight
 * @param maxGapMillis longest gap between two decode steps across the update; 0 when nothing ran
 * @param stallMillis what the update added to generation: maxGap minus the median step before it
 */
public record UpdateResult(String weightDir, long step, UpdateMode mode, boolean noop, double loadMillis,
        double swapMillis, double maxGapMillis, double stallMillis) {}
