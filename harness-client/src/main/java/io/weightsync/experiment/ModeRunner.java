package io.weightsync.experiment;

import io.weightsync.analyze.Analyzer;
import io.weightsync.analyze.SummaryWriter;
import io.weightsync.analyze.Thresholds;
import io.weightsync.client.AdminClient;
import io.weightsync.client.AdminMode;
import io.weightsync.client.ClientMetrics;
import io.weightsync.client.CompletionStreamer;
import io.weightsync.client.EventLog;
import io.weightsync.client.HttpClients;
import io.weightsync.client.ServedModel;
import io.weightsync.client.UpdateOutcome;
import io.weightsync.core.ckpt.Folders;
import io.weightsync.core.report.MetricNames;
import io.weightsync.core.report.Report;
import io.weightsync.core.report.ReportJson;
import io.weightsync.core.report.RunInfo;
import io.weightsync.server.model.TinyModel;
import io.weightsync.sim.Orchestrator;
import io.weightsync.sim.OrchestratorException;
import io.weightsync.sim.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * One mode of the experiment, start to end: a server (embedded, fresh per mode, or the live one
 * reset with /reload_weights), the trainer on its own thread, the orchestrator on this one, the
 * interval sampler; then the mode's folder: {@code client.log}, {@code server.log} (embedded),
 * {@code metrics.hlog}, {@code report.json}, {@code SUMMARY.md}.
 *
 * <p>The report's event-line metrics and its diagnosis come from analysing the mode's own logs with
 * the same {@link Analyzer} as {@code ./harness analyze} (so analysing the logs later gives the same
 * numbers, and recv_gap joins the client's send with the server's recv); the stream metrics and
 * {@code gen.stall_ms}, which no log line carries, from the client's Recorders.
 */
final class ModeRunner {

    static final Duration SERVER_START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STREAM_READ_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STALL_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CHECKPOINT_TIMEOUT = Duration.ofSeconds(120);
    private static final double PERTURBATION_SCALE = 0.02;
    private static final int ADMIN_ATTEMPTS = 3;

    /** Progress of a mode, for the progress bar. */
    interface Progress {
        void phase(String text);

        /** @param completions rollouts of this mode finished so far */
        void stepDone(int step, int steps, long completions);

        void warning(String text);
    }

    private final ExperimentConfig config;
    private final String runId;
    private final String gitSha;

    ModeRunner(ExperimentConfig config, String runId, String gitSha) {
        this.config = config;
        this.runId = runId;
        this.gitSha = gitSha;
    }

    ModeResult run(AdminMode mode, Progress progress)
            throws IOException, InterruptedException, OrchestratorException, PartialModeException {
        Path dir = config.out().resolve(mode.label());
        Files.createDirectories(dir);
        Path clientLog = dir.resolve("client.log");
        Files.deleteIfExists(clientLog);
        Path serverLog = config.baseUrl() == null ? dir.resolve("server.log") : null;
        Path weightsRoot = config.weightsRoot() != null ? config.weightsRoot().resolve(mode.label())
                : Files.createTempDirectory("harness-weights-" + mode.label() + "-");
        String startedAt = Instant.now().toString();
        EmbeddedServer embedded = null;
        Orchestrator.Result result;
        ClientMetrics metrics = new ClientMetrics();
        IntervalSampler[] sampler = new IntervalSampler[1];
        long streamErrors;
        String model;
        String partial = null;
        try (EventLog log = EventLog.toFile(clientLog)) {
            HttpUrl baseUrl;
            if (config.baseUrl() == null) {
                progress.phase(mode.label() + ": starting server");
                List<String> args = List.of("--update-mode", config.updateMode(), "--max-batch",
                        Integer.toString(config.maxBatch()));
                embedded = EmbeddedServer.start(args, serverLog, SERVER_START_TIMEOUT);
                baseUrl = embedded.baseUrl();
            } else {
                baseUrl = config.baseUrl();
            }
            model = config.model() != null ? config.model() : ServedModel.first(baseUrl);
            Path base = config.base() != null ? config.base() : TinyModel.ensure(TinyModel.defaultRoot());
            Trainer trainer = new Trainer(new Trainer.Config(base, weightsRoot, config.stepInterval(), config.updates(),
                    config.seed(), PERTURBATION_SCALE, true), log);

            OkHttpClient rollouts = HttpClients.rollouts(config.streams(), STREAM_READ_TIMEOUT);
            OkHttpClient adminHttp = HttpClients.admin(mode, rollouts);
            AdminClient admin = new AdminClient(adminHttp, baseUrl, config.adminToken(), log, metrics, ADMIN_ATTEMPTS);
            if (config.baseUrl() != null) {
                resetLiveServer(baseUrl, rollouts, log);
            }
            CompletionStreamer streamer = new CompletionStreamer(rollouts, baseUrl, model, metrics);
            Orchestrator.Config oc = new Orchestrator.Config(config.streams(), config.queued(), config.batchSize(),
                    config.maxTokens(), config.temperature(), config.asyncLevel(), config.steps(), config.warmupBatches(),
                    config.pollInterval(), CHECKPOINT_TIMEOUT, STALL_TIMEOUT, config.seed(), weightsRoot);
            AtomicReference<Throwable> trainerFailure = new AtomicReference<>();
            Thread trainerThread = trainerThread(trainer, log, trainerFailure);
            progress.phase(mode.label() + ": warm-up");
            Orchestrator orchestrator = new Orchestrator(oc, streamer, admin, log, metrics, new Orchestrator.Listener() {
                @Override
                public void warmupDone() {
                    try {
                        sampler[0] = new IntervalSampler(metrics, streamer::chunks, dir.resolve("metrics.hlog"));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException("cannot write " + dir.resolve("metrics.hlog"), e);
                    }
                    trainerThread.start();
                    progress.phase(mode.label());
                }

                @Override
                public void stepDone(int step, int steps) {
                    progress.stepDone(step, steps, metrics.requests.get());
                }

                @Override
                public void warning(String message) {
                    progress.warning(mode.label() + ": " + message);
                }
            });
            if (embedded != null) {
                embedded.whenItDies(status -> orchestrator.abort("the embedded server exited (status " + status
                        + ") during the run; see " + serverLog));
            }
            try {
                result = orchestrator.run();
            } catch (OrchestratorException e) {
                if (sampler[0] == null) {
                    throw e; // still in warm-up: nothing was measured
                }
                partial = e.getMessage();
                result = orchestrator.resultSoFar();
            } finally {
                trainerThread.interrupt();
                trainerThread.join(10_000);
                metrics.recordStalls(Long.MAX_VALUE);
                if (sampler[0] != null) {
                    sampler[0].close();
                }
                HttpClients.shutdown(rollouts);
                HttpClients.shutdown(adminHttp);
            }
            streamErrors = orchestrator.streamErrors();
            if (trainerFailure.get() != null) {
                throw new IOException("trainer failed: " + trainerFailure.get());
            }
        } finally {
            if (embedded != null) {
                embedded.close(); // its log is complete once it exited
            }
            if (config.weightsRoot() == null) {
                Folders.deleteRecursively(weightsRoot);
            }
        }
        return writeOutputs(mode, dir, clientLog, serverLog, startedAt, model, partial, metrics, sampler[0], result,
                streamErrors);
    }

    /** The mode's SUMMARY.md and report.json from its logs and metrics; the result, or a partial one thrown. */
    private ModeResult writeOutputs(AdminMode mode, Path dir, Path clientLog, Path serverLog, String startedAt,
            String model, String partial, ClientMetrics metrics, IntervalSampler sampler, Orchestrator.Result result,
            long streamErrors) throws IOException, PartialModeException {
        Analyzer.Analysis analysis = Analyzer.ofLogs(Thresholds.DEFAULTS.withAsyncLevel(config.asyncLevel()), gitSha,
                clientLog, serverLog);
        Files.writeString(dir.resolve("SUMMARY.md"), SummaryWriter.markdown(analysis));
        RunInfo run = new RunInfo(runId + "-" + mode.label(), startedAt, mode.label(),
                config.baseUrl() == null ? "embedded" : config.baseUrl().toString(), gitSha, RunInfo.Host.current());
        Report report = report(run, model, partial, analysis.report(), metrics, sampler, result, streamErrors);
        ReportJson.write(report, dir.resolve("report.json"));
        ServerEvents server = ServerEvents.read(serverLog);
        List<UpdatePhases> phases = new ArrayList<>();
        for (UpdateOutcome u : result.updates()) {
            ServerEvents.Phases p = server.of(u.trace().toString());
            phases.add(new UpdatePhases(u.trace().toString(), u.step(), u.sendEpochMillis(), p.recvMs(), p.rpcStartMs(),
                    p.rpcDoneMs(), u.doneEpochMillis(), u.ok()));
        }
        ModeResult modeResult = new ModeResult(mode.label(), report, sampler.throughput(), phases);
        if (partial != null) {
            throw new PartialModeException(mode.label() + ": " + partial + "; what it measured until then is in "
                    + dir.resolve("report.json") + " (marked partial)", modeResult);
        }
        return modeResult;
    }

    /** The trainer on its own thread; a failure is logged and kept for the mode to report. */
    private static Thread trainerThread(Trainer trainer, EventLog log, AtomicReference<Throwable> failure) {
        Thread thread = new Thread(() -> {
            try {
                trainer.run();
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
            } catch (java.nio.channels.ClosedByInterruptException stopped) {
                // stopped while writing a step: the run is over, and STABLE was not written
            } catch (IOException | RuntimeException e) {
                failure.set(e);
                log.line(Trainer.ROLE, "ERROR " + e);
            }
        }, "trainer");
        thread.setDaemon(true);
        return thread;
    }

    /** The mode's report.json: the logs' metrics and diagnosis, the client's stream metrics, the counters. */
    private Report report(RunInfo run, String model, String partial, Report fromLogs, ClientMetrics metrics, IntervalSampler sampler,
            Orchestrator.Result result, long streamErrors) {
        Report.Builder b = Report.builder(Report.KIND_EXPERIMENT).run(run);
        config.asMap().forEach(b::config);
        b.config("model", model); // the name the requests carried, also when the server chose it
        if (partial != null) {
            b.config("partial", partial); // the run stopped early: what it measured until then
        }
        for (String name : MetricNames.FROM_EVENT_LINES) {
            var histogram = fromLogs.histogram(name);
            if (histogram.isPresent()) {
                b.metric(name, histogram.get());
            } else if (fromLogs.metrics().containsKey(name)) {
                b.metric(name, fromLogs.metrics().get(name));
            }
        }
        for (String name : List.of(ClientMetrics.STREAM_QUEUE_MS, MetricNames.STREAM_TTFT_MS, MetricNames.STREAM_ITL_MS,
                MetricNames.STREAM_E2E_MS, MetricNames.GEN_STALL_MS)) {
            b.metric(name, sampler.total(name));
        }
        b.counter("requests", metrics.requests.get())
                .counter("errors", metrics.errors.get())
                .counter("tokens", metrics.tokens.get())
                .counter("chunks_received", sampler.chunksReceived())
                .counter("truncated", metrics.truncated.get())
                .counter("updates", metrics.updates.get())
                .counter("updates_failed", metrics.updatesFailed.get())
                .counter("stream_errors_incl_warmup", streamErrors)
                .counter("measured_ms", result.endEpochMillis() - result.measureStartEpochMillis())
                .counter("unfinished_traces", fromLogs.counters().getOrDefault("unfinished_traces", 0L))
                .counter("updates_supported", result.updatesSupported() ? 1 : 0);
        fromLogs.diagnosis().forEach(b::finding);
        return b.build();
    }

    /**
     * Puts a live server back on its base weights so every mode starts alike: an untimed
     * {@code /reload_weights} through a dedicated admin client, kept out of the mode's event lines
     * and metrics (a 404 is fine: no such endpoint).
     */
    private void resetLiveServer(HttpUrl baseUrl, OkHttpClient rollouts, EventLog log) throws InterruptedException {
        OkHttpClient http = HttpClients.admin(AdminMode.DEDICATED, rollouts);
        try {
            UpdateOutcome reset = new AdminClient(http, baseUrl, config.adminToken(), EventLog.discard(),
                    new ClientMetrics(), ADMIN_ATTEMPTS).reloadWeights();
            log.line(Orchestrator.ROLE, "reset: POST /reload_weights " + (reset.ok() ? "ok" : reset.error()));
        } finally {
            HttpClients.shutdown(http);
        }
    }
}
