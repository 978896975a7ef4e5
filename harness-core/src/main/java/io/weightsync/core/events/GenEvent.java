package io.weightsync.core.events;

/** The {@code [gen]} lines: one generation batch of the engine, start and end. */
public sealed interface GenEvent extends Event {

    /**
     * {@code batch.start inflight= target_batch=}.
     *
     * @param inflight sequences running when the batch starts
     * @param targetBatch the batch size the engine aims for
     */
    record BatchStart(long inflight, long targetBatch) implements GenEvent {
        @Override
        public EventKind kind() {
            return EventKind.GEN_BATCH_START;
        }
    }

    /**
     * {@code batch.done completions= dur_ms= inflight=}.
     *
     * @param completions sequences that finished in this batch
     * @param durMillis the batch's duration
     * @param inflight sequences still running afterwards
     */
    record BatchDone(long completions, double durMillis, long inflight) implements GenEvent {
        public BatchDone {
            Checks.finite("dur_ms", durMillis);
        }

        @Override
        public EventKind kind() {
            return EventKind.GEN_BATCH_DONE;
        }
    }
}
