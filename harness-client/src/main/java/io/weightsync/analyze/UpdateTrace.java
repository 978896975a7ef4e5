package io.weightsync.analyze;

import io.weightsync.core.events.EventKind;
import io.weightsync.core.events.WeightsEvent;
import io.weightsync.core.trace.TraceId;

/**
 * One weight update as the logs tell it: its five {@code [weights]} lines joined by trace id. Times are
 * epoch milliseconds, durations milliseconds; a phase whose line was not found is {@link #ABSENT} (for
 * times) or NaN (for durations).
 *
 * <p>Mutable while the joiner collects lines; read-only once folded.
 */
public final class UpdateTrace {

    /** Marks a phase time that no line gave. */
    public static final long ABSENT = Long.MIN_VALUE;

    static final int SEND = 1;
    static final int RECV = 2;
    static final int RPC_START = 4;
    static final int RPC_DONE = 8;
    static final int CLIENT_DONE = 16;
    static final int ALL = SEND | RECV | RPC_START | RPC_DONE | CLIENT_DONE;

    private final TraceId trace;
    private int seen;
    private long sendEpochMillis = ABSENT;
    private long recvEpochMillis = ABSENT;
    private long rpcStartEpochMillis = ABSENT;
    private long rpcDoneEpochMillis = ABSENT;
    /** From rpc.done (the server's own number). */
    private double serverRpcMillis = Double.NaN;
    private double wallMillis = Double.NaN;
    /** From client.done (the server's number as the response carried it). */
    private double clientRpcMillis = Double.NaN;
    private double clientQueueMillis = Double.NaN;

    UpdateTrace(TraceId trace) {
        this.trace = trace;
    }

    /** Adds one line's facts; false when this phase was already seen (a duplicate line, ignored). */
    boolean add(WeightsEvent event) {
        int phase = phaseOf(event);
        if ((seen & phase) != 0) {
            return false;
        }
        seen |= phase;
        if (event instanceof WeightsEvent.ClientSend e) {
            sendEpochMillis = e.epochMillis();
        } else if (event instanceof WeightsEvent.ServerRecv e) {
            recvEpochMillis = e.epochMillis();
        } else if (event instanceof WeightsEvent.RpcStart e) {
            rpcStartEpochMillis = e.epochMillis();
        } else if (event instanceof WeightsEvent.RpcDone e) {
            rpcDoneEpochMillis = e.epochMillis();
            serverRpcMillis = e.rpcMillis();
        } else if (event instanceof WeightsEvent.ClientDone e) {
            wallMillis = e.wallMillis();
            clientRpcMillis = e.rpcMillis();
            clientQueueMillis = e.queueMillis();
        }
        return true;
    }

    static int phaseOf(WeightsEvent event) {
        return bit(event.kind());
    }

    /** The phase's bit in {@link #seen}; 0 for a kind that is not one of the five. */
    private static int bit(EventKind kind) {
        return switch (kind) {
            case CLIENT_SEND -> SEND;
            case SERVER_RECV -> RECV;
            case RPC_START -> RPC_START;
            case RPC_DONE -> RPC_DONE;
            case CLIENT_DONE -> CLIENT_DONE;
            default -> 0;
        };
    }

    /** True once all five lines are in. */
    public boolean isComplete() {
        return seen == ALL;
    }

    /** True when this phase's line was found. */
    public boolean has(EventKind phase) {
        return (seen & bit(phase)) != 0;
    }

    public TraceId trace() {
        return trace;
    }

    /** The phases whose lines were found, e.g. {@code send,recv,rpc.start}. */
    public String phasesSeen() {
        return phases(seen);
    }

    /** The phases whose lines are missing, e.g. {@code client.done}. */
    public String phasesMissing() {
        return phases(ALL & ~seen);
    }

    private static String phases(int mask) {
        StringBuilder s = new StringBuilder();
        String[] names = {"client.send", "server.recv", "rpc.start", "rpc.done", "client.done"};
        for (int i = 0; i < names.length; i++) {
            if ((mask & (1 << i)) != 0) {
                s.append(s.length() == 0 ? "" : ",").append(names[i]);
            }
        }
        return s.toString();
    }

    public long sendEpochMillis() {
        return sendEpochMillis;
    }

    public long recvEpochMillis() {
        return recvEpochMillis;
    }

    public long rpcStartEpochMillis() {
        return rpcStartEpochMillis;
    }

    public long rpcDoneEpochMillis() {
        return rpcDoneEpochMillis;
    }

    /** The load: rpc.done's rpc_ms, else client.done's; NaN when neither line was found. */
    public double rpcMillis() {
        return Double.isNaN(serverRpcMillis) ? clientRpcMillis : serverRpcMillis;
    }

    /** client.done's wall_ms, else rpc.done t - client.send t (a lower bound); NaN when neither. */
    public double wallMillis() {
        if (!Double.isNaN(wallMillis)) {
            return wallMillis;
        }
        return sendEpochMillis != ABSENT && rpcDoneEpochMillis != ABSENT
                ? rpcDoneEpochMillis - sendEpochMillis : Double.NaN;
    }

    /** client.done's queue_ms, else derived as {@link #wallMillis()} - {@link #rpcMillis()}; NaN when neither. */
    public double queueMillis() {
        if (!Double.isNaN(clientQueueMillis)) {
            return clientQueueMillis;
        }
        return wallMillis() - rpcMillis();
    }

    /** True when queue_ms is not from a client.done line but derived from the send and rpc.done times. */
    public boolean queueDerived() {
        return Double.isNaN(clientQueueMillis) && !Double.isNaN(queueMillis());
    }

    /** server.recv - client.send; NaN unless both lines were found (negative means clock skew). */
    public double recvGapMillis() {
        return gap(sendEpochMillis, recvEpochMillis);
    }

    /** rpc.start - server.recv: the server holding the request until the engine takes it. */
    public double dispatchMillis() {
        return gap(recvEpochMillis, rpcStartEpochMillis);
    }

    private static double gap(long from, long to) {
        return from == ABSENT || to == ABSENT ? Double.NaN : to - from;
    }

    /** One line for a person: the five phases as offsets from client.send, and the derived gaps. */
    public String describe() {
        StringBuilder s = new StringBuilder().append(trace);
        s.append(": queue_ms=").append(Numbers.millis(queueMillis()));
        if (queueDerived()) {
            s.append(" (derived)");
        }
        s.append(" rpc_ms=").append(Numbers.millis(rpcMillis()));
        s.append(" wall_ms=").append(Numbers.millis(wallMillis()));
        s.append(" recv_gap_ms=").append(Numbers.millis(recvGapMillis()));
        s.append(" recv->rpc.start_ms=").append(Numbers.millis(dispatchMillis()));
        if (seen != ALL) {
            s.append(" missing=").append(phasesMissing());
        }
        return s.toString();
    }
}
