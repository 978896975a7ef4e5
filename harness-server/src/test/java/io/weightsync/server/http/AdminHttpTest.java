package io.weightsync.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Admin endpoints with --admin-token and --weights-root: trace lines, updates under load, pause and resume.
 * What the token and the root refuse is tried in {@link SecurityHttpTest}.
 */
class AdminHttpTest {

    private static final String TOKEN = "s3cret-token";
    private static final String[] AUTH = {"Authorization", "Bearer " + TOKEN};

    @TempDir
    static Path root;
    static ServerFixture f;
    static ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeAll
    static void start() throws Exception {
        f = new ServerFixture(root, 64, o -> o.withAdminToken(TOKEN).withWeightsRoot(root));
        logs.start();
        ((Logger) LoggerFactory.getLogger("io.weightsync.server.http")).addAppender(logs);
    }

    @AfterAll
    static void stop() {
        ((Logger) LoggerFactory.getLogger("io.weightsync.server.http")).detachAppender(logs);
        f.close();
    }

    @Test
    void updateAnswersPrimeRlBodyAndLogsRecvRpcStartRpcDoneUnderOneTrace() throws Exception {
        Path step1 = f.publish(1);
        logs.list.clear();
        HttpResponse<String> r = f.post("/update_weights", "{\"weight_dir\":\"" + step1 + "\"}",
                "Authorization", "Bearer " + TOKEN, "X-Trace-Id", "00000000deadbeef");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Trace-Id")).hasValue("00000000deadbeef");
        JsonNode b = ServerFixture.json(r.body());
        assertThat(b.get("status").asText()).isEqualTo("ok");
        assertThat(b.get("step").asLong()).isEqualTo(1);
        assertThat(b.get("rpc_ms").asDouble()).isPositive();
        assertThat(b.has("load_ms") && b.has("swap_ms") && b.has("stall_ms")).isTrue();
        assertThat(b.get("noop").asBoolean()).isFalse();
        assertThat(b.get("trace_id").asText()).isEqualTo("00000000deadbeef");
        List<String> lines = logs.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(l -> l.startsWith("[weights]")).toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).matches("\\[weights]\\[00000000deadbeef] server\\.recv t=\\d+\\.\\d{3}");
        assertThat(lines.get(1)).matches("\\[weights]\\[00000000deadbeef] rpc\\.start t=\\d+\\.\\d{3}");
        assertThat(lines.get(2)).matches("\\[weights]\\[00000000deadbeef] rpc\\.done t=\\d+\\.\\d{3} rpc_ms=[\\d.]+");
        assertThat(f.get("/metrics").body()).contains("harness_weight_step 1.0");

        JsonNode again = ServerFixture.json(f.post("/update_weights", "{\"weight_dir\":\"step_1\"}", AUTH).body());
        assertThat(again.get("noop").asBoolean()).as("relative to --weights-root, same folder").isTrue();

        JsonNode reload = ServerFixture.json(f.post("/reload_weights", "{}", AUTH).body());
        assertThat(reload.get("status").asText()).isEqualTo("ok");
        assertThat(reload.get("step").asLong()).isZero();
        assertThat(f.engine.stats().weightStep()).isZero();
    }

    @Test
    void updateUnderLoadKeepsEveryStreamFlowingToItsLastToken() throws Exception {
        Path step2 = f.publish(2);
        int streams = 32;
        int maxTokens = 48;
        List<CompletableFuture<HttpResponse<Stream<String>>>> open = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            open.add(f.http.sendAsync(HttpRequest.newBuilder(f.uri("/v1/completions")).timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"load " + i + "\",\"max_tokens\":" + maxTokens
                            + ",\"stream\":true,\"ignore_eos\":true,\"stream_options\":{\"include_usage\":true}}"))
                    .build(), HttpResponse.BodyHandlers.ofLines()));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (f.engine.stats().running() < streams / 2 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(f.engine.stats().running()).isGreaterThan(0);
        HttpResponse<String> update = f.post("/update_weights", "{\"weight_dir\":\"" + step2 + "\"}", AUTH);
        assertThat(update.statusCode()).as(update.body()).isEqualTo(200);
        assertThat(ServerFixture.json(update.body()).get("step").asLong()).isEqualTo(2);
        for (CompletableFuture<HttpResponse<Stream<String>>> stream : open) {
            List<String> lines = stream.get(60, TimeUnit.SECONDS).body().filter(l -> l.startsWith("data: ")).toList();
            assertThat(lines.get(lines.size() - 1)).isEqualTo("data: [DONE]");
            JsonNode usage = ServerFixture.json(lines.get(lines.size() - 2).substring(6)).get("usage");
            assertThat(usage.get("completion_tokens").asInt()).isEqualTo(maxTokens);
            assertThat(lines.get(lines.size() - 3)).contains("\"finish_reason\":\"length\"");
        }
        f.awaitEngineIdle(5);
    }

    @Test
    void pauseAbortEndsRunningStreamsWithFinishReasonAbort() throws Exception {
        CompletableFuture<HttpResponse<Stream<String>>> stream = f.http.sendAsync(
                HttpRequest.newBuilder(f.uri("/v1/completions")).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"prompt\":\"abort me\",\"max_tokens\":240,\"stream\":true,\"ignore_eos\":true,"
                                + "\"stream_options\":{\"include_usage\":true}}")).build(),
                HttpResponse.BodyHandlers.ofLines());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (f.engine.stats().running() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        try {
            assertThat(f.post("/pause?mode=abort", "", AUTH).statusCode()).isEqualTo(200);
            List<String> lines = stream.get(30, TimeUnit.SECONDS).body().filter(l -> l.startsWith("data: ")).toList();
            assertThat(lines.get(lines.size() - 1)).isEqualTo("data: [DONE]");
            assertThat(lines.get(lines.size() - 3)).contains("\"finish_reason\":\"abort\"");
            int completion = ServerFixture.json(lines.get(lines.size() - 2).substring(6)).get("usage")
                    .get("completion_tokens").asInt();
            assertThat(completion).isLessThan(240);
        } finally {
            f.post("/resume", "", AUTH);
        }
    }

    @Test
    void pauseKeepFreezesUntilResumeAndIsPausedSaysSo() throws Exception {
        HttpResponse<String> paused = f.post("/pause?mode=keep", "", AUTH);
        assertThat(paused.statusCode()).isEqualTo(200);
        assertThat(ServerFixture.json(paused.body()).get("mode").asText()).isEqualTo("keep");
        assertThat(ServerFixture.json(f.get("/is_paused", AUTH).body()).get("is_paused").asBoolean()).isTrue();
        CompletableFuture<HttpResponse<String>> held = f.http.sendAsync(HttpRequest.newBuilder(f.uri("/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"wait\",\"max_tokens\":2}")).build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(200);
        assertThat(held).isNotDone();
        assertThat(f.post("/resume", "", AUTH).statusCode()).isEqualTo(200);
        assertThat(held.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(ServerFixture.json(f.get("/is_paused", AUTH).body()).get("is_paused").asBoolean()).isFalse();
    }
}
