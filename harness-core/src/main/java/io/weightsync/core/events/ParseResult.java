package io.weightsync.core.events;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link EventLineParser} made of one log line. Three shapes:
 *
 * <ul>
 *   <li><b>ignored</b>: not an event line ({@link #kind()} empty, no problems); most lines of a log;
 *   <li><b>event</b>: a well-formed event line ({@link #event()} present, no problems);
 *   <li><b>malformed</b>: an event line that could not be read ({@link #kind()} present, {@link
 *       #event()} empty, {@link #problems()} saying why, one entry per bad or missing key).
 * </ul>
 */
public final class ParseResult {

    private static final ParseResult IGNORED = new ParseResult(null, null, List.of(), Map.of());

    /** The contract line recognised by tag and event name; null when the line is not an event line. */
    private final EventKind kind;
    /** The event; null when the line is ignored or malformed. */
    private final Event event;
    /** Why a recognised line could not be read, e.g. {@code rpc_ms: 'abc' is not a number}. */
    private final List<String> problems;
    /** {@code key=value} pairs the contract does not define for this line, in line order. */
    private final Map<String, String> extraFields;

    private ParseResult(EventKind kind, Event event, List<String> problems, Map<String, String> extraFields) {
        this.kind = kind;
        this.event = event;
        this.problems = problems;
        this.extraFields = extraFields;
    }

    /** The shared result for lines that are not event lines. */
    public static ParseResult ignored() {
        return IGNORED;
    }

    /** {@code extraFields} is owned by the result from here on. */
    static ParseResult event(Event event, Map<String, String> extraFields) {
        return new ParseResult(event.kind(), event, List.of(), Collections.unmodifiableMap(extraFields));
    }

    static ParseResult malformed(EventKind kind, List<String> problems, Map<String, String> extraFields) {
        Objects.requireNonNull(kind, "kind");
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a malformed " + kind + " line needs at least one problem");
        }
        return new ParseResult(kind, null, List.copyOf(problems), Collections.unmodifiableMap(extraFields));
    }

    /** Which contract line this is; empty when the line is not an event line. */
    public Optional<EventKind> kind() {
        return Optional.ofNullable(kind);
    }

    /** The event; empty when the line is ignored or malformed. */
    public Optional<Event> event() {
        return Optional.ofNullable(event);
    }

    /** True when the line is an event line, well-formed or not. */
    public boolean isEventLine() {
        return kind != null;
    }

    /** True when the line is an event line that could not be read; {@link #problems()} says why. */
    public boolean isMalformed() {
        return !problems.isEmpty();
    }

    /** Why the line could not be read; empty for ignored lines and well-formed events. */
    public List<String> problems() {
        return problems;
    }

    /** Unknown {@code key=value} pairs of an event line (first value wins on repeats); often empty. */
    public Map<String, String> extraFields() {
        return extraFields;
    }

    @Override
    public String toString() {
        if (kind == null) {
            return "ParseResult[ignored]";
        }
        return event != null ? "ParseResult[" + event + ", extra=" + extraFields + "]"
                : "ParseResult[" + kind + " malformed: " + problems + "]";
    }
}
