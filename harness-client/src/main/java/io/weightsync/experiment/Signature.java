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
 * ({@code weights.recv_gap_ms} p99). A check whose figure the run cannot have (no server log, a
 * server whose answer carries no rpc_ms) is {@link Outcome#NOT_MEASURED}, never a FAIL.
 */
public final class Signature {

    public static final double SHARED_QUEUE_P50_MIN_MS = 1000;
    public static final double SHARED_QUEUE_OVER_RPC_MIN = 10;
    public static final double DEDICATED_QUEUE_P99_MAX_MS = 300;
    public static final double DEDICATED_RECV_GAP_P99_MAX_MS = 50;

    /** What became of one check: it held, it did not, or the run could not have its figure. */
    public enum Outcome {
        PASS("PASS"),
        FAIL("FAIL"),
        /** A figure the run cannot have (a live host whose log it cannot read, a server answering no rpc_ms). */
        NOT_MEASURED("----");

        /** Four characters, as the table prints it. */
        public final String label;

        Outcome(String label) {
            this.label = label;
        }
    }

    /** One check: what was expected, what was measured, what became of it. */
    public record Check(String mode, String expectation, String measured, Outcome outcome) {
        public boolean passed() {
            return outcome == Outcome.PASS;
        }
    }

    /** Why a weights.queue_ms or weights.rpc_ms figure can be missing. */
    static final String NO_RPC = "not measured (no rpc_ms: not in the response, no server log)";
    /** Why weights.recv_gap_ms can be missing. */
    static final String NO_SERVER_LOG = "not measured (no server log)";

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
                    checks.add(judge(m.mode(), "weights.queue_ms p50 >= " + Numbers.millis(SHARED_QUEUE_P50_MIN_MS) + " ms",
                            queueP50, NO_RPC, Numbers.reading(queueP50) + " ms", queueP50 >= SHARED_QUEUE_P50_MIN_MS));
                    double ratio = queueP50 / rpcP50;
                    checks.add(judge(m.mode(), "weights.queue_ms p50 >= " + Numbers.millis(SHARED_QUEUE_OVER_RPC_MIN)
                            + "x weights.rpc_ms p50", ratio, NO_RPC, Numbers.reading(queueP50) + " / "
                            + Numbers.reading(rpcP50) + " ms = " + Numbers.reading(ratio) + "x",
                            ratio >= SHARED_QUEUE_OVER_RPC_MIN));
                }
                case "dedicated" -> {
                    checks.add(judge(m.mode(), "weights.queue_ms p99 < " + Numbers.millis(DEDICATED_QUEUE_P99_MAX_MS) + " ms",
                            queueP99, NO_RPC, Numbers.reading(queueP99) + " ms", queueP99 < DEDICATED_QUEUE_P99_MAX_MS));
                    checks.add(judge(m.mode(), "weights.recv_gap_ms p99 < " + Numbers.millis(DEDICATED_RECV_GAP_P99_MAX_MS)
                            + " ms", gapP99, NO_SERVER_LOG, Numbers.reading(gapP99) + " ms",
                            gapP99 < DEDICATED_RECV_GAP_P99_MAX_MS));
                }
                default -> { }
            }
        }
        return checks;
    }

    /** A figure that is NaN (the report lacks what it is made of) is not measured: neither PASS nor FAIL. */
    static Check judge(String mode, String expectation, double figure, String whyMissing, String measured, boolean held) {
        if (Double.isNaN(figure)) {
            return new Check(mode, expectation, whyMissing, Outcome.NOT_MEASURED);
        }
        return new Check(mode, expectation, measured, held ? Outcome.PASS : Outcome.FAIL);
    }

    /** True when every check held (and there was at least one). */
    public static boolean reproduced(List<Check> checks) {
        return !checks.isEmpty() && checks.stream().allMatch(Check::passed);
    }

    /**
     * The one-line verdict, for the table, SUMMARY.md and report.html alike: {@code signature reproduced}
     * (every check held), {@code signature NOT reproduced} (one failed, whatever was not measured), else
     * {@code signature not judged: N checks not measured}; null when there are no checks.
     */
    public static String verdict(List<Check> checks) {
        if (checks.isEmpty()) {
            return null;
        }
        long notMeasured = checks.stream().filter(c -> c.outcome() == Outcome.NOT_MEASURED).count();
        boolean failed = checks.stream().anyMatch(c -> c.outcome() == Outcome.FAIL);
        if (failed) {
            return "signature NOT reproduced" + (notMeasured == 0 ? "" : " (" + notMeasured + " "
                    + (notMeasured == 1 ? "check" : "checks") + " not measured)");
        }
        if (notMeasured > 0) {
            return "signature not judged: " + notMeasured + " " + (notMeasured == 1 ? "check" : "checks")
                    + " not measured";
        }
        return "signature reproduced";
    }

    /** The tone of {@link #verdict}: PASS, FAIL, or NOT_MEASURED when nothing failed but something was not measured. */
    public static Outcome overall(List<Check> checks) {
        if (checks.stream().anyMatch(c -> c.outcome() == Outcome.FAIL)) {
            return Outcome.FAIL;
        }
        return reproduced(checks) ? Outcome.PASS : Outcome.NOT_MEASURED;
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
