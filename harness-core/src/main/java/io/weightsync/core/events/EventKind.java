package io.weightsync.core.events;

import java.util.List;

/**
 * Every event line of the contract, with its tag, its event name and its keys in written order.
 *
 * <p>This is the grammar's single table: {@link EventFormatter} writes the keys in this order and
 * {@link EventLineParser} recognises a line by tag plus event name (the rollout line has no event name)
 * and requires exactly these keys, in any order, except the {@link #isOptional optional} ones.
 */
public enum EventKind {
    /** The client handed the update request to its HTTP client. */
    CLIENT_SEND("weights", "client.send", "t"),
    /** The server's very first handler saw the request, before the body was read or routed. */
    SERVER_RECV("weights", "server.recv", "t"),
    /** The engine started loading the weights. */
    RPC_START("weights", "rpc.start", "t"),
    /** The engine finished loading the weights; {@code rpc_ms} is the load itself. */
    RPC_DONE("weights", "rpc.done", "t", "rpc_ms"),
    /**
     * The client received the whole response; {@code queue_ms = wall_ms - rpc_ms}. {@code rpc_ms} and
     * {@code queue_ms} are left out when the response did not carry rpc_ms (not measured, never 0).
     */
    CLIENT_DONE("weights", "client.done", "wall_ms", "rpc_ms", "queue_ms"),
    /** The trainer finished writing the checkpoint of {@code step}. */
    CKPT_WRITE_DONE("ckpt", "write.done", "step", "write_ms"),
    /** The orchestrator started waiting for a STABLE checkpoint of {@code target_step}. */
    CKPT_WAIT_START("ckpt", "wait.start", "target_step"),
    /** The orchestrator's wait for {@code target_step} ended. */
    CKPT_WAIT_DONE("ckpt", "wait.done", "target_step", "wait_ms"),
    /** The engine started a generation batch. */
    GEN_BATCH_START("gen", "batch.start", "inflight", "target_batch"),
    /** The engine finished a generation batch. */
    GEN_BATCH_DONE("gen", "batch.done", "completions", "dur_ms", "inflight"),
    /** A rollout step's truncation share and policy staleness; this line has no event name. */
    ROLLOUT("rollout", "", "trunc_pct", "current_step", "ckpt_step", "staleness");

    private final String tag;
    private final String eventName;
    private final List<String> keys;

    EventKind(String tag, String eventName, String... keys) {
        this.tag = tag;
        this.eventName = eventName;
        this.keys = List.of(keys);
    }

    /** The bracketed tag without brackets: {@code weights}, {@code ckpt}, {@code gen}, {@code rollout}. */
    public String tag() {
        return tag;
    }

    /** The word after the tag ({@code client.send}); empty for {@link #ROLLOUT}. */
    public String eventName() {
        return eventName;
    }

    /** Required keys in the order the formatter writes them. */
    public List<String> keys() {
        return keys;
    }

    /**
     * True for a key a line may leave out because the figure was not measured: client.done's
     * {@code rpc_ms} and {@code queue_ms} (a server whose answer carries no rpc_ms). Read back as NaN.
     */
    public boolean isOptional(String key) {
        return this == CLIENT_DONE && (key.equals("rpc_ms") || key.equals("queue_ms"));
    }

    /** True for the {@code [weights][<trace>]} lines, which carry a trace id. */
    public boolean hasTrace() {
        return tag.equals("weights");
    }

    /** {@code [weights] client.send}, {@code [rollout]}: how messages name the line. */
    @Override
    public String toString() {
        return eventName.isEmpty() ? "[" + tag + "]" : "[" + tag + "] " + eventName;
    }
}
