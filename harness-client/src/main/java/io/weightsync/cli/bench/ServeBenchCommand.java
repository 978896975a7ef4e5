package io.weightsync.cli.bench;

import ai.djl.Device;
import io.weightsync.core.ckpt.Folders;
import io.weightsync.server.engine.Engine;
import io.weightsync.server.engine.EngineConfig;
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
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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

    @Option(names = "--max-tokens", defaultValue = "32", description = "tokens per stream, ignore_eos (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--max-batch", defaultValue = "256", description = "engine batch (default: ${DEFAULT-VALUE})")
    int maxBatch;

    @Option(names = "--admin-requests", defaultValue = "100", description = "admin requests sent while the streams are open (default: ${DEFAULT-VALUE})")
    int adminRequests;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (streams < 1 || maxTokens < 1 || maxBatch < 1 || adminRequests < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--streams, --max-tokens, --max-batch and --admin-requests must be >= 1");
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
        try (Engine engine = new Engine(step0, new ByteTokenizer(TinyModel.BOS),
                new EngineConfig(maxBatch, 256, UpdateMode.PAUSE, 2048), Device.cpu());
                HarnessServer server = new HarnessServer(engine, ServerOptions.defaults("tiny").withPort(0)
                        .withWeightsRoot(root)).start()) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(30)).build();
            String base = server.baseUrl();
            AtomicInteger headersIn = new AtomicInteger();
            List<CompletableFuture<Integer>> done = new ArrayList<>(streams);
            check(http.send(HttpRequest.newBuilder(URI.create(base + "/pause?mode=keep"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()));
            long openStart = System.nanoTime();
            for (int i = 0; i < streams; i++) {
                done.add(openStream(http, base, i, headersIn));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            int peakOpen = 0;
            while (System.nanoTime() < deadline) {
                peakOpen = Math.max(peakOpen, (int) gauge(http, base, "harness_open_streams"));
                if (peakOpen >= streams || done.stream().allMatch(CompletableFuture::isDone)) {
                    break;
                }
                Thread.sleep(20);
            }
            double openMillis = (System.nanoTime() - openStart) / 1e6;
            check(http.send(HttpRequest.newBuilder(URI.create(base + "/resume"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()));
            double[] isPausedRtt = new double[adminRequests];
            double[] updateRtt = new double[adminRequests / 2];
            int openDuringAdmin = (int) gauge(http, base, "harness_open_streams");
            for (int i = 0; i < adminRequests; i++) {
                long t0 = System.nanoTime();
                check(http.send(HttpRequest.newBuilder(URI.create(base + "/is_paused")).build(),
                        HttpResponse.BodyHandlers.ofString()));
                isPausedRtt[i] = (System.nanoTime() - t0) / 1e6;
            }
            for (int i = 0; i < updateRtt.length; i++) {
                long t0 = System.nanoTime();
                check(http.send(HttpRequest.newBuilder(URI.create(base + "/update_weights"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"weight_dir\":\"step_" + (1 + i % 2) + "\"}"))
                        .build(), HttpResponse.BodyHandlers.ofString()));
                updateRtt[i] = (System.nanoTime() - t0) / 1e6;
            }
            int openAfterAdmin = (int) gauge(http, base, "harness_open_streams");
            int ok = 0;
            int errors = 0;
            for (CompletableFuture<Integer> d : done) {
                try {
                    ok += d.get(300, TimeUnit.SECONDS) == maxTokens ? 1 : 0;
                } catch (Exception e) {
                    errors++;
                }
            }
            String metrics = text(http, base + "/metrics");
            out.printf(Locale.ROOT, "streams: %d requested, %d open at the server at once (connected in %.0f ms, engine held), "
                    + "%d finished with %d tokens, %d errors%n", streams, peakOpen, openMillis, ok, maxTokens, errors);
            out.printf(Locale.ROOT, "admin requests sent after resume while %d (first) to %d (last) streams were open%n",
                    openDuringAdmin, openAfterAdmin);
            for (String path : List.of("/is_paused", "/update_weights")) {
                long under10 = bucket(metrics, path, "0.01");
                long under1 = bucket(metrics, path, "0.001");
                long total = bucket(metrics, path, "+Inf");
                Histogram micros = server.adminOverheadMicros(path);
                out.printf(Locale.ROOT, "%s server-side overhead: %d of %d under 10 ms (%.1f%%), %d under 1 ms; "
                        + "ms p50 %.2f p99 %.2f max %.2f%n", path, under10, total, 100.0 * under10 / Math.max(1, total),
                        under1, micros.getValueAtPercentile(50) / 1e3, micros.getValueAtPercentile(99) / 1e3,
                        micros.getMaxValue() / 1e3);
            }
            out.printf(Locale.ROOT, "/is_paused client round trip ms: p50 %.2f p99 %.2f max %.2f%n",
                    pct(isPausedRtt, 50), pct(isPausedRtt, 99), pct(isPausedRtt, 100));
            out.printf(Locale.ROOT, "/update_weights client round trip ms (rpc included): p50 %.1f max %.1f%n",
                    pct(updateRtt, 50), pct(updateRtt, 100));
            out.flush();
            return errors == 0 && ok == streams ? 0 : 1;
        }
    }

    /** One stream, read line by line without a thread; completes with the usage's completion_tokens. */
    private CompletableFuture<Integer> openStream(HttpClient http, String base, int i, AtomicInteger headersIn) {
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
