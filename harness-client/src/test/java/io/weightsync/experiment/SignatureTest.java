package io.weightsync.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import io.weightsync.core.report.MetricHistograms;
import io.weightsync.core.report.MetricNames;
import io.weightsync.core.report.Report;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * The signature's three outcomes: a check holds, fails, or cannot be judged because the run could not
 * have its figure (a live host whose log it cannot read, a server whose answer carries no rpc_ms).
 */
class SignatureTest {

    private static Histogram millis(String metric, double fromMs, int count) {
        Histogram h = MetricHistograms.create();
        for (int i = 0; i < count; i++) {
            MetricHistograms.record(h, metric, fromMs + i);
        }
        return h;
    }

    /** A mode's report with the weights figures given; NaN leaves that metric out (as a run that lacks it). */
    private static ModeResult mode(String name, double queueMs, double rpcMs, double recvGapMs) {
        Report.Builder report = Report.builder(Report.KIND_EXPERIMENT).counter("updates", 6);
        if (!Double.isNaN(queueMs)) {
            report.metric(MetricNames.WEIGHTS_QUEUE_MS, millis(MetricNames.WEIGHTS_QUEUE_MS, queueMs, 6));
        }
        if (!Double.isNaN(rpcMs)) {
            report.metric(MetricNames.WEIGHTS_RPC_MS, millis(MetricNames.WEIGHTS_RPC_MS, rpcMs, 6));
        }
        if (!Double.isNaN(recvGapMs)) {
            report.metric(MetricNames.WEIGHTS_RECV_GAP_MS, millis(MetricNames.WEIGHTS_RECV_GAP_MS, recvGapMs, 6));
        }
        report.metric(MetricNames.WEIGHTS_WALL_MS, millis(MetricNames.WEIGHTS_WALL_MS, 200, 6));
        return new ModeResult(name, report.build(), List.of(), List.of());
    }

    @Test
    void everyFigureMeasuredAndHeldIsReproduced() {
        List<Signature.Check> checks = Signature.checks(List.of(mode("shared", 5000, 150, 4990), mode("dedicated", 15, 150, 3)));

        assertThat(checks).extracting(Signature.Check::outcome).containsOnly(Signature.Outcome.PASS).hasSize(4);
        assertThat(Signature.reproduced(checks)).isTrue();
        assertThat(Signature.verdict(checks)).isEqualTo("signature reproduced");
        assertThat(Signature.overall(checks)).isEqualTo(Signature.Outcome.PASS);
    }

    @Test
    void aLiveHostWithoutItsServerLogLeavesRecvGapNotMeasuredNotFailed() {
        List<ModeResult> modes = List.of(mode("shared", 5000, 150, Double.NaN), mode("dedicated", 15, 150, Double.NaN));
        List<Signature.Check> checks = Signature.checks(modes);

        assertThat(checks).extracting(Signature.Check::outcome).containsExactly(Signature.Outcome.PASS,
                Signature.Outcome.PASS, Signature.Outcome.PASS, Signature.Outcome.NOT_MEASURED);
        assertThat(checks.get(3).measured()).isEqualTo("not measured (no server log)");
        assertThat(Signature.reproduced(checks)).isFalse();
        assertThat(Signature.verdict(checks)).isEqualTo("signature not judged: 1 check not measured");
        assertThat(Signature.overall(checks)).isEqualTo(Signature.Outcome.NOT_MEASURED);

        String table = ResultTable.text(modes, checks);
        assertThat(table).contains("----  dedicated weights.recv_gap_ms p99 < 50 ms: not measured (no server log)\n")
                .contains("PASS  dedicated weights.queue_ms p99 < 300 ms: ")
                .endsWith("signature not judged: 1 check not measured\n")
                .doesNotContain("FAIL");
    }

    /** prime-rl's server answers no rpc_ms; without its log neither rpc nor queue (wall - rpc) exists. */
    @Test
    void aServerAnsweringNoRpcWithoutItsLogLeavesEveryCheckNotMeasured() {
        List<Signature.Check> checks = Signature.checks(List.of(mode("shared", Double.NaN, Double.NaN, Double.NaN),
                mode("dedicated", Double.NaN, Double.NaN, Double.NaN)));

        assertThat(checks).extracting(Signature.Check::outcome).containsOnly(Signature.Outcome.NOT_MEASURED).hasSize(4);
        assertThat(checks).extracting(Signature.Check::measured).allSatisfy(m -> assertThat(m).startsWith("not measured ("));
        assertThat(Signature.verdict(checks)).isEqualTo("signature not judged: 4 checks not measured");
    }

    @Test
    void aFailedCheckWinsOverNotMeasuredOnes() {
        List<Signature.Check> checks = Signature.checks(List.of(mode("shared", 40, 150, Double.NaN),
                mode("dedicated", 15, 150, Double.NaN)));

        assertThat(checks.get(0).outcome()).isEqualTo(Signature.Outcome.FAIL);
        assertThat(Signature.verdict(checks)).isEqualTo("signature NOT reproduced (1 check not measured)");
        assertThat(Signature.overall(checks)).isEqualTo(Signature.Outcome.FAIL);
    }
}
