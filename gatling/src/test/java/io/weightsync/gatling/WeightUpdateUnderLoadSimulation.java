package io.weightsync.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.rampConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.core.CoreDsl.substring;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.sse;
import static io.gatling.javaapi.http.HttpDsl.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatling.http.action.sse.SseInboundMessage;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.weightsync.client.ClientMetrics;
import io.weightsync.client.EventLog;
import io.weightsync.client.ServedModel;
import io.weightsync.core.ckpt.Folders;
import io.weightsync.core.events.WeightsEvent;
import io.weightsync.core.report.MetricNames;
import io.weightsync.core.trace.TraceId;
import io.weightsync.experiment.EmbeddedServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import io.weightsync.client.LoopbackUrl;
import okhttp3.HttpUrl;

/**
 * Floods a host with concurrent streaming completions while injecting weight updates, and measures
 * what Gatling does not: TTFT to the first data chunk (Gatling's SSE "response time" is
 * time-to-headers), every inter-chunk gap, E2E, and per update wall_ms, rpc_ms (from the response
 * body) and queue_ms, into HdrHistogram Recorders, exported at the end as a {@code report.json}
 * (kind "gatling") that {@code ./harness compare} reads. Gatling's own HTML report is untouched.
 *
 * <p>Streams: a closed model of {@code streams} concurrent users, one completion each, each on its
 * own connection (Gatling's default: a pool per virtual user). Updates: one more user POSTs every
 * {@code updateEvery} on its own connection, i.e. a dedicated admin client. The shared-pool
 * bottleneck cannot be expressed in Gatling ({@link Settings#SHARED_NOT_EXPRESSIBLE}); it is
 * {@code ./harness experiment}'s.
 *
 * <p>Chunk timestamps are Gatling's, in milliseconds: TTFT/ITL/E2E here are exact to 1 ms (the
 * harness's OkHttp client measures in nanoseconds). {@code gen.stall_ms} is not measured here.
 */
public class WeightUpdateUnderLoadSimulation extends Simulation {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROLE = "gatling";

    private final Settings settings = Settings.fromSystemProperties();
    private final Path runDir;
    private final EventLog log;
    private final ClientMetrics metrics = new ClientMetrics();
    private final EmbeddedServer embedded;
    private final HttpUrl baseUrl;
    private final String model;
    private final WeightTargets targets;
    private final long startedAtMillis = System.currentTimeMillis();

    public WeightUpdateUnderLoadSimulation() throws IOException {
        String stamp = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").format(LocalDateTime.now(ZoneOffset.UTC));
        Path resultsRoot = Path.of(System.getProperty("harness.resultsRoot", "results/gatling"));
        runDir = resultsRoot.resolve("weightupdateunderloadsimulation-" + stamp).toAbsolutePath();
        HttpUrl live = settings.baseUrl() == null ? null : LoopbackUrl.parse(settings.baseUrl(), "-DbaseUrl");
        Files.createDirectories(runDir);
        log = EventLog.toFile(runDir.resolve("client.log"));
        if (live == null) {
            embedded = EmbeddedServer.start(List.of(), runDir.resolve("server.log"), Duration.ofSeconds(120));
            baseUrl = embedded.baseUrl();
        } else {
            embedded = null;
            baseUrl = live;
        }
        model = settings.model() != null ? settings.model() : ServedModel.first(baseUrl);
        targets = WeightTargets.of(settings, embedded != null, runDir.resolve("weights"));

        String root = baseUrl.toString().replaceAll("/$", "");
        HttpProtocolBuilder protocol = http.baseUrl(root)
                // chunks are read after the stream ends, from this buffer (off by default)
                .sseUnmatchedInboundMessageBufferSize(settings.maxTokens() + 16);

        int users = settings.streams();
        long loadSeconds = settings.ramp().toSeconds() + settings.duration().toSeconds();
        int updates = (int) Math.max(1, loadSeconds / settings.updateEvery().toSeconds() - 1);
        ScenarioBuilder streams = scenario("streams").exec(stream());
        // one untimed admin-path request first (connection, JSON check code), so the first update is not a cold start
        ScenarioBuilder admin = scenario("weight updates")
                .exec(http("admin warm-up").get("/v1/models").check(status().is(200), jsonPath("$.data[0].id").exists()))
                .repeat(updates).on(pause(settings.updateEvery()).exec(update()));
        setUp(
                streams.injectClosed(
                        rampConcurrentUsers(0).to(users).during(settings.ramp()),
                        constantConcurrentUsers(users).during(settings.duration()))
                        .protocols(protocol),
                admin.injectOpen(io.gatling.javaapi.core.CoreDsl.atOnceUsers(1)).protocols(protocol))
                .assertions(global().failedRequests().percent().lte(settings.failedPct()))
                .maxDuration(settings.ramp().plus(settings.duration()).plusSeconds(120));
    }

    /** One completion: connect (POST), wait for [DONE], then read the chunks' timestamps. */
    private ChainBuilder stream() {
        ObjectNode body = JSON.createObjectNode()
                .put("model", model)
                .put("prompt", settings.prompt())
                .put("max_tokens", settings.maxTokens())
                .put("temperature", 1.0)
                .put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        String json = body.toString();
        return exec(session -> session.set("t0", System.currentTimeMillis()))
                .exec(sse("completion").post("/v1/completions")
                        .header("Content-Type", "application/json")
                        .body(StringBody(json))
                        .await(Duration.ofSeconds(300))
                        .on(sse.checkMessage("stream end").matching(substring("[DONE]"))))
                .exec(sse.processUnmatchedMessages(this::recordStream))
                .exec(sse("close").close());
    }

    /** TTFT, every chunk gap and E2E of one stream, from Gatling's message timestamps (ms). */
    private Session recordStream(List<SseInboundMessage> messages, Session session) {
        long t0 = session.getLong("t0");
        long now = System.currentTimeMillis();
        long previous = -1;
        long chunks = 0;
        String finish = null;
        for (SseInboundMessage m : messages) {
            JsonNode chunk = data(m.message());
            JsonNode choices = chunk == null ? null : chunk.path("choices");
            if (choices == null || !choices.isArray() || choices.isEmpty()) {
                continue;
            }
            chunks++;
            if (previous < 0) {
                metrics.record(MetricNames.STREAM_TTFT_MS, m.timestamp() - t0);
            } else {
                metrics.record(MetricNames.STREAM_ITL_MS, m.timestamp() - previous);
            }
            previous = m.timestamp();
            if (choices.get(0).path("finish_reason").isTextual()) {
                finish = choices.get(0).get("finish_reason").asText();
            }
        }
        if (finish == null || session.isFailed()) {
            metrics.errors.incrementAndGet();
            return session;
        }
        metrics.record(MetricNames.STREAM_E2E_MS, now - t0);
        metrics.requests.incrementAndGet();
        metrics.tokens.addAndGet(chunks);
        if (finish.equals("length")) {
            metrics.truncated.incrementAndGet();
        }
        return session;
    }

    /**
     * The chunk JSON of one SSE message. Gatling hands a message over as JSON, {@code {"data": <the
     * data, parsed when it is JSON>}} ({@code {"data":"[DONE]"}} for the end).
     */
    private static JsonNode data(String message) {
        try {
            JsonNode data = JSON.readTree(message).path("data");
            if (data.isObject()) {
                return data;
            }
            return data.isTextual() && data.asText().startsWith("{") ? JSON.readTree(data.asText()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** One weight update: client.send, the POST (through the mode's protocol), client.done. */
    private ChainBuilder update() {
        return exec(session -> {
            WeightTargets.Target target = targets.next();
            TraceId trace = TraceId.random();
            long sendMillis = System.currentTimeMillis();
            log.event(ROLE, new WeightsEvent.ClientSend(trace, sendMillis));
            return session.set("trace", trace.toString()).set("path", target.path()).set("body", target.body())
                    .set("sendNanos", System.nanoTime()).remove("rpc_ms").remove("update_status");
        })
                .exec(adminRequest())
                .exec(session -> {
                    double wall = (System.nanoTime() - session.getLong("sendNanos")) / 1e6;
                    TraceId trace = TraceId.parse(session.getString("trace"));
                    if (!session.contains("update_status")) { // not a 200
                        metrics.updatesFailed.incrementAndGet();
                        log.line(ROLE, "[weights][" + trace + "] client.failed wall_ms=" + String.format(java.util.Locale.ROOT, "%.3f", wall));
                        return session.markAsSucceeded(); // counted above; the KO is in Gatling's report
                    }
                    // a 200 without rpc_ms (prime-rl's {"status":"ok"}) is OK with rpc and queue not measured:
                    // NaN is not recorded and client.done leaves both keys out
                    double rpc = session.contains("rpc_ms") ? session.getDouble("rpc_ms") : Double.NaN;
                    metrics.updates.incrementAndGet();
                    metrics.record(MetricNames.WEIGHTS_WALL_MS, wall);
                    metrics.record(MetricNames.WEIGHTS_RPC_MS, rpc);
                    metrics.record(MetricNames.WEIGHTS_QUEUE_MS, wall - rpc);
                    log.event(ROLE, WeightsEvent.ClientDone.of(trace, wall, rpc));
                    return session;
                });
    }

    private io.gatling.javaapi.http.HttpRequestActionBuilder adminRequest() {
        io.gatling.javaapi.http.HttpRequestActionBuilder request = http("#{path}").post("#{path}")
                .header("X-Trace-Id", "#{trace}")
                .body(StringBody("#{body}")).asJson()
                .requestTimeout(Duration.ofSeconds(720)) // prime-rl's update timeout
                .check(status().is(200).saveAs("update_status"),
                        jsonPath("$.rpc_ms").ofDouble().optional().saveAs("rpc_ms"));
        return settings.adminToken() == null ? request
                : request.header("Authorization", "Bearer " + settings.adminToken());
    }

    @Override
    public void after() {
        try {
            log.close();
            if (embedded != null) {
                embedded.close();
                Folders.deleteRecursively(runDir.resolve("weights")); // the scratch step_1 (6 MB), if published
            }
            GatlingReport.Written written = GatlingReport.write(runDir, settings, model, baseUrl, metrics,
                    startedAtMillis, embedded != null);
            System.out.println("harness report: " + written.reportJson());
            System.out.println(written.summary());
            if (!Double.isNaN(settings.queueP99Ms()) && !(written.queueP99Ms() < settings.queueP99Ms())) {
                throw new AssertionError("assertion failed: weights.queue_ms p99 " + written.queueP99Ms()
                        + " ms is not below -Dassert.queueP99Ms=" + settings.queueP99Ms());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the harness report in " + runDir + ": " + e.getMessage(), e);
        }
    }
}
