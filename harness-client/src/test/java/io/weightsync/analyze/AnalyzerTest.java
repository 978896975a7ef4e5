package io.weightsync.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.weightsync.core.report.MetricSummary;
import io.weightsync.core.report.Report;
import io.weightsync.core.report.RunInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnalyzerTest {

    @TempDir
    Path tmp;

    static Analyzer.Analysis analyze(Path... logs) throws Exception {
        Analyzer analyzer = new Analyzer(Thresholds.DEFAULTS);
        for (Path log : logs) {
            analyzer.scan(log);
        }
        return analyzer.finish(new RunInfo("test", null, null, null, null, null), Map.of());
    }

    /** HdrHistogram keeps 3 significant digits: values are exact to 0.1%. */
    private static Offset<Double> close(double expected) {
        return within(Math.max(0.001, expected * 0.001));
    }

    @Test
    void sharedPoolRunIsDiagnosedAsFrontendQueueWithTheWorstTracesAsEvidence() throws Exception {
        Path run = GoldenLogs.dir("shared-pool");
        Report report = analyze(run.resolve("orchestrator.log"), run.resolve("server.log")).report();

        MetricSummary queue = report.metrics().get("weights.queue_ms");
        assertThat(queue.count()).isEqualTo(3);
        assertThat(queue.min()).isCloseTo(8014, close(8014));
        assertThat(queue.p50()).isCloseTo(8586.7, close(8586.7));
        assertThat(queue.max()).isCloseTo(9515, close(9515));
        MetricSummary rpc = report.metrics().get("weights.rpc_ms");
        assertThat(rpc.count()).isEqualTo(3);
        assertThat(rpc.p50()).isCloseTo(55.3, close(55.3));
        MetricSummary gap = report.metrics().get("weights.recv_gap_ms");
        assertThat(gap.count()).isEqualTo(3);
        assertThat(gap.min()).isCloseTo(8000, close(8000));
        assertThat(gap.max()).isCloseTo(9500, close(9500));
        assertThat(report.metrics().get("weights.wall_ms").max()).isCloseTo(9570, close(9570));

        assertThat(report.diagnosis()).singleElement().satisfies(f -> {
            assertThat(f.id()).isEqualTo("frontend_queue");
            assertThat(f.severity()).isEqualTo("critical");
            assertThat(f.evidence()).contains("p99 queue_ms 95", "00000000000000b2", "recv_gap_ms");
        });
    }

    @Test
    void sharedPoolCountsUnfinishedDuplicateAndMalformedLinesWithoutFailing() throws Exception {
        Path run = GoldenLogs.dir("shared-pool");
        Analyzer.Analysis analysis = analyze(run.resolve("orchestrator.log"), run.resolve("server.log"));
        Map<String, Long> c = analysis.report().counters();

        assertThat(c).containsEntry("files", 2L).containsEntry("updates", 3L).containsEntry("unfinished_traces", 1L)
                .containsEntry("duplicate_lines", 1L).containsEntry("malformed_lines", 2L)
                .containsEntry("event_lines", 28L).containsEntry("queue_derived", 0L).containsEntry("clock_skew", 0L);
        assertThat(analysis.evidence().unfinished()).singleElement()
                .satisfies(t -> assertThat(t.phasesMissing()).isEqualTo("server.recv,rpc.start,rpc.done,client.done"));
        assertThat(analysis.evidence().duplicates()).containsExactly("3f9a0c21d4e5b6a7 server.recv");
        assertThat(analysis.evidence().malformed()).anySatisfy(m -> assertThat(m).startsWith("orchestrator.log:")
                .contains("trunc_pct: 'abc' is not a number"));
        // the last line has no newline and still counts
        assertThat(analysis.report().metrics().get("rollout.trunc_pct").count()).isEqualTo(3);
        assertThat(analysis.report().metrics().get("rollout.staleness").max()).isEqualTo(2);
        assertThat(analysis.report().metrics().get("ckpt.write_ms").p50()).isCloseTo(840.5, close(840.5));
        assertThat(analysis.report().metrics().get("gen.dur_ms").count()).isEqualTo(2);
    }

    @Test
    void dedicatedAdminRunIsHealthy() throws Exception {
        Path run = GoldenLogs.dir("dedicated-admin");
        Report report = analyze(run.resolve("orchestrator.log"), run.resolve("server.log")).report();

        assertThat(report.diagnosis()).isEmpty();
        assertThat(report.metrics().get("weights.queue_ms").max()).isCloseTo(60, close(60));
        assertThat(report.metrics().get("weights.queue_ms").p50()).isCloseTo(56, close(56));
        assertThat(report.counters()).containsEntry("updates", 3L).containsEntry("unfinished_traces", 0L);
    }

    @Test
    void fileOrderAndGzipDoNotChangeTheAnswer() throws Exception {
        Path run = GoldenLogs.dir("shared-pool");
        Report plain = analyze(run.resolve("orchestrator.log"), run.resolve("server.log")).report();
        Report reversedGzip = analyze(GoldenLogs.gzip(run.resolve("server.log"), tmp),
                GoldenLogs.gzip(run.resolve("orchestrator.log"), tmp)).report();

        assertThat(reversedGzip.metrics()).isEqualTo(plain.metrics());
        assertThat(reversedGzip.histograms()).isEqualTo(plain.histograms());
        assertThat(reversedGzip.diagnosis()).isEqualTo(plain.diagnosis());
    }

    @Test
    void serverLogAloneGivesTheLoadTimesAndListsEveryUpdateAsUnfinished() throws Exception {
        Report report = analyze(GoldenLogs.dir("shared-pool").resolve("server.log")).report();

        assertThat(report.metrics().get("weights.rpc_ms").count()).isEqualTo(3);
        assertThat(report.metrics().get("weights.queue_ms").count()).isZero();
        assertThat(report.counters()).containsEntry("updates", 0L).containsEntry("unfinished_traces", 3L);
        assertThat(report.diagnosis()).isEmpty();
    }

    @Test
    void queueIsDerivedFromTimestampsWhenClientDoneIsMissing() throws Exception {
        List<String> lines = List.of(
                "[weights][00000000000000aa] client.send t=1000.000",
                "[weights][00000000000000aa] server.recv t=1009.000",
                "[weights][00000000000000aa] rpc.start t=1009.001",
                "[weights][00000000000000aa] rpc.done t=1009.051 rpc_ms=50");
        Analyzer analyzer = new Analyzer(Thresholds.DEFAULTS);
        for (int i = 0; i < lines.size(); i++) {
            analyzer.line(lines.get(i), i + 1);
        }
        Analyzer.Analysis analysis = analyzer.finish(new RunInfo("t", null, null, null, null, null), Map.of());

        assertThat(analysis.report().metrics().get("weights.queue_ms").p50()).isCloseTo(9001, close(9001));
        assertThat(analysis.report().counters()).containsEntry("queue_derived", 1L).containsEntry("unfinished_traces", 1L);
        assertThat(analysis.report().diagnosis()).extracting(f -> f.id()).containsExactly("frontend_queue");
        assertThat(SummaryWriter.markdown(analysis)).contains("derived");
    }

    /** prime-rl's server answers {"status":"ok"}: the client's client.done has wall_ms only. */
    private static final List<String> CLIENT_WITHOUT_RPC = List.of(
            "2026-12-08T00:00:00Z client [weights][00000000000000cc] client.send t=1000.000",
            "2026-12-08T00:00:01Z client [weights][00000000000000cc] client.done wall_ms=120");

    @Test
    void aClientDoneWithoutRpcTakesRpcFromTheServersRpcDoneAndDerivesQueue() throws Exception {
        Path client = java.nio.file.Files.write(tmp.resolve("client.log"), CLIENT_WITHOUT_RPC);
        Path server = java.nio.file.Files.write(tmp.resolve("server.log"), List.of(
                "[weights][00000000000000cc] server.recv t=1000.005",
                "[weights][00000000000000cc] rpc.start t=1000.010",
                "[weights][00000000000000cc] rpc.done t=1000.110 rpc_ms=100"));
        Report report = analyze(client, server).report();

        assertThat(report.metrics().get("weights.wall_ms").p50()).isCloseTo(120, close(120));
        assertThat(report.metrics().get("weights.rpc_ms").count()).isEqualTo(1);
        assertThat(report.metrics().get("weights.rpc_ms").p50()).isCloseTo(100, close(100));
        assertThat(report.metrics().get("weights.queue_ms").p50()).isCloseTo(20, close(20));
        assertThat(report.counters()).containsEntry("malformed_lines", 0L).containsEntry("queue_derived", 1L);
    }

    @Test
    void aClientDoneWithoutRpcAndNoServerLogLeavesRpcAndQueueOutOfTheReportNeverZero() throws Exception {
        Path client = java.nio.file.Files.write(tmp.resolve("client.log"), CLIENT_WITHOUT_RPC);
        Report report = analyze(client).report();

        assertThat(report.metrics().get("weights.wall_ms").count()).isEqualTo(1);
        assertThat(report.metrics().get("weights.wall_ms").p50()).isCloseTo(120, close(120));
        // no sample at all (the report's empty summary, as for any metric a run did not see), never a 0
        assertThat(report.metrics().get("weights.rpc_ms").count()).isZero();
        assertThat(report.metrics().get("weights.queue_ms").count()).isZero();
        assertThat(report.histogram("weights.rpc_ms")).isEmpty();
        assertThat(report.counters()).containsEntry("malformed_lines", 0L);
        assertThat(report.diagnosis()).extracting(f -> f.id()).doesNotContain("frontend_queue", "weight_loading");
    }
}
