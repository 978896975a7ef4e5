package io.weightsync.cli.serve;

import ai.djl.Device;
import io.weightsync.cli.DeviceConverter;
import io.weightsync.server.engine.Engine;
import io.weightsync.server.engine.EngineConfig;
import io.weightsync.server.engine.UpdateMode;
import io.weightsync.server.http.HarnessServer;
import io.weightsync.server.http.ServerOptions;
import io.weightsync.server.model.ModelLocator;
import io.weightsync.server.model.TinyModel;
import io.weightsync.server.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code harness serve}: the engine behind the OpenAI-compatible HTTP front end, until SIGINT/SIGTERM. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Serve a model over OpenAI-compatible HTTP (/v1/completions, /v1/chat/completions, /v1/models),",
            "with prime-rl's admin endpoints (/update_weights, /reload_weights, /pause, /resume, /is_paused),",
            "/health and /metrics. Runs until SIGINT or SIGTERM."
        })
public final class ServeCommand implements Callable<Integer> {

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind (default: ${DEFAULT-VALUE}; the admin endpoints load files, think before 0.0.0.0)")
    String host;

    @Option(names = "--port", defaultValue = "8000", description = "TCP port; 0 picks a free one (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--model", defaultValue = "tiny", description = "tiny (built-in byte-level model) or a model folder with config.json (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--served-model-name", paramLabel = "NAME", description = "the name /v1/models lists and requests may use (default: tiny, or the model folder's name)")
    String servedModelName;

    @Option(names = "--weights-root", paramLabel = "DIR", description = "every weight_dir must resolve inside DIR (symlinks followed)")
    Path weightsRoot;

    /** The environment variable --admin-token falls back to. */
    static final String ADMIN_TOKEN_ENV = "HARNESS_ADMIN_TOKEN";

    @Option(names = "--admin-token", paramLabel = "TOKEN",
            description = "admin endpoints need 'Authorization: Bearer TOKEN' (default: $" + ADMIN_TOKEN_ENV + "; unset: open)")
    String adminToken;

    /**
     * Reads environment variables: the process environment, or a test's own map (the fallback is
     * tested without changing the test JVM's environment, which Java cannot do).
     */
    Function<String, String> environment = System::getenv;

    @Option(names = "--max-batch", defaultValue = "256", description = "sequences decoded together at most (vLLM's max_num_seqs) (default: ${DEFAULT-VALUE})")
    int maxBatch;

    @Option(names = "--max-model-len", defaultValue = "1024", description = "tokens per sequence, prompt + completion (default: ${DEFAULT-VALUE})")
    int maxModelLen;

    @Option(names = "--max-concurrent-requests", defaultValue = "0", description = "requests in flight at most; more get 503 at once, like uvicorn's --limit-concurrency; 0: no limit (default: ${DEFAULT-VALUE})")
    int maxConcurrentRequests;

    @Option(names = "--update-mode", defaultValue = "pause", description = "pause: stop the engine while loading (vLLM); overlap: keep decoding, load on CPU the engine leaves idle (between steps when there is none), swap between two steps (default: ${DEFAULT-VALUE})")
    String updateMode;

    @Option(names = "--device", defaultValue = "cpu", converter = DeviceConverter.class,
            description = "cpu or gpu (needs CUDA natives: docs/GPU.md) (default: ${DEFAULT-VALUE})")
    Device device;

    @Option(names = "--engine-nice", defaultValue = "" + EngineConfig.DEFAULT_ENGINE_NICE,
            description = "Linux nice value of the engine's threads (0-19; 0: as the server's): the HTTP threads run first "
                    + "when they share cores with the model, so admin requests are answered at once (default: ${DEFAULT-VALUE})")
    int engineNice;

    @Option(names = "--max-body-bytes", defaultValue = "1048576", description = "larger request bodies get 413 (default: ${DEFAULT-VALUE})")
    long maxBodyBytes;

    @Option(names = "--stop-with-parent", hidden = true,
            description = "exit when the parent process exits (the experiment's embedded server)")
    boolean stopWithParent;

    @Spec
    CommandSpec spec;

    /** Completed by SIGINT/SIGTERM (the shutdown hook) or by a test. */
    final CompletableFuture<Void> stop = new CompletableFuture<>();
    /** The bound port, once listening (tests pass --port 0). */
    final CompletableFuture<Integer> listening = new CompletableFuture<>();

    @Override
    public Integer call() throws Exception {
        UpdateMode mode = switch (updateMode.toLowerCase(Locale.ROOT)) {
            case "pause" -> UpdateMode.PAUSE;
            case "overlap" -> UpdateMode.OVERLAP;
            default -> throw usage("--update-mode must be pause or overlap, got '" + updateMode + "'");
        };
        if (weightsRoot != null && !Files.isDirectory(weightsRoot)) {
            throw usage("--weights-root " + weightsRoot + " is not a folder");
        }
        EngineConfig engineConfig;
        ServerOptions options;
        try {
            engineConfig = new EngineConfig(maxBatch, maxModelLen, mode, 2048, engineNice);
            options = new ServerOptions(host, port, servedModelName == null ? defaultName() : servedModelName,
                    weightsRoot, adminToken != null ? adminToken : environment.apply(ADMIN_TOKEN_ENV),
                    maxConcurrentRequests, maxBodyBytes, 4096);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        Path modelDir;
        try {
            modelDir = ModelLocator.resolve(model);
        } catch (java.io.IOException e) {
            throw usage(e.getMessage());
        }
        Thread hook = new Thread(() -> stop.complete(null), "serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        if (stopWithParent) { // a killed experiment must not leave its server behind
            ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> stop.complete(null)));
        }
        try (Engine engine = new Engine(modelDir, Tokenizer.forModel(modelDir), engineConfig, device);
                HarnessServer server = new HarnessServer(engine, options).start()) {
            PrintWriter out = spec.commandLine().getOut();
            out.printf("harness serve: %s on %s (model %s, update mode %s)%n", options.servedModelName(),
                    server.baseUrl(), modelDir, updateMode);
            out.flush();
            listening.complete(server.port());
            stop.join();
            out.println("harness serve: shutting down");
            out.flush();
        } finally {
            listening.complete(-1);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting because of the signal: the hook has run
            }
        }
        return 0;
    }

    private String defaultName() {
        if (model.equals(TinyModel.NAME)) {
            return TinyModel.NAME;
        }
        Path name = Path.of(model).toAbsolutePath().normalize().getFileName();
        return name == null ? "model" : name.toString();
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
