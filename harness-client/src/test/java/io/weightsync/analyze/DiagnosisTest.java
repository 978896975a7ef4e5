package io.weightsync.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import io.weightsync.core.events.CkptEvent;
import io.weightsync.core.events.Event;
import io.weightsync.core.events.RolloutEvent;
import io.weightsync.core.events.WeightsEvent;
import io.weightsync.core.report.Finding;
import io.weightsync.core.report.RunInfo;
import io.weightsync.core.trace.TraceId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each rule fires on its own symptom, and only then; lines are written by the project's own formatter. */
class DiagnosisTest {

    private static List<Finding> diagnose(Thresholds limits, List<Event> events) {
        Analyzer analyzer = new Analyzer(limits);
        long n = 0;
        for (Event e : events) {
            analyzer.line("2025-10-14 12:00:00.000 | INFO | x:y:1 - " + e.toLine(), ++n);
        }
        return analyzer.finish(new RunInfo("t", null, null, null, null, null), Map.of()).report().diagnosis();
    }

    /** One full update: queued {@code queueMillis} before the server saw it, loaded in {@code rpcMillis}. */
    private static List<Event> update(long id, double queueMillis, double rpcMillis) {
        TraceId trace = new TraceId(id);
        long send = 1_764_345_600_000L + id * 60_000;
        long recv = send + Math.round(queueMillis);
        long done = recv + Math.round(rpcMillis);
        return List.of(new WeightsEvent.ClientSend(trace, send), new WeightsEvent.ServerRecv(trace, recv),
                new WeightsEvent.RpcStart(trace, recv), new WeightsEvent.RpcDone(trace, done, rpcMillis),
                WeightsEvent.ClientDone.of(trace, queueMillis + rpcMillis, rpcMillis));
    }

    private static List<Event> updates(double queueMillis, double rpcMillis) {
        List<Event> events = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            events.addAll(update(i, queueMillis, rpcMillis));
        }
        return events;
    }

    @Test
    void fastUpdatesHealthyCheckpointsAndFreshRolloutsAreHealthy() {
        List<Event> events = new ArrayList<>(updates(55, 55));
        events.add(new CkptEvent.WaitDone(3, 200));
        events.add(RolloutEvent.of(10, 5, 3));
        assertThat(diagnose(Thresholds.DEFAULTS, events)).isEmpty();
    }

    @Test
    void queueFarAboveTheLoadIsAFrontendQueue() {
        assertThat(diagnose(Thresholds.DEFAULTS, updates(8580, 55))).extracting(Finding::id, Finding::severity)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("frontend_queue", "critical"));
    }

    @Test
    void queueBelowTheAbsoluteFloorIsNotAFrontendQueueEvenAtTenTimesTheLoad() {
        assertThat(diagnose(Thresholds.DEFAULTS, updates(90, 2))).isEmpty();
    }

    @Test
    void queueRatioIsAFlag() {
        Thresholds strict = new Thresholds(1, 10, 2000, 1000, 2, 50);
        assertThat(diagnose(strict, updates(120, 55))).extracting(Finding::id).containsExactly("frontend_queue");
    }

    @Test
    void loadsOverTwoSecondsAreWeightLoading() {
        List<Finding> findings = diagnose(Thresholds.DEFAULTS, updates(30, 2500));
        assertThat(findings).extracting(Finding::id, Finding::severity)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("weight_loading", "warning"));
        assertThat(findings.get(0).evidence()).contains("p99 rpc_ms 250", "rpc_ms=2500");
    }

    @Test
    void checkpointWaitsOverOneSecondAreCheckpointIo() {
        List<Finding> findings = diagnose(Thresholds.DEFAULTS,
                List.of(new CkptEvent.WaitDone(12, 1003), new CkptEvent.WaitDone(13, 4500)));
        assertThat(findings).extracting(Finding::id, Finding::severity)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("checkpoint_io", "critical"));
        assertThat(findings.get(0).evidence()).contains("target_step=13 wait_ms=4500");
    }

    @Test
    void stalenessAboveAsyncLevelIsStaleness() {
        List<Event> rollouts = List.of(RolloutEvent.of(10, 14, 12), RolloutEvent.of(10, 15, 12));
        assertThat(diagnose(Thresholds.DEFAULTS, rollouts)).extracting(Finding::id).containsExactly("staleness");
        assertThat(diagnose(new Thresholds(10, 100, 2000, 1000, 3, 50), rollouts)).isEmpty();
    }

    @Test
    void mostlyTruncatedCompletionsAreTruncation() {
        List<Event> rollouts = List.of(RolloutEvent.of(80, 14, 13), RolloutEvent.of(60, 15, 14));
        List<Finding> findings = diagnose(Thresholds.DEFAULTS, rollouts);
        assertThat(findings).extracting(Finding::id).containsExactly("truncation");
        assertThat(findings.get(0).evidence()).contains("mean trunc_pct 70");
    }
}
