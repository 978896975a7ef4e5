package io.weightsync.cli.sim;

import io.weightsync.analyze.Numbers;
import io.weightsync.client.AdminClient;
import io.weightsync.client.AdminMode;
import io.weightsync.client.ClientMetrics;
import io.weightsync.client.CompletionStreamer;
import io.weightsync.client.EventLog;
import io.weightsync.client.HttpClients;
import io.weightsync.client.ServedModel;
import io.weightsync.core.report.MetricHistograms;
import io.weightsync.sim.Orchestrator;
import io.weightsync.sim.OrchestratorException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import io.weightsync.client.LoopbackUrl;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./harness orchestrator}: the orchestrator half of the RL loop, alone, against a live server. */
@Command(
        name = "orchestrator",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Run the orchestrator half of the RL loop against a live server.",
            "",
            "Keeps --streams rollouts in flight and --queued more waiting in its client, takes --batch-size completions"
                    + " per step, and before each step past --async-level asks the server to load"
                    + " WEIGHTS_ROOT/step_(step - async_level) once its STABLE appears (run ./harness trainer on the"
                    + " same folder). Event lines go to stdout (and --log); analyse them with ./harness analyze,"
                    + " together with the server's log."
        })
public final class OrchestratorCommand implements Callable<Integer> {

    @Option(names = "--base-url", defaultValue = "http://127.0.0.1:8000", paramLabel = "URL", description = "the inference server (default: ${DEFAULT-VALUE})")
    String baseUrl;

    @Option(names = "--weights-root", required = true, paramLabel = "DIR", description = "where the trainer publishes step_N (the same path must be readable by the server)")
    Path weightsRoot;

    @Option(names = "--mode", defaultValue = "dedicated", description = "admin client: shared (through the rollouts' client: the bottleneck) or dedicated (default: ${DEFAULT-VALUE})")
    String mode;

    @Option(names = "--steps", defaultValue = "20", description = "steps to run (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--checkpoint-timeout", paramLabel = "SECONDS", defaultValue = "1800", description = "longest wait for one checkpoint (default: ${DEFAULT-VALUE})")
    double checkpointTimeout;

    @Mixin
    LoopOptions loop;

    @Option(names = "--log", paramLabel = "FILE", description = "also append the event lines to FILE")
    Path logFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        HttpUrl url;
        AdminMode adminMode;
        Orchestrator.Config config;
        try {
            url = LoopbackUrl.parse(baseUrl, "--base-url");
            adminMode = AdminMode.parse(mode);
            loop.validate();
            config = new Orchestrator.Config(loop.streams, loop.queued, loop.batchSize, loop.maxTokens, loop.temperature,
                    loop.asyncLevel, steps, loop.warmupBatches, LoopOptions.seconds(loop.pollInterval),
                    LoopOptions.seconds(checkpointTimeout), Duration.ofSeconds(60), loop.seed, weightsRoot.toAbsolutePath());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter err = spec.commandLine().getErr();
        ClientMetrics metrics = new ClientMetrics();
        OkHttpClient rollouts = HttpClients.rollouts(loop.streams, Duration.ofSeconds(60));
        OkHttpClient adminHttp = HttpClients.admin(adminMode, rollouts);
        try (EventLog log = EventLog.discard().alsoTo(System.out)) {
            if (logFile != null) {
                log.alsoTo(logFile);
            }
            AdminClient admin = new AdminClient(adminHttp, url, loop.adminToken, log, metrics, 3);
            String model = loop.model != null ? loop.model : ServedModel.first(url);
            CompletionStreamer streamer = new CompletionStreamer(rollouts, url, model, metrics);
            Orchestrator orchestrator = new Orchestrator(config, streamer, admin, log, metrics, new Orchestrator.Listener() {
                @Override
                public void warmupDone() {
                    metrics.recorders().values().forEach(Recorder::reset);
                }
            });
            orchestrator.run();
            metrics.recordStalls(Long.MAX_VALUE);
            printSummary(spec.commandLine().getOut(), metrics);
            return 0;
        } catch (IOException | OrchestratorException e) {
            err.println("harness orchestrator: " + e.getMessage());
            err.flush();
            return 1;
        } finally {
            HttpClients.shutdown(rollouts);
            HttpClients.shutdown(adminHttp);
        }
    }

    private static void printSummary(PrintWriter out, ClientMetrics metrics) {
        out.printf("requests=%d errors=%d tokens=%d updates=%d updates_failed=%d%n", metrics.requests.get(),
                metrics.errors.get(), metrics.tokens.get(), metrics.updates.get(), metrics.updatesFailed.get());
        for (Map.Entry<String, Recorder> e : metrics.recorders().entrySet()) {
            Histogram h = e.getValue().getIntervalHistogram();
            if (h.getTotalCount() == 0) {
                continue;
            }
            double scale = MetricHistograms.SCALE;
            out.printf("%-18s count=%d p50=%s p99=%s max=%s ms%n", e.getKey(), h.getTotalCount(),
                    Numbers.reading(h.getValueAtPercentile(50) / scale), Numbers.reading(h.getValueAtPercentile(99) / scale),
                    Numbers.reading(h.getMaxValue() / scale));
        }
        out.flush();
    }

}
