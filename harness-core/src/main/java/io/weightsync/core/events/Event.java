package io.weightsync.core.events;

/**
 * One parsed or to-be-written event line. Each record maps one-to-one to a line of the contract's
 * "Event lines" grammar (see {@code docs/LOG_FORMAT.md}); {@link #kind()} names which.
 *
 * <p>Units are in the component names: {@code epochMillis} is wall-clock milliseconds since the epoch
 * (written as {@code t=<seconds>.<millis>}), {@code ...Millis} are durations in milliseconds, steps and
 * counts are whole numbers.
 */
public sealed interface Event permits WeightsEvent, CkptEvent, GenEvent, RolloutEvent {

    /** Which contract line this is. */
    EventKind kind();

    /** The exact contract text of this event, without any log prefix or line terminator. */
    default String toLine() {
        return EventFormatter.format(this);
    }
}
