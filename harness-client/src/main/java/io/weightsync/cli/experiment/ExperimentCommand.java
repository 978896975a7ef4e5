package io.weightsync.cli.experiment;

import io.weightsync.client.AdminMode;
import io.weightsync.experiment.Experiment;
import io.weightsync.experiment.ExperimentConfig;
import io.weightsync.sim.OrchestratorException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import okhttp3.HttpUrl;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./harness experiment}: the bottleneck and its fix, measured in one command. */
@Command(
        name = "experiment",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Run the async RL loop (trainer + orchestrator, --streams rollouts in flight, --queued more waiting) against",
            "a server once per admin-client mode: 'shared' (weight updates go through the rollouts' own OkHttp client,",
            "the bottleneck) then 'dedicated' (a client of their own, the fix). Without --base-url an embedded server",
            "with the built-in model is started per mode on a free loopback port.",
            "Writes DIR/<mode>/{report.json,SUMMARY.md,client.log,server.log,metrics.hlog}, DIR/COMPARE.md,",
            "DIR/SUMMARY.md and DIR/report.html, and prints the table."
        })
public final class ExperimentCommand implements Callable<Integer> {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    @Option(names = "--base-url", paramLabel = "URL", description = "a live server (harness or vLLM-style); default: start an embedded one")
    String baseUrl;

    @Option(names = "--streams", defaultValue = "64", description = "rollouts in flight: the rollout client's per-host limit (default: ${DEFAULT-VALUE})")
    int streams;

    @Option(names = "--queued", defaultValue = "64", description = "rollouts submitted beyond --streams, waiting in the client's queue (default: ${DEFAULT-VALUE})")
    int queued;

    @Option(names = "--batch-size", defaultValue = "64", description = "completions per RL step (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--updates", defaultValue = "6", description = "weight updates per mode (default: ${DEFAULT-VALUE})")
    int updates;

    @Option(names = "--max-tokens", defaultValue = "192", description = "max tokens per rollout (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--modes", defaultValue = "shared,dedicated", split = ",", description = "admin-client modes, in order (default: ${DEFAULT-VALUE})")
    List<String> modes;

    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: results/experiment-<yyyyMMdd-HHmmss>)")
    Path out;

    @Option(names = "--async-level", defaultValue = "2", description = "steps the weights may lag, prime-rl's async_level (default: ${DEFAULT-VALUE})")
    int asyncLevel;

    @Option(names = "--warmup-batches", defaultValue = "1", description = "unmeasured batches before each mode (default: ${DEFAULT-VALUE})")
    int warmupBatches;

    @Option(names = "--step-interval", paramLabel = "SECONDS", defaultValue = "1", description = "the trainer's time per step (default: ${DEFAULT-VALUE})")
    double stepInterval;

    @Option(names = "--poll-interval", paramLabel = "SECONDS", defaultValue = "1", description = "checkpoint poll, as prime-rl (default: ${DEFAULT-VALUE})")
    double pollInterval;

    @Option(names = "--temperature", defaultValue = "1.0", description = "rollout sampling temperature (default: ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--seed", defaultValue = "42", description = "prompts, sampling seeds and weight perturbations (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--update-mode", defaultValue = "pause", description = "embedded server: pause or overlap (default: ${DEFAULT-VALUE})")
    String updateMode;

    @Option(names = "--max-batch", defaultValue = "256", description = "embedded server: sequences decoded together (default: ${DEFAULT-VALUE})")
    int maxBatch;

    @Option(names = "--model", description = "model name sent in requests (default: the server's first /v1/models entry)")
    String model;

    @Option(names = "--base", paramLabel = "DIR", description = "checkpoint the trainer perturbs (default: the built-in tiny model; with --base-url, the model the server serves)")
    Path base;

    @Option(names = "--weights-root", paramLabel = "DIR", description = "where the trainer publishes step_N (the server must read the same path); default: a temp folder, removed")
    Path weightsRoot;

    @Option(names = "--admin-token", paramLabel = "TOKEN", defaultValue = "${env:HARNESS_ADMIN_TOKEN}", description = "bearer token for the admin endpoints (default: $HARNESS_ADMIN_TOKEN)")
    String adminToken;

    @Option(names = "--no-progress", negatable = false, description = "no progress bar")
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
            checkWritable(config.out());
            Experiment.Result result = new Experiment(config, runId).run(progressStream(), stderr);
            stdout.println();
            stdout.print(result.table());
            stdout.println();
            stdout.println("summary: " + result.out().resolve("SUMMARY.md"));
            stdout.println("compare: " + result.out().resolve("COMPARE.md"));
            stdout.println("plots:   " + result.out().resolve("report.html"));
            stdout.flush();
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
                url = HttpUrl.parse(baseUrl);
                if (url == null) {
                    throw new IllegalArgumentException("--base-url '" + baseUrl + "' is not an http(s) URL");
                }
            }
            if (streams < 1 || batchSize < 1 || maxTokens < 1 || queued < 0 || asyncLevel < 0 || warmupBatches < 0) {
                throw new IllegalArgumentException("--streams, --batch-size and --max-tokens must be >= 1;"
                        + " --queued, --async-level and --warmup-batches >= 0");
            }
            if (!(stepInterval >= 0) || !(pollInterval > 0)) {
                throw new IllegalArgumentException("--step-interval must be >= 0 and --poll-interval > 0 seconds");
            }
            if (!updateMode.equals("pause") && !updateMode.equals("overlap")) {
                throw new IllegalArgumentException("--update-mode must be pause or overlap, got '" + updateMode + "'");
            }
            Path dir = out != null ? out
                    : Path.of("results", "experiment-" + STAMP.format(LocalDateTime.now(ZoneOffset.UTC)));
            return new ExperimentConfig(url, parsedModes, streams, queued, batchSize, updates, maxTokens, temperature,
                    asyncLevel, warmupBatches, seconds(stepInterval), seconds(pollInterval), seed, dir.toAbsolutePath(),
                    updateMode, maxBatch, model, base, weightsRoot, adminToken, !noProgress);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private static Duration seconds(double s) {
        return Duration.ofNanos(Math.round(s * 1e9));
    }

    /** Fails early, with one line, when the output folder cannot be created or written. */
    private static void checkWritable(Path dir) throws IOException {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-check", "");
            Files.delete(probe);
        } catch (AccessDeniedException e) {
            throw new IOException("--out " + dir + " is not writable (permission denied on " + e.getFile() + ")");
        } catch (FileSystemException e) {
            throw new IOException("--out " + dir + " cannot be written: " + e.getReason() + " (" + e.getFile() + ")");
        }
    }

    /** The progress bar draws on the terminal's stderr (not the command's writer: it needs a stream). */
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
