package io.weightsync.analyze.follow;

import io.weightsync.analyze.Analyzer;
import io.weightsync.analyze.Numbers;
import io.weightsync.analyze.UpdateTrace;
import io.weightsync.core.events.EventKind;
import io.weightsync.core.events.WeightsEvent;
import io.weightsync.core.trace.TraceId;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Decides when an update is finished, as the lines of a live run arrive, and prints its one line.
 *
 * <p>The rule, checked after each poll round (every log read once, so lines of one update landing in
 * two logs in the same round are judged together, whatever order the logs were read in):
 *
 * <ol>
 *   <li>all five lines in: finished, printed now;
 *   <li>its {@code client.done} is in, and no log followed has given a server line yet (a client log
 *       alone): printed now, with what the client logged;
 *   <li>its {@code client.done} is in and some of its server lines are not, while the run does have
 *       server lines: printed when they arrive, or after the grace with {@code missing=...};
 *   <li>no log has given a client line (a server log alone): printed at its {@code rpc.done}.
 * </ol>
 *
 * An update printed incomplete that completes later is printed again, marked {@code late}. An update
 * whose client.done never comes (a failed call) is never printed here: SUMMARY.md lists it as
 * unfinished. Single-threaded: called on the thread that feeds the analyzer.
 */
final class FinishedUpdates implements Analyzer.Listener {

    /** Malformed lines printed live; the rest are counted in SUMMARY.md. */
    static final int MALFORMED_PRINTED = 20;
    /** Updates printed incomplete remembered for a late reprint. */
    private static final int REMEMBERED = 4096;

    private record Waiting(UpdateTrace trace, long deadlineNanos) {}

    private final long graceNanos;
    private final Consumer<String> updateLines;
    private final Consumer<String> notices;
    /** Updates that got a line in this round, in the order first touched. */
    private final Map<TraceId, UpdateTrace> touched = new LinkedHashMap<>();
    /** Updates with their client.done in, waiting up to the grace for their server lines. */
    private final Map<TraceId, Waiting> waiting = new LinkedHashMap<>();
    /** Updates printed without all their lines; printed again when they complete. */
    private final Map<TraceId, Boolean> printedIncomplete = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<TraceId, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };
    private boolean clientSide;
    private boolean serverSide;
    private boolean muted;
    private int malformedPrinted;

    FinishedUpdates(long graceNanos, Consumer<String> updateLines, Consumer<String> notices) {
        this.graceNanos = graceNanos;
        this.updateLines = updateLines;
        this.notices = notices;
    }

    @Override
    public void joined(UpdateTrace trace, WeightsEvent line) {
        EventKind kind = line.kind();
        if (kind == EventKind.CLIENT_SEND || kind == EventKind.CLIENT_DONE) {
            clientSide = true;
        } else {
            serverSide = true;
        }
        if (!muted) {
            touched.putIfAbsent(trace.trace(), trace);
        }
    }

    @Override
    public void malformed(String description) {
        if (muted || malformedPrinted > MALFORMED_PRINTED) {
            return;
        }
        malformedPrinted++;
        notices.accept(malformedPrinted <= MALFORMED_PRINTED ? "malformed: " + description
                : "malformed: more malformed lines are counted in SUMMARY.md, not printed");
    }

    /**
     * While muted (reading what the logs held before the monitor started), lines are joined and counted
     * but no update is printed; unmuting forgets that round.
     */
    void mute(boolean mute) {
        muted = mute;
        if (!mute) {
            touched.clear();
        }
    }

    /** After a poll round: prints the updates this round finished and those whose grace ran out. */
    void endOfRound(long nowNanos) {
        for (UpdateTrace trace : touched.values()) {
            TraceId id = trace.trace();
            if (trace.isComplete()) {
                waiting.remove(id);
                print(trace, printedIncomplete.remove(id) != null ? " late" : "");
            } else if (!printedIncomplete.containsKey(id) && !waiting.containsKey(id) && isDue(trace)) {
                if (otherSideAbsent(trace)) {
                    printIncomplete(trace);
                } else {
                    waiting.put(id, new Waiting(trace, nowNanos + graceNanos));
                }
            }
        }
        touched.clear();
        for (Iterator<Waiting> it = waiting.values().iterator(); it.hasNext(); ) {
            Waiting w = it.next();
            if (nowNanos - w.deadlineNanos() >= 0) {
                it.remove();
                printIncomplete(w.trace());
            }
        }
    }

    /** The update is finished from its caller's side: the client has its answer (or, no client log, the load is done). */
    private boolean isDue(UpdateTrace trace) {
        return trace.has(EventKind.CLIENT_DONE) || (!clientSide && trace.has(EventKind.RPC_DONE));
    }

    /** No log followed has lines of the other side, so waiting for them would be waiting for nothing. */
    private boolean otherSideAbsent(UpdateTrace trace) {
        return trace.has(EventKind.CLIENT_DONE) ? !serverSide : !clientSide;
    }

    private void printIncomplete(UpdateTrace trace) {
        printedIncomplete.put(trace.trace(), Boolean.TRUE);
        print(trace, " missing=" + trace.phasesMissing());
    }

    private void print(UpdateTrace trace, String suffix) {
        updateLines.accept(line(trace) + suffix);
    }

    /** {@code update <trace> recv_gap_ms=.. server_wait_ms=.. rpc_ms=.. queue_ms=.. wall_ms=..}, "-" where unknown. */
    static String line(UpdateTrace t) {
        return "update " + t.trace()
                + " recv_gap_ms=" + Numbers.millis(t.recvGapMillis())
                + " server_wait_ms=" + Numbers.millis(t.dispatchMillis())
                + " rpc_ms=" + Numbers.millis(t.rpcMillis())
                + " queue_ms=" + Numbers.millis(t.queueMillis()) + (t.queueDerived() ? " (derived)" : "")
                + " wall_ms=" + Numbers.millis(t.wallMillis());
    }
}
