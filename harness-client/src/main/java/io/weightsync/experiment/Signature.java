package io.weightsync.experiment;

import io.weightsync.analyze.Numbers;
import io.weightsync.core.report.MetricNames;
import io.weightsync.core.report.MetricSummary;
import io.weightsync.core.report.Report;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The investigation's signature, judged on an experiment's reports: before the fix (shared admin
 * client) the admin request waits behind the streams, {@code weights.queue_ms} p50 at least 1 s and at
 * least 10x the engine's own {@code rpc_ms} p50; after it (dedicated) {@code weights.queue_ms} p99
 * stays under 300 ms (the investigation's target) and the server sees the request within 50 ms
 * ({@code weights.recv_gap_ms} p99).
 */
public final class Signature {

    public static final double SHARED_QUEUE_P50_MIN_MS = 1000;
    public static final double SHARED_QUEUE_OVER_RPC_MIN = 10;
    public static final double DEDICATED_QUEUE_P99_MAX_MS = 300;
    public static final double DEDICATED_RECV_GAP_P99_MAX_MS = 50;

    /** One check: what was expected, what was measured, whether it held. */
    public record Check(String mode, String expectation, String measured, boolean passed) {}

    private Signature() {}

    /** The checks for the modes present ({@code shared}, {@code dedicated}); none for a mode not run. */
    public static List<Check> checks(List<ModeResult> modes) {
        List<Check> checks = new ArrayList<>();
        for (ModeResult m : modes) {
            double queueP50 = stat(m.report(), MetricNames.WEIGHTS_QUEUE_MS, "p50");
            double queueP99 = stat(m.report(), MetricNames.WEIGHTS_QUEUE_MS, "p99");
            double rpcP50 = stat(m.report(), MetricNames.WEIGHTS_RPC_MS, "p50");
            double gapP99 = stat(m.report(), MetricNames.WEIGHTS_RECV_GAP_MS, "p99");
            switch (m.mode()) {
                case "shared" -> {
                    checks.add(new Check(m.mode(), "weights.queue_ms p50 >= " + Numbers.millis(SHARED_QUEUE_P50_MIN_MS) + " ms",
                            Numbers.reading(queueP50) + " ms", queueP50 >= SHARED_QUEUE_P50_MIN_MS));
                    double ratio = queueP50 / rpcP50;
                    checks.add(new Check(m.mode(), "weights.queue_ms p50 >= " + Numbers.millis(SHARED_QUEUE_OVER_RPC_MIN)
                            + "x weights.rpc_ms p50", Numbers.reading(queueP50) + " / " + Numbers.reading(rpcP50) + " ms = "
                            + Numbers.reading(ratio) + "x", ratio >= SHARED_QUEUE_OVER_RPC_MIN));
                }
                case "dedicated" -> {
                    checks.add(new Check(m.mode(), "weights.queue_ms p99 < " + Numbers.millis(DEDICATED_QUEUE_P99_MAX_MS) + " ms",
                            Numbers.reading(queueP99) + " ms", queueP99 < DEDICATED_QUEUE_P99_MAX_MS));
                    checks.add(new Check(m.mode(), "weights.recv_gap_ms p99 < " + Numbers.millis(DEDICATED_RECV_GAP_P99_MAX_MS)
                            + " ms", Double.isNaN(gapP99) ? "not measured (no server log)" : Numbers.reading(gapP99) + " ms",
                            gapP99 < DEDICATED_RECV_GAP_P99_MAX_MS));
                }
                default -> { }
            }
        }
        return checks;
    }

    /** True when every check held (and there was at least one). */
    public static boolean reproduced(List<Check> checks) {
        return !checks.isEmpty() && checks.stream().allMatch(Check::passed);
    }

    /** A statistic of a report's metric; NaN when the report lacks it. */
    public static double stat(Report report, String metric, String stat) {
        return Optional.ofNullable(report.metrics().get(metric))
                .filter(s -> s.count() > 0)
                .map(s -> s.stat(stat))
                .orElse(Double.NaN);
    }

    static MetricSummary summary(Report report, String metric) {
        return report.metrics().get(metric);
    }
}
