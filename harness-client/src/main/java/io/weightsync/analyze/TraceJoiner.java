package io.weightsync.analyze;

import io.weightsync.core.events.WeightsEvent;
import io.weightsync.core.trace.TraceId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Joins the {@code [weights]} lines of each update by trace id, across files read in any order.
 *
 * <p>Memory stays bounded on logs of any size: a trace is held only until its five phases are in, then
 * handed to the sink and dropped. Traces still open when the logs end (a send without a done, a server
 * log without its client log) are handed over at {@link #finish()} as unfinished. At most {@code
 * maxOpenTraces} are held; past that the oldest is handed over unfinished (counted in {@link
 * #evicted()}), which only a log with that many updates in flight at once would cause.
 *
 * <p>A phase seen twice for one trace (a retried POST, a log read twice) is a duplicate: counted, its
 * trace id listed, the later line ignored. Recently completed ids are remembered so that a duplicate
 * arriving after completion is caught too instead of opening a ghost trace.
 */
final class TraceJoiner {

    private static final int RECENTLY_COMPLETED = 4096;
    private static final int LISTED_DUPLICATES = 20;

    private final int maxOpenTraces;
    private final Consumer<UpdateTrace> sink;
    /** Open traces in the order their first line was read, so the eldest is evicted first. */
    private final LinkedHashMap<TraceId, UpdateTrace> open = new LinkedHashMap<>();
    private final LinkedHashMap<TraceId, Boolean> recentlyCompleted = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<TraceId, Boolean> eldest) {
            return size() > RECENTLY_COMPLETED;
        }
    };
    private final List<String> duplicateExamples = new ArrayList<>();
    private long complete;
    private long unfinished;
    private long duplicates;
    private long evicted;

    TraceJoiner(int maxOpenTraces, Consumer<UpdateTrace> sink) {
        if (maxOpenTraces < 1) {
            throw new IllegalArgumentException("maxOpenTraces must be >= 1, was " + maxOpenTraces);
        }
        this.maxOpenTraces = maxOpenTraces;
        this.sink = sink;
    }

    /**
     * Joins one line to its update.
     *
     * @return the update so far (complete, and already handed to the sink, when this line was its
     *     last), or null when the line was a duplicate and ignored
     */
    UpdateTrace accept(WeightsEvent event) {
        TraceId id = event.trace();
        UpdateTrace trace = open.get(id);
        if (trace == null) {
            if (recentlyCompleted.containsKey(id)) {
                duplicate(id, event);
                return null;
            }
            trace = new UpdateTrace(id);
            open.put(id, trace);
            if (open.size() > maxOpenTraces) {
                Iterator<UpdateTrace> eldest = open.values().iterator();
                UpdateTrace dropped = eldest.next();
                eldest.remove();
                evicted++;
                unfinished++;
                sink.accept(dropped);
            }
        }
        if (!trace.add(event)) {
            duplicate(id, event);
            return null;
        }
        if (trace.isComplete()) {
            open.remove(id);
            recentlyCompleted.put(id, Boolean.TRUE);
            complete++;
            sink.accept(trace);
        }
        return trace;
    }

    private void duplicate(TraceId id, WeightsEvent event) {
        duplicates++;
        if (duplicateExamples.size() < LISTED_DUPLICATES) {
            duplicateExamples.add(id + " " + event.kind().eventName());
        }
    }

    /** Hands every still-open trace to the sink as unfinished, oldest first. */
    void finish() {
        for (UpdateTrace trace : open.values()) {
            unfinished++;
            sink.accept(trace);
        }
        open.clear();
    }

    /** The traces still open, oldest first; a read-only view, valid until the next {@link #accept}. */
    Collection<UpdateTrace> open() {
        return Collections.unmodifiableCollection(open.values());
    }

    /** Traces with all five phases. */
    long complete() {
        return complete;
    }

    /** Traces handed over without all five phases (at the end or evicted). */
    long unfinished() {
        return unfinished;
    }

    /** Lines repeating a phase their trace already had. */
    long duplicates() {
        return duplicates;
    }

    /** Unfinished traces handed over early because more than maxOpenTraces were open. */
    long evicted() {
        return evicted;
    }

    /** The first duplicates, as {@code <trace> <phase>}. */
    List<String> duplicateExamples() {
        return List.copyOf(duplicateExamples);
    }
}
