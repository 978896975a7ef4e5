package io.weightsync.server.http;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weightsync.server.engine.Engine;
import io.weightsync.server.engine.EngineConfig;
import io.weightsync.server.engine.UpdateMode;
import io.weightsync.server.model.TinyModel;
import io.weightsync.server.tokenizer.ByteTokenizer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** A tiny-model engine behind a real server on a free loopback port, plus the JDK client to talk to it. */
final class ServerFixture implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    final Path root;
    final Path step0;
    final Engine engine;
    final HarnessServer server;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    ServerFixture(Path root, int maxBatch, UnaryOperator<ServerOptions> options) throws Exception {
        this(root, maxBatch, 256, options);
    }

    ServerFixture(Path root, int maxBatch, int maxContext, UnaryOperator<ServerOptions> options) throws Exception {
        this(root, maxBatch, maxContext, UpdateMode.PAUSE, options);
    }

    ServerFixture(Path root, int maxBatch, int maxContext, UpdateMode updateMode, UnaryOperator<ServerOptions> options)
            throws Exception {
        this.root = root;
        this.step0 = TinyModel.ensure(root);
        this.engine = new Engine(step0, new ByteTokenizer(TinyModel.BOS),
                new EngineConfig(maxBatch, maxContext, updateMode, 2048), Device.cpu());
        this.server = new HarnessServer(engine, options.apply(ServerOptions.defaults("tiny").withPort(0))).start();
    }

    /** Publishes {@code step_N} under the fixture's root: another seeded tiny model. */
    Path publish(long step) throws IOException {
        return TinyModel.publishStep(root, TinyModel.config(), step, 1000 + step);
    }

    URI uri(String path) {
        return URI.create(server.baseUrl() + path);
    }

    HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (!java.util.Arrays.asList(headers).contains("Content-Type")) {
            b.header("Content-Type", "application/json");
        }
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The {@code data:} payloads of a whole SSE response, in order. */
    List<String> sse(String path, String body) throws Exception {
        HttpResponse<java.util.stream.Stream<String>> r = http.send(HttpRequest.newBuilder(uri(path))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofLines());
        if (r.statusCode() != 200) {
            throw new AssertionError("status " + r.statusCode() + ": " + String.join("\n", r.body().toList()));
        }
        List<String> data = new ArrayList<>();
        r.body().forEach(line -> {
            if (line.startsWith("data: ")) {
                data.add(line.substring("data: ".length()));
            } else if (!line.isEmpty()) {
                throw new AssertionError("not an SSE data line: '" + line + "'");
            }
        });
        return data;
    }

    static JsonNode json(String s) throws IOException {
        return JSON.readTree(s);
    }

    /** The value of an unlabelled series in {@code GET /metrics}, e.g. {@code harness_weight_step}. */
    double metric(String name) throws Exception {
        for (String line : get("/metrics").body().split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        throw new AssertionError("no series " + name + " in /metrics");
    }

    /** Waits until the engine holds no request, or fails after {@code seconds}. */
    void awaitEngineIdle(int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (engine.stats().running() == 0 && engine.stats().waiting() == 0) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("engine still busy: " + engine.stats());
    }

    @Override
    public void close() {
        server.close();
        engine.close();
    }
}
