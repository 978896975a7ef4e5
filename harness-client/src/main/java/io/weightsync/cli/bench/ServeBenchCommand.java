package io.weightsync.cli.bench;

import ai.djl.Device;
import io.weightsync.core.ckpt.Folders;
import io.weightsync.server.engine.Engine;
import io.weightsync.server.engine.EngineConfig;
import io.weightsync.server.engine.ThreadNice;
import io.weightsync.server.engine.UpdateMode;
import io.weightsync.server.http.HarnessServer;
import io.weightsync.server.http.ServerOptions;
import io.weightsync.server.model.TinyModel;
import io.weightsync.server.tokenizer.ByteTokenizer;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code harness bench serve}: can the front end hold N concurrent SSE streams, and what does an
 * admin request cost the server while they are open? Starts the tiny model behind a server on a
 * free loopback port, opens every stream at once (one HTTP/1.1 connection each, read without a
 * thread per stream) while the engine is held with {@code /pause?mode=keep} (on 2 cores connecting
 * thousands of streams takes longer than generating for the first ones, so without the hold they
 * would never all be open together), resumes it once all are open, and then, while they stream,
 * sends admin requests one after another: /is_paused
 * (pure front-end overhead) and /update_weights alternating between two published steps. The
 * server-side overhead (server.recv to response, minus the engine call) comes from the server's own
 * {@code harness_admin_overhead_seconds} histogram.
 *
 * <p>The whole round runs {@code --warmup-rounds} times first, unmeasured, as a JMH warm-up: on 2
 * cores the JIT compiles the streaming and admin paths for the first ~35 s of load, on a core the
 * event loop would otherwise have. The client stands in for clients on other hosts, so its threads
 * run at {@code --client-nice} and take no core from the server it measures.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Open N concurrent SSE streams against an embedded server (tiny model), then send admin",
            "requests while they are open; report stream errors and the server-side admin overhead."
        })
public final class ServeBenchCommand implements Callable<Integer> {

    @Option(names = "--streams", defaultValue = "4096", description = "concurrent SSE streams (default: ${DEFAULT-VALUE})")
    int streams;

    @Option(names = "--max-tokens", defaultValue = "64", description = "tokens per stream, ignore_eos (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--max-batch", defaultValue = "256", description = "engine batch (default: ${DEFAULT-VALUE})")
    int maxBatch;

    @Option(names = "--admin-requests", defaultValue = "200",
            description = "/is_paused requests sent while the streams are open, then half as many /update_weights "
                    + "(default: ${DEFAULT-VALUE}: p99 of 100 updates is the second slowest)")
    int adminRequests;

    @Option(names = "--warmup-rounds", defaultValue = "1",
            description = "rounds run first and not measured, so the JIT has compiled the paths the measured round takes "
                    + "(on 2 cores C2 compiles for ~35 s, beside the loop) (default: ${DEFAULT-VALUE})")
    int warmupRounds;

    @Option(names = "--engine-nice", defaultValue = "" + EngineConfig.DEFAULT_ENGINE_NICE,
            description = "the server's --engine-nice (0-19) (default: ${DEFAULT-VALUE})")
    int engineNice;

    @Option(names = "--client-nice", defaultValue = "5",
            description = "Linux nice value of the streams' client threads (0-19): the client stands in for clients on other "
                    + "hosts, so it should not take the cores from the server it measures (default: ${DEFAULT-VALUE})")
    int clientNice;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (streams < 1 || maxTokens < 1 || maxBatch < 1 || adminRequests < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--streams, --max-tokens, --max-batch and --admin-requests must be >= 1");
        }
        if (warmupRounds < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--warmup-rounds must be >= 0, got " + warmupRounds);
        }
        for (int nice : new int[] {engineNice, clientNice}) {
            if (nice < 0 || nice > ThreadNice.MAX) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--engine-nice and --client-nice must be in 0.." + ThreadNice.MAX + ", got " + nice);
            }
        }
        Path root = Files.createTempDirectory("bench-serve");
        try {
            return run(root);
        } finally {
            Folders.deleteRecursively(root);
        }
    }

    /** The measurement, over checkpoints published under {@code root} (a temp folder, deleted after). */
    private int run(Path root) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path step0 = TinyModel.ensure(root);
        for (long step = 1; step <= 2; step++) {
            TinyModel.publishStep(root, TinyModel.config(), step, 1000 + step);
        }
        // the streams' client: its body subscribers run on two threads (the JDK's default executor
        // starts a thread per busy response: over a hundred for 4,096 streams); the admin requests
        // have a client of their own, as the harness's dedicated admin client
        ExecutorService readers = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(() -> {
                ThreadNice.raiseCurrentThread(clientNice);
                r.run();
            }, "bench-reader");
            t.setDaemon(true);
            return t;
        });
        try (Engine engine = new Engine(step0, new ByteTokenizer(TinyModel.BOS),
                new EngineConfig(maxBatch, 256, UpdateMode.PAUSE, 2048, engineNice), Device.cpu());
                HarnessServer server = new HarnessServer(engine, ServerOptions.defaults("tiny").withPort(0)
                        .withWeightsRoot(root)).start()) {
            HttpClient streamClient = buildAtNice(clientNice, HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1).executor(readers).connectTimeout(Duration.ofSeconds(30)));
            HttpClient admin = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(30)).build();
            String base = server.baseUrl();
            for (int i = 1; i <= warmupRounds; i++) {
                Round warm = round(streamClient, admin, base);
                out.printf(Locale.ROOT, "warm-up round %d of %d (not measured): %d of %d streams finished, %d errors%n",
                        i, warmupRounds, warm.ok, streams, warm.errors);
                out.flush();
            }
            List<String> paths = List.of("/is_paused", "/update_weights");
            String metricsBefore = text(admin, base + "/metrics");
            List<Histogram> before = paths.stream().map(server::adminOverheadMicros).toList();
            Round measured = round(streamClient, admin, base);
            String metrics = text(admin, base + "/metrics");
            out.printf(Locale.ROOT, "streams: %d requested, %d open at the server at once (connected in %.0f ms, engine held), "
                    + "%d finished with %d tokens, %d errors%n", streams, measured.peakOpen, measured.openMillis,
                    measured.ok, maxTokens, measured.errors);
            out.printf(Locale.ROOT, "admin requests sent after resume while %d (first) to %d (last) streams were open%n",
                    measured.openDuringAdmin, measured.openAfterAdmin);
            for (int p = 0; p < paths.size(); p++) {
                String path = paths.get(p);
                // this round's requests only: the server's counters and values less those of the warm-up
                long under10 = bucketSince(metricsBefore, metrics, path, "0.01");
                long under1 = bucketSince(metricsBefore, metrics, path, "0.001");
                long total = bucketSince(metricsBefore, metrics, path, "+Inf");
                Histogram micros = server.adminOverheadMicros(path);
                micros.subtract(before.get(p));
                out.printf(Locale.ROOT, "%s server-side overhead: %d of %d under 10 ms (%.1f%%), %d under 1 ms; "
                        + "ms p50 %.2f p99 %.2f max %.2f%n", path, under10, total, 100.0 * under10 / Math.max(1, total),
                        under1, micros.getValueAtPercentile(50) / 1e3, micros.getValueAtPercentile(99) / 1e3,
                        micros.getMaxValue() / 1e3);
            }
            out.printf(Locale.ROOT, "/is_paused client round trip ms: p50 %.2f p99 %.2f max %.2f%n",
                    pct(measured.isPausedRtt, 50), pct(measured.isPausedRtt, 99), pct(measured.isPausedRtt, 100));
            out.printf(Locale.ROOT, "/update_weights client round trip ms (rpc included): p50 %.1f max %.1f%n",
                    pct(measured.updateRtt, 50), pct(measured.updateRtt, 100));
            out.flush();
            return measured.errors == 0 && measured.ok == streams ? 0 : 1;
        } finally {
            readers.shutdownNow();
        }
    }

    /** What one round saw: the streams, and the client-side round trips of its admin requests. */
    private record Round(int peakOpen, double openMillis, int openDuringAdmin, int openAfterAdmin, int ok, int errors,
            double[] isPausedRtt, double[] updateRtt) {}

    /**
     * One round: opens every stream while the engine is held, resumes it, sends the admin requests
     * one after another while the streams flow, then waits for every stream to end.
     */
    private Round round(HttpClient streamClient, HttpClient admin, String base) throws Exception {
        List<CompletableFuture<Integer>> done = new ArrayList<>(streams);
        check(admin.send(HttpRequest.newBuilder(URI.create(base + "/pause?mode=keep"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()));
        long openStart = System.nanoTime();
        for (int i = 0; i < streams; i++) {
            done.add(openStream(streamClient, base, i));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        int peakOpen = 0;
        while (System.nanoTime() < deadline) {
            peakOpen = Math.max(peakOpen, (int) gauge(admin, base, "harness_open_streams"));
            if (peakOpen >= streams || done.stream().allMatch(CompletableFuture::isDone)) {
                break;
            }
            Thread.sleep(20);
        }
        double openMillis = (System.nanoTime() - openStart) / 1e6;
        check(admin.send(HttpRequest.newBuilder(URI.create(base + "/resume"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()));
        double[] isPausedRtt = new double[adminRequests];
        double[] updateRtt = new double[adminRequests / 2];
        int openDuringAdmin = (int) gauge(admin, base, "harness_open_streams");
        for (int i = 0; i < adminRequests; i++) {
            long t0 = System.nanoTime();
            check(admin.send(HttpRequest.newBuilder(URI.create(base + "/is_paused")).build(),
                    HttpResponse.BodyHandlers.ofString()));
            isPausedRtt[i] = (System.nanoTime() - t0) / 1e6;
        }
        for (int i = 0; i < updateRtt.length; i++) {
            long t0 = System.nanoTime();
            check(admin.send(HttpRequest.newBuilder(URI.create(base + "/update_weights"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"weight_dir\":\"step_" + (1 + i % 2) + "\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString()));
            updateRtt[i] = (System.nanoTime() - t0) / 1e6;
        }
        int openAfterAdmin = (int) gauge(admin, base, "harness_open_streams");
        int ok = 0;
        int errors = 0;
        for (CompletableFuture<Integer> d : done) {
            try {
                ok += d.get(300, TimeUnit.SECONDS) == maxTokens ? 1 : 0;
            } catch (Exception e) {
                errors++;
            }
        }
        return new Round(peakOpen, openMillis, openDuringAdmin, openAfterAdmin, ok, errors, isPausedRtt, updateRtt);
    }

    /**
     * Builds the client on a thread at {@code nice}: the JDK client starts its selector thread (which
     * reads every stream's socket) when built, and a thread starts with its creator's nice value.
     */
    private static HttpClient buildAtNice(int nice, HttpClient.Builder builder) throws Exception {
        CompletableFuture<HttpClient> built = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            ThreadNice.raiseCurrentThread(nice);
            built.complete(builder.build());
        }, "bench-client-builder");
        t.start();
        return built.get(30, TimeUnit.SECONDS);
    }

    /** One stream, read line by line without a thread; completes with the usage's completion_tokens. */
    private CompletableFuture<Integer> openStream(HttpClient http, String base, int i) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v1/completions")).timeout(Duration.ofSeconds(600))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"stream " + i + "\",\"max_tokens\":" + maxTokens
                        + ",\"stream\":true,\"ignore_eos\":true,\"stream_options\":{\"include_usage\":true}}"))
                .build();
        CompletableFuture<Integer> tokens = new CompletableFuture<>();
        Pattern usage = Pattern.compile("\"completion_tokens\":(\\d+)");
        Flow.Subscriber<String> lines = new Flow.Subscriber<>() {
            int completion = -1;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(String line) {
                Matcher m = usage.matcher(line);
                if (m.find()) {
                    completion = Integer.parseInt(m.group(1));
                }
            }

            @Override
            public void onError(Throwable t) {
                tokens.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                tokens.complete(completion);
            }
        };
        http.sendAsync(request, HttpResponse.BodyHandlers.fromLineSubscriber(lines)).whenComplete((r, e) -> {
            if (e != null) {
                tokens.completeExceptionally(e);
            } else if (r.statusCode() != 200) {
                tokens.completeExceptionally(new IllegalStateException("status " + r.statusCode()));
            }
        });
        return tokens;
    }

    private static void check(HttpResponse<String> r) {
        if (r.statusCode() != 200) {
            throw new IllegalStateException(r.uri() + ": " + r.statusCode() + " " + r.body());
        }
    }

    private static String text(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static double gauge(HttpClient http, String base, String name) throws Exception {
        Matcher m = Pattern.compile("(?m)^" + name + " ([0-9.eE+-]+)$").matcher(text(http, base + "/metrics"));
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    /** Admin overheads of {@code path} counted in bucket {@code le} between two scrapes. */
    private static long bucketSince(String before, String after, String path, String le) {
        return bucket(after, path, le) - bucket(before, path, le);
    }

    private static long bucket(String metrics, String path, String le) {
        Matcher m = Pattern.compile("harness_admin_overhead_seconds_bucket\\{path=\"" + Pattern.quote(path)
                + "\",le=\"" + Pattern.quote(le) + "\"} (\\d+)").matcher(metrics);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static double pct(double[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
