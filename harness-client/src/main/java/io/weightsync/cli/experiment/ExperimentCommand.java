package io.weightsync.cli.experiment;

import io.weightsync.cli.OutFolder;
import io.weightsync.cli.sim.LoopOptions;
import io.weightsync.client.AdminMode;
import io.weightsync.experiment.Experiment;
import io.weightsync.experiment.ExperimentConfig;
import io.weightsync.sim.OrchestratorException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import io.weightsync.client.LoopbackUrl;
import okhttp3.HttpUrl;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./harness experiment}: the bottleneck and its fix, measured in one command. */
@Command(
        name = "experiment",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Measure weight updates queued behind streaming rollouts: shared vs dedicated admin client.",
            "",
            "Runs the async RL loop (trainer + orchestrator: --streams rollouts in flight, --queued more waiting in the"
                    + " client) against a server once per admin-client mode: 'shared' (weight updates go through the"
                    + " rollouts' own OkHttp client: the bottleneck), then 'dedicated' (a client of their own: the fix)."
                    + " Without --base-url an embedded server with the built-in model is started per mode on a free"
                    + " loopback port. Writes DIR/<mode>/{report.json,SUMMARY.md,client.log,server.log,metrics.hlog},"
                    + " DIR/COMPARE.md, DIR/SUMMARY.md and DIR/report.html, and prints the table."
        })
public final class ExperimentCommand implements Callable<Integer> {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    @Option(names = "--base-url", paramLabel = "URL", description = "a live server (harness or vLLM-style); default: start an embedded one")
    String baseUrl;

    @Option(names = "--updates", defaultValue = "6", description = "weight updates per mode (default: ${DEFAULT-VALUE})")
    int updates;

    @Option(names = "--modes", defaultValue = "shared,dedicated", split = ",", description = "admin-client modes, in order (default: ${DEFAULT-VALUE})")
    List<String> modes;

    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: results/experiment-<yyyyMMdd-HHmmss>)")
    Path out;

    @Option(names = "--step-interval", paramLabel = "SECONDS", defaultValue = "1", description = "the trainer's time per step (default: ${DEFAULT-VALUE})")
    double stepInterval;

    @Option(names = "--update-mode", defaultValue = "pause", description = "embedded server: pause or overlap (default: ${DEFAULT-VALUE})")
    String updateMode;

    @Option(names = "--max-batch", defaultValue = "256", description = "embedded server: sequences decoded together (default: ${DEFAULT-VALUE})")
    int maxBatch;

    @Option(names = "--base", paramLabel = "DIR", description = "checkpoint the trainer perturbs (default: the built-in tiny model; with --base-url, the model the server serves)")
    Path base;

    @Option(names = "--weights-root", paramLabel = "DIR", description = "where the trainer publishes step_N (the server must read the same path); default: a temp folder, removed")
    Path weightsRoot;

    @Mixin
    LoopOptions loop;

    @Option(names = "--no-progress", negatable = false, description = "no progress (on a terminal a bar, elsewhere one line per phase or step)")
    boolean noProgress;

    @Option(names = "--verbose", description = "stack traces on errors")
    boolean verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ExperimentConfig config = config();
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        String runId = "experiment-" + STAMP.format(LocalDateTime.now(ZoneOffset.UTC));
        try {
            OutFolder.checkWritable(config.out());
            Experiment.Result result = new Experiment(config, runId).run(progressStream(), stderr);
            stdout.println();
            stdout.print(result.table());
            stdout.println();
            stdout.println("summary: " + result.out().resolve("SUMMARY.md"));
            if (result.modes().size() >= 2) {
                stdout.println("compare: " + result.out().resolve("COMPARE.md"));
            }
            stdout.println("plots:   " + result.out().resolve("report.html"));
            stdout.flush();
            if (result.partial() != null) {
                stderr.println("harness experiment: stopped early: " + result.partial());
                stderr.flush();
                return 1;
            }
            return 0;
        } catch (IOException | OrchestratorException | RuntimeException e) {
            if (verbose) {
                e.printStackTrace(stderr);
            }
            stderr.println("harness experiment: " + oneLine(e));
            stderr.flush();
            return 1;
        }
    }

    private ExperimentConfig config() {
        List<AdminMode> parsedModes = new ArrayList<>();
        HttpUrl url = null;
        try {
            for (String m : modes) {
                parsedModes.add(AdminMode.parse(m));
            }
            if (baseUrl != null) {
                url = LoopbackUrl.parse(baseUrl, "--base-url");
            }
            loop.validate();
            if (!(stepInterval >= 0)) {
                throw new IllegalArgumentException("--step-interval must be >= 0 seconds, was " + stepInterval);
            }
            if (!updateMode.equals("pause") && !updateMode.equals("overlap")) {
                throw new IllegalArgumentException("--update-mode must be pause or overlap, got '" + updateMode + "'");
            }
            Path dir = out != null ? out
                    : Path.of("results", "experiment-" + STAMP.format(LocalDateTime.now(ZoneOffset.UTC)));
            return new ExperimentConfig(url, parsedModes, loop.streams, loop.queued, loop.batchSize, updates,
                    loop.maxTokens, loop.temperature, loop.asyncLevel, loop.warmupBatches, LoopOptions.seconds(stepInterval),
                    LoopOptions.seconds(loop.pollInterval), loop.seed, dir.toAbsolutePath(), updateMode, maxBatch, loop.model,
                    base, weightsRoot, loop.adminToken, !noProgress);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** Progress goes to stderr (not the command's writer: the bar needs a stream): a bar on a terminal, lines elsewhere. */
    private static PrintStream progressStream() {
        return System.err;
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return e instanceof RuntimeException && !(e instanceof IllegalArgumentException || e instanceof IllegalStateException)
                ? e.getClass().getSimpleName() + ": " + message.replace('\n', ' ')
                : message.replace('\n', ' ');
    }
}
