package io.weightsync.core.report;

import java.util.List;

/** The contract's metric names, as report.json, {@code compare} and {@code --expect} use them. */
public final class MetricNames {

    /** client.send to client.done, as the client measured it. */
    public static final String WEIGHTS_WALL_MS = "weights.wall_ms";
    /** The engine's weight load (rpc.start to rpc.done), as the server measured it. */
    public static final String WEIGHTS_RPC_MS = "weights.rpc_ms";
    /** wall_ms - rpc_ms: everything that was not the load. */
    public static final String WEIGHTS_QUEUE_MS = "weights.queue_ms";
    /** server.recv - client.send: the wait before the server even saw the request. */
    public static final String WEIGHTS_RECV_GAP_MS = "weights.recv_gap_ms";
    public static final String STREAM_TTFT_MS = "stream.ttft_ms";
    public static final String STREAM_ITL_MS = "stream.itl_ms";
    public static final String STREAM_E2E_MS = "stream.e2e_ms";
    public static final String CKPT_WRITE_MS = "ckpt.write_ms";
    public static final String CKPT_WAIT_MS = "ckpt.wait_ms";
    public static final String GEN_DUR_MS = "gen.dur_ms";
    public static final String GEN_STALL_MS = "gen.stall_ms";
    /** current_step - ckpt_step, in steps. */
    public static final String ROLLOUT_STALENESS = "rollout.staleness";
    /** Percent (0..100) of completions cut by max_tokens. */
    public static final String ROLLOUT_TRUNC_PCT = "rollout.trunc_pct";

    /** What {@code analyze} computes from event lines, in report order. */
    public static final List<String> FROM_EVENT_LINES = List.of(WEIGHTS_WALL_MS, WEIGHTS_RPC_MS, WEIGHTS_QUEUE_MS,
            WEIGHTS_RECV_GAP_MS, CKPT_WRITE_MS, CKPT_WAIT_MS, GEN_DUR_MS, ROLLOUT_STALENESS, ROLLOUT_TRUNC_PCT);

    private MetricNames() {}

    /** The unit a person reads next to the metric's numbers: ms, steps or %. */
    public static String unit(String metric) {
        if (metric.endsWith("_ms")) {
            return "ms";
        }
        if (metric.endsWith("_pct")) {
            return "%";
        }
        return metric.equals(ROLLOUT_STALENESS) ? "steps" : "";
    }
}
