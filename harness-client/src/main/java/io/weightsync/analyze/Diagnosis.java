package io.weightsync.analyze;

import static io.weightsync.core.report.MetricNames.CKPT_WAIT_MS;
import static io.weightsync.core.report.MetricNames.ROLLOUT_STALENESS;
import static io.weightsync.core.report.MetricNames.ROLLOUT_TRUNC_PCT;
import static io.weightsync.core.report.MetricNames.WEIGHTS_QUEUE_MS;
import static io.weightsync.core.report.MetricNames.WEIGHTS_RECV_GAP_MS;
import static io.weightsync.core.report.MetricNames.WEIGHTS_RPC_MS;

import io.weightsync.core.events.CkptEvent;
import io.weightsync.core.events.RolloutEvent;
import io.weightsync.core.report.Finding;
import io.weightsync.core.report.MetricSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The original investigation's rules, applied to an analysis's metrics. Each rule that fires gives one
 * {@link Finding} whose evidence quotes the number, the limit and the worst cases; none firing means
 * healthy. A finding is {@link Finding#CRITICAL} when its value is at least {@link
 * Thresholds#CRITICAL_FACTOR} times its limit.
 *
 * <ul>
 *   <li>{@code frontend_queue}: p99 queue_ms > queue_ratio x p50 rpc_ms and > queue_floor_ms (queue_ms >> rpc_ms)
 *   <li>{@code weight_loading}: p99 rpc_ms > rpc_ms limit (2000)
 *   <li>{@code checkpoint_io}: p99 ckpt.wait_ms > wait_ms limit (1000)
 *   <li>{@code staleness}: max rollout.staleness > async_level (2)
 *   <li>{@code truncation}: mean rollout.trunc_pct > trunc_pct limit (50)
 * </ul>
 */
public final class Diagnosis {

    /** Worst cases quoted in one finding's evidence. */
    private static final int CITED = 3;

    private Diagnosis() {}

    public static List<Finding> of(Map<String, MetricSummary> metrics, Evidence evidence, Thresholds limits) {
        List<Finding> findings = new ArrayList<>();
        MetricSummary queue = metrics.get(WEIGHTS_QUEUE_MS);
        MetricSummary rpc = metrics.get(WEIGHTS_RPC_MS);
        if (present(queue)) {
            double rpcP50 = present(rpc) ? rpc.p50() : 0;
            double limit = Math.max(limits.queueFloorMillis(), limits.queueRatio() * rpcP50);
            if (queue.p99() > limit) {
                StringBuilder s = new StringBuilder();
                s.append("p99 queue_ms ").append(Numbers.reading(queue.p99())).append(" ms is ")
                        .append(ratio(queue.p99(), rpcP50)).append(" p50 rpc_ms ").append(Numbers.reading(rpcP50))
                        .append(" ms (limit ").append(Numbers.reading(limit)).append(" ms = max(")
                        .append(Numbers.millis(limits.queueRatio())).append(" x p50 rpc_ms, ")
                        .append(Numbers.millis(limits.queueFloorMillis())).append(" ms))");
                MetricSummary gap = metrics.get(WEIGHTS_RECV_GAP_MS);
                if (present(gap)) {
                    s.append("; p99 recv_gap_ms (client.send -> server.recv) ").append(Numbers.reading(gap.p99()))
                            .append(" ms");
                }
                citeTraces(s, evidence.worstQueue());
                findings.add(finding("frontend_queue", queue.p99(), limit, s));
            }
        }
        if (present(rpc) && rpc.p99() > limits.rpcMillis()) {
            StringBuilder s = new StringBuilder().append("p99 rpc_ms ").append(Numbers.reading(rpc.p99()))
                    .append(" ms > ").append(Numbers.millis(limits.rpcMillis())).append(" ms (max ")
                    .append(Numbers.reading(rpc.max())).append(" ms over ").append(rpc.count()).append(" loads)");
            citeTraces(s, evidence.worstRpc());
            findings.add(finding("weight_loading", rpc.p99(), limits.rpcMillis(), s));
        }
        MetricSummary wait = metrics.get(CKPT_WAIT_MS);
        if (present(wait) && wait.p99() > limits.waitMillis()) {
            StringBuilder s = new StringBuilder().append("p99 ckpt wait_ms ").append(Numbers.reading(wait.p99()))
                    .append(" ms > ").append(Numbers.millis(limits.waitMillis())).append(" ms over ")
                    .append(wait.count()).append(" waits; longest:");
            for (CkptEvent.WaitDone w : cite(evidence.worstWaits())) {
                s.append(" target_step=").append(w.targetStep()).append(" wait_ms=").append(Numbers.millis(w.waitMillis())).append(';');
            }
            findings.add(finding("checkpoint_io", wait.p99(), limits.waitMillis(), trimSemicolon(s)));
        }
        MetricSummary staleness = metrics.get(ROLLOUT_STALENESS);
        if (present(staleness) && staleness.max() > limits.asyncLevel()) {
            StringBuilder s = new StringBuilder().append("max staleness ").append(Numbers.reading(staleness.max()))
                    .append(" steps > async_level ").append(limits.asyncLevel()).append("; stalest:");
            citeRollouts(s, evidence.stalest());
            findings.add(finding("staleness", staleness.max(), Math.max(1, limits.asyncLevel()), trimSemicolon(s)));
        }
        MetricSummary trunc = metrics.get(ROLLOUT_TRUNC_PCT);
        if (present(trunc) && trunc.mean() > limits.truncPct()) {
            StringBuilder s = new StringBuilder().append("mean trunc_pct ").append(Numbers.reading(trunc.mean()))
                    .append("% > ").append(Numbers.millis(limits.truncPct())).append("% of completions cut by max_tokens (max ")
                    .append(Numbers.reading(trunc.max())).append("%); most truncated:");
            citeRollouts(s, evidence.mostTruncated());
            findings.add(finding("truncation", trunc.mean(), Math.max(1, limits.truncPct()), trimSemicolon(s)));
        }
        return findings;
    }

    private static boolean present(MetricSummary m) {
        return m != null && m.count() > 0;
    }

    private static Finding finding(String id, double value, double limit, CharSequence evidence) {
        boolean critical = limit > 0 ? value >= Thresholds.CRITICAL_FACTOR * limit : value > 0;
        return new Finding(id, critical ? Finding.CRITICAL : Finding.WARNING, evidence.toString());
    }

    private static String ratio(double value, double base) {
        return base > 0 ? Numbers.millis(Math.round(value / base * 10) / 10.0) + "x" : "above";
    }

    private static void citeTraces(StringBuilder s, List<UpdateTrace> traces) {
        if (traces.isEmpty()) {
            return;
        }
        s.append(". Worst updates: ");
        List<UpdateTrace> cited = cite(traces);
        for (int i = 0; i < cited.size(); i++) {
            s.append(i == 0 ? "" : "; ").append(cited.get(i).describe());
        }
    }

    private static void citeRollouts(StringBuilder s, List<RolloutEvent> rollouts) {
        for (RolloutEvent r : cite(rollouts)) {
            s.append(" current_step=").append(r.currentStep()).append(" ckpt_step=").append(r.ckptStep())
                    .append(" staleness=").append(r.staleness()).append(" trunc_pct=").append(Numbers.millis(r.truncPct()))
                    .append(';');
        }
    }

    private static <T> List<T> cite(List<T> items) {
        return items.subList(0, Math.min(CITED, items.size()));
    }

    private static String trimSemicolon(StringBuilder s) {
        return s.charAt(s.length() - 1) == ';' ? s.substring(0, s.length() - 1) : s.toString();
    }
}
