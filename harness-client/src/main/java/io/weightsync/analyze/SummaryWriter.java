package io.weightsync.analyze;

import io.weightsync.core.events.CkptEvent;
import io.weightsync.core.report.Finding;
import io.weightsync.core.report.MetricNames;
import io.weightsync.core.report.MetricSummary;
import io.weightsync.core.report.Report;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * SUMMARY.md for a person: the verdict first, then the metrics table, then the evidence (worst
 * updates with their five phases), then what to do next, and last the rules it was judged by.
 */
public final class SummaryWriter {

    private SummaryWriter() {}

    /** The one-line verdict: {@code healthy} or the findings' ids with severities. */
    public static String verdict(Report report) {
        return verdict(report.diagnosis());
    }

    /** The one-line verdict of these findings: {@code healthy} when there are none. */
    public static String verdict(List<Finding> diagnosis) {
        if (diagnosis.isEmpty()) {
            return "healthy";
        }
        StringBuilder s = new StringBuilder();
        for (Finding f : diagnosis) {
            s.append(s.length() == 0 ? "" : ", ").append(f.id()).append(" (").append(f.severity()).append(')');
        }
        return s.toString();
    }

    public static String markdown(Analyzer.Analysis analysis) {
        Report report = analysis.report();
        Evidence evidence = analysis.evidence();
        Map<String, Long> counters = report.counters();
        StringBuilder md = new StringBuilder();
        md.append("# Analysis: ").append(verdict(report)).append("\n\n");
        if (report.healthy()) {
            md.append("No rule fired: the update path, checkpoints and rollouts are within the limits below.\n");
        } else {
            for (Finding f : report.diagnosis()) {
                md.append("- **").append(f.id()).append("** (").append(f.severity()).append("): ")
                        .append(headline(f.id())).append('\n');
            }
        }
        md.append('\n').append(counters.get("updates")).append(" complete updates, ")
                .append(counters.get("unfinished_traces")).append(" unfinished; ")
                .append(counters.get("event_lines")).append(" event lines (").append(counters.get("malformed_lines"))
                .append(" malformed) in ").append(counters.get("lines")).append(" lines of ")
                .append(counters.get("files")).append(" log file(s).\n");

        md.append("\n## Metrics\n\n");
        md.append("From HdrHistograms with 3 significant digits: each value is within 0.1% of the logged one;"
                + " report.json keeps every digit and the full distributions.\n\n");
        md.append("| metric | unit | count | mean | min | p50 | p90 | p99 | p99.9 | max |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, MetricSummary> e : report.metrics().entrySet()) {
            MetricSummary m = e.getValue();
            md.append("| `").append(e.getKey()).append("` | ").append(MetricNames.unit(e.getKey())).append(" | ")
                    .append(m.count());
            for (double v : new double[] {m.mean(), m.min(), m.p50(), m.p90(), m.p99(), m.p999(), m.max()}) {
                md.append(" | ").append(m.count() == 0 ? "-" : Numbers.reading(v));
            }
            md.append(" |\n");
        }
        if (counters.getOrDefault("queue_derived", 0L) > 0) {
            md.append("\n").append(counters.get("queue_derived")).append(" queue_ms values are derived (no client.done"
                    + " line): rpc.done t - client.send t - rpc_ms, a lower bound that misses the response's way back.\n");
        }
        if (counters.getOrDefault("clock_skew", 0L) > 0) {
            md.append("\n").append(counters.get("clock_skew")).append(" negative gaps (server.recv before client.send):"
                    + " the two hosts' clocks disagree; those values are left out of the metrics.\n");
        }
        md.append("\n## Counters\n\n| counter | value |\n|---|---:|\n");
        counters.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));

        md.append("\n## Evidence\n\n");
        for (Finding f : report.diagnosis()) {
            md.append("**").append(f.id()).append("**: ").append(f.evidence()).append("\n\n");
        }
        traceTable(md, "Updates with the longest queue_ms", evidence.worstQueue());
        traceTable(md, "Updates with the longest rpc_ms", evidence.worstRpc());
        if (!evidence.worstWaits().isEmpty()) {
            md.append("Longest checkpoint waits:");
            for (CkptEvent.WaitDone w : evidence.worstWaits()) {
                md.append(" step ").append(w.targetStep()).append(" ").append(Numbers.millis(w.waitMillis())).append(" ms;");
            }
            md.setLength(md.length() - 1);
            md.append("\n\n");
        }
        if (!evidence.unfinished().isEmpty()) {
            md.append("Unfinished updates (").append(counters.get("unfinished_traces"))
                    .append("; a send without a done, or a log missing; first ").append(evidence.unfinished().size())
                    .append(" listed):\n\n");
            for (UpdateTrace t : evidence.unfinished()) {
                md.append("- `").append(t.trace()).append("` seen ").append(t.phasesSeen()).append("; missing ")
                        .append(t.phasesMissing()).append('\n');
            }
            md.append('\n');
        }
        list(md, "Duplicate lines (same trace, same phase; the first was kept)", evidence.duplicates());
        list(md, "Malformed event lines", evidence.malformed());
        for (LogScanner.FileStats f : evidence.files()) {
            if (f.error() != null) {
                md.append("Read error: `").append(f.file().getFileName()).append("`: ").append(f.error()).append("\n\n");
            }
        }

        md.append("## What to do next\n\n");
        if (report.healthy()) {
            md.append("- Keep this report as the baseline: `./harness compare THIS/report.json LATER/report.json"
                    + " --expect 'weights.queue_ms.p99<300'` flags a regression.\n");
        }
        for (Finding f : report.diagnosis()) {
            md.append("- **").append(f.id()).append("**: ").append(advice(f.id())).append('\n');
        }
        Thresholds t = analysis.thresholds();
        md.append("\n## Rules\n\n");
        md.append("- `frontend_queue`: p99 queue_ms > ").append(Numbers.millis(t.queueRatio()))
                .append(" x p50 rpc_ms and > ").append(Numbers.millis(t.queueFloorMillis()))
                .append(" ms (`--queue-ratio`, `--queue-floor-ms`)\n");
        md.append("- `weight_loading`: p99 rpc_ms > ").append(Numbers.millis(t.rpcMillis())).append(" ms (`--rpc-ms`)\n");
        md.append("- `checkpoint_io`: p99 ckpt.wait_ms > ").append(Numbers.millis(t.waitMillis())).append(" ms (`--wait-ms`)\n");
        md.append("- `staleness`: max rollout.staleness > async_level ").append(t.asyncLevel()).append(" (`--async-level`)\n");
        md.append("- `truncation`: mean rollout.trunc_pct > ").append(Numbers.millis(t.truncPct())).append("% (`--trunc-pct`)\n");
        md.append("- critical when the value is at least ").append(Numbers.millis(Thresholds.CRITICAL_FACTOR))
                .append("x its limit, else warning\n");
        return md.toString();
    }

    private static void traceTable(StringBuilder md, String title, List<UpdateTrace> traces) {
        if (traces.isEmpty()) {
            return;
        }
        md.append(title).append(" (times: client.send in UTC, then ms after it):\n\n");
        md.append("| trace | client.send | server.recv | rpc.start | rpc.done | recv_gap_ms | recv->rpc.start ms | rpc_ms | queue_ms | wall_ms |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (UpdateTrace t : traces) {
            long send = t.sendEpochMillis();
            md.append("| `").append(t.trace()).append("` | ")
                    .append(send == UpdateTrace.ABSENT ? "-" : Instant.ofEpochMilli(send).toString()).append(" | ")
                    .append(offset(send, t.recvEpochMillis())).append(" | ")
                    .append(offset(send, t.rpcStartEpochMillis())).append(" | ")
                    .append(offset(send, t.rpcDoneEpochMillis())).append(" | ")
                    .append(Numbers.millis(t.recvGapMillis())).append(" | ")
                    .append(Numbers.millis(t.dispatchMillis())).append(" | ")
                    .append(Numbers.millis(t.rpcMillis())).append(" | ")
                    .append(Numbers.millis(t.queueMillis())).append(t.queueDerived() ? " (derived)" : "").append(" | ")
                    .append(Numbers.millis(t.wallMillis())).append(" |\n");
        }
        md.append('\n');
    }

    private static String offset(long send, long at) {
        return send == UpdateTrace.ABSENT || at == UpdateTrace.ABSENT ? "-" : "+" + (at - send);
    }

    private static void list(StringBuilder md, String title, List<String> items) {
        if (items.isEmpty()) {
            return;
        }
        md.append(title).append(":\n\n");
        items.forEach(i -> md.append("- ").append(i).append('\n'));
        md.append('\n');
    }

    private static String headline(String id) {
        return switch (id) {
            case "frontend_queue" -> "weight updates spend far longer queued than loading";
            case "weight_loading" -> "the weight load itself is slow";
            case "checkpoint_io" -> "the orchestrator waits for the trainer's checkpoints";
            case "staleness" -> "rollouts used weights older than async_level allows";
            case "truncation" -> "most completions were cut by max_tokens";
            default -> id;
        };
    }

    private static String advice(String id) {
        return switch (id) {
            case "frontend_queue" -> "if recv_gap_ms carries the wait, the update request sat in the client's"
                    + " connection pool behind streaming generations before the server saw it: send admin calls through a"
                    + " dedicated admin HTTP client with its own pool (prime-rl PR #1114 took 8.58 s to 55 ms). If"
                    + " recv->rpc.start carries it, the server held the request until the engine took it: look at"
                    + " pause/step scheduling. Check the fix with `./harness compare BEFORE AFTER --expect"
                    + " 'weights.queue_ms.p99<300'`.";
            case "weight_loading" -> "the engine's load is the cost: check the checkpoint's size, sharding and"
                    + " storage (`./harness ckpt inspect`), whether reads are cold (page cache), and the load path"
                    + " (safetensors iterator, copies); `benchmarks.jar CheckpointLoadBenchmark` gives this"
                    + " machine's ceiling.";
            case "checkpoint_io" -> "compare ckpt.write_ms with the wait: a slow write wants faster storage or"
                    + " asynchronous checkpointing; a fast write with long waits means the trainer is simply"
                    + " behind (raise async_level if the staleness is acceptable).";
            case "staleness" -> "the orchestrator generated with weights older than async_level: check that it"
                    + " waits for STABLE checkpoints (wait.start/wait.done lines) and which async_level it ran"
                    + " with (`--async-level` here).";
            case "truncation" -> "raise max_tokens, or look for degenerate (repeating) completions; truncated"
                    + " rollouts bias the reward.";
            default -> "see the evidence above.";
        };
    }
}
