package io.weightsync.core.events;

import io.weightsync.core.trace.TraceId;
import java.util.Objects;

/**
 * The {@code [weights][<trace>]} lines of one weight update, in the order they happen: the client
 * sends, the server's first handler receives, the engine loads between {@code rpc.start} and
 * {@code rpc.done}, the client has the whole response.
 */
public sealed interface WeightsEvent extends Event {

    /** The update this line belongs to; the same on client and server. */
    TraceId trace();

    /** {@code client.send t=}: the client handed the request to its HTTP client. */
    record ClientSend(TraceId trace, long epochMillis) implements WeightsEvent {
        public ClientSend {
            Objects.requireNonNull(trace, "trace");
            Checks.epochMillis(epochMillis);
        }

        @Override
        public EventKind kind() {
            return EventKind.CLIENT_SEND;
        }
    }

    /** {@code server.recv t=}: the server's very first handler, before the body is read or routed. */
    record ServerRecv(TraceId trace, long epochMillis) implements WeightsEvent {
        public ServerRecv {
            Objects.requireNonNull(trace, "trace");
            Checks.epochMillis(epochMillis);
        }

        @Override
        public EventKind kind() {
            return EventKind.SERVER_RECV;
        }
    }

    /** {@code rpc.start t=}: the engine starts loading the weights. */
    record RpcStart(TraceId trace, long epochMillis) implements WeightsEvent {
        public RpcStart {
            Objects.requireNonNull(trace, "trace");
            Checks.epochMillis(epochMillis);
        }

        @Override
        public EventKind kind() {
            return EventKind.RPC_START;
        }
    }

    /** {@code rpc.done t= rpc_ms=}: the load finished at {@code epochMillis} and took {@code rpcMillis}. */
    record RpcDone(TraceId trace, long epochMillis, double rpcMillis) implements WeightsEvent {
        public RpcDone {
            Objects.requireNonNull(trace, "trace");
            Checks.epochMillis(epochMillis);
            Checks.finite("rpc_ms", rpcMillis);
        }

        @Override
        public EventKind kind() {
            return EventKind.RPC_DONE;
        }
    }

    /**
     * {@code client.done wall_ms= rpc_ms= queue_ms=}: the client has the whole response.
     *
     * @param wallMillis client.send to client.done, as the client measured it
     * @param rpcMillis the engine's load, as the server reported it; NaN when the response did not
     *     carry it (prime-rl answers {@code {"status":"ok"}}): not measured, and the line leaves the key out
     * @param queueMillis {@code wallMillis - rpcMillis}: everything that was not the load (client pool
     *     queue, network, front-end queue); kept as written, never recomputed, so a line is read back as
     *     is; NaN (key left out) when rpc_ms is
     */
    record ClientDone(TraceId trace, double wallMillis, double rpcMillis, double queueMillis)
            implements WeightsEvent {
        public ClientDone {
            Objects.requireNonNull(trace, "trace");
            Checks.finite("wall_ms", wallMillis);
            Checks.finiteOrNaN("rpc_ms", rpcMillis);
            Checks.finiteOrNaN("queue_ms", queueMillis);
        }

        /** A client.done whose {@code queue_ms} is {@code wall_ms - rpc_ms} (both NaN when rpc was not measured). */
        public static ClientDone of(TraceId trace, double wallMillis, double rpcMillis) {
            return new ClientDone(trace, wallMillis, rpcMillis, wallMillis - rpcMillis);
        }

        @Override
        public EventKind kind() {
            return EventKind.CLIENT_DONE;
        }
    }
}
