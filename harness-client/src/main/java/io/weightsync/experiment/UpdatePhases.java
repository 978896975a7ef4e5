package io.weightsync.experiment;

/**
 * One weight update as the experiment saw it, on the client's and the server's clocks (one machine
 * here, so one clock). Times are epoch milliseconds; {@link Double#NaN} where a phase was not seen
 * (a live host whose log the client cannot read has no server.recv / rpc.start).
 *
 * <p>Phases, in order: client queue (send to recv), front end (recv to rpc.start), engine load
 * (rpc.start to rpc.done), response (rpc.done to done).
 *
 * @param trace the update's trace id (16 hex)
 * @param step the checkpoint step it loaded
 * @param sendMs {@code client.send}: the orchestrator handed the request to its HTTP client
 * @param recvMs {@code server.recv}: the server's first handler saw it
 * @param rpcStartMs {@code rpc.start}
 * @param rpcDoneMs {@code rpc.done}
 * @param doneMs {@code client.done}: the client had the whole response
 * @param ok false when the update failed (error status, timeout)
 */
public record UpdatePhases(String trace, long step, double sendMs, double recvMs, double rpcStartMs,
        double rpcDoneMs, double doneMs, boolean ok) {}
