package io.weightsync.client;

import io.weightsync.core.trace.TraceId;

/**
 * How one admin weight call ended.
 *
 * @param trace the call's trace id (sent as {@code X-Trace-Id})
 * @param status what happened
 * @param sendEpochMillis {@code client.send}, epoch milliseconds
 * @param doneEpochMillis when the call ended, epoch milliseconds
 * @param wallMillis send to the whole response (or to the failure)
 * @param rpcMillis the engine's load as the server reported it; NaN unless OK, and NaN for an OK update
 *     whose response carried no rpc_ms (not measured)
 * @param step the step the server reports live; -1 unless OK
 * @param attempts HTTP requests made (retries happen only when a request certainly did not reach the server)
 * @param error one line saying what went wrong; null when OK
 */
public record UpdateOutcome(TraceId trace, Status status, long sendEpochMillis, long doneEpochMillis,
        double wallMillis, double rpcMillis, long step, int attempts, String error) {

    public enum Status {
        /** 200: the weights are live (or already were: the server treats a repeat as a no-op). */
        OK,
        /** 404: the server has no such endpoint (not the harness, not a vLLM with dev endpoints). */
        NOT_SUPPORTED,
        /** Any other status, a timeout, a broken connection. */
        FAILED
    }

    public boolean ok() {
        return status == Status.OK;
    }

    /** {@code wall_ms - rpc_ms}: everything that was not the engine's load; NaN unless OK with rpc measured. */
    public double queueMillis() {
        return wallMillis - rpcMillis;
    }

    /** True when the response carried the engine's load time (an OK update may not: prime-rl's does not). */
    public boolean rpcMeasured() {
        return !Double.isNaN(rpcMillis);
    }
}
