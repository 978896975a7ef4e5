package io.weightsync.core.events;

/** The {@code [ckpt]} lines: the trainer writing a checkpoint, the orchestrator waiting for one. */
public sealed interface CkptEvent extends Event {

    /** {@code write.done step= write_ms=}: the trainer wrote step {@code step} in {@code writeMillis}. */
    record WriteDone(long step, double writeMillis) implements CkptEvent {
        public WriteDone {
            Checks.finite("write_ms", writeMillis);
        }

        @Override
        public EventKind kind() {
            return EventKind.CKPT_WRITE_DONE;
        }
    }

    /** {@code wait.start target_step=}: the orchestrator starts waiting for a STABLE {@code targetStep}. */
    record WaitStart(long targetStep) implements CkptEvent {
        @Override
        public EventKind kind() {
            return EventKind.CKPT_WAIT_START;
        }
    }

    /** {@code wait.done target_step= wait_ms=}: the orchestrator waited {@code waitMillis} for it. */
    record WaitDone(long targetStep, double waitMillis) implements CkptEvent {
        public WaitDone {
            Checks.finite("wait_ms", waitMillis);
        }

        @Override
        public EventKind kind() {
            return EventKind.CKPT_WAIT_DONE;
        }
    }
}
