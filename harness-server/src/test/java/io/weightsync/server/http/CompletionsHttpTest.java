package io.weightsync.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.Dispatcher;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OpenAI-compatible completions over real loopback HTTP: shapes, usage, finish reasons, concurrency, disconnects. */
class CompletionsHttpTest {

    private static final MediaType JSON_TYPE = MediaType.get("application/json");

    @TempDir
    static Path root;
    static ServerFixture f;
    static OkHttpClient okhttp;

    @BeforeAll
    static void start() throws Exception {
        f = new ServerFixture(root, 64, o -> o);
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(256);
        dispatcher.setMaxRequestsPerHost(256); // the default 5 would queue streams in the client
        okhttp = new OkHttpClient.Builder().dispatcher(dispatcher).readTimeout(30, TimeUnit.SECONDS).build();
    }

    @AfterAll
    static void stop() {
        okhttp.dispatcher().executorService().shutdown();
        okhttp.connectionPool().evictAll();
        f.close();
    }

    @Test
    void nonStreamingCompletionHasOpenAiShapeAndUsage() throws Exception {
        HttpResponse<String> r = f.post("/v1/completions",
                "{\"model\":\"tiny\",\"prompt\":\"hello\",\"max_tokens\":5,\"temperature\":0,\"ignore_eos\":true}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode b = ServerFixture.json(r.body());
        assertThat(b.get("id").asText()).startsWith("cmpl-");
        assertThat(b.get("object").asText()).isEqualTo("text_completion");
        assertThat(b.get("created").asLong()).isPositive();
        assertThat(b.get("model").asText()).isEqualTo("tiny");
        JsonNode choice = b.get("choices").get(0);
        assertThat(choice.get("index").asInt()).isZero();
        assertThat(choice.get("text").isTextual()).isTrue();
        assertThat(choice.get("logprobs").isNull()).isTrue();
        assertThat(choice.get("finish_reason").asText()).isEqualTo("length");
        // "hello" is 5 bytes plus BOS
        assertThat(b.get("usage").get("prompt_tokens").asInt()).isEqualTo(6);
        assertThat(b.get("usage").get("completion_tokens").asInt()).isEqualTo(5);
        assertThat(b.get("usage").get("total_tokens").asInt()).isEqualTo(11);
    }

    @Test
    void omittedModelIsTheServedOne() throws Exception {
        HttpResponse<String> r = f.post("/v1/completions", "{\"prompt\":\"hi\",\"max_tokens\":2}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(ServerFixture.json(r.body()).get("model").asText()).isEqualTo("tiny");
    }

    @Test
    void streamingCompletionSendsChunksThenFinishThenUsageThenDone() throws Exception {
        List<String> data = f.sse("/v1/completions", "{\"prompt\":\"hello\",\"max_tokens\":8,\"stream\":true,"
                + "\"ignore_eos\":true,\"stream_options\":{\"include_usage\":true}}");
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        JsonNode usage = ServerFixture.json(data.get(data.size() - 2));
        assertThat(usage.get("choices")).isEmpty();
        assertThat(usage.get("usage").get("completion_tokens").asInt()).isEqualTo(8);
        assertThat(usage.get("usage").get("prompt_tokens").asInt()).isEqualTo(6);
        JsonNode finish = ServerFixture.json(data.get(data.size() - 3));
        assertThat(finish.get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");
        String id = finish.get("id").asText();
        for (String chunk : data.subList(0, data.size() - 3)) {
            JsonNode c = ServerFixture.json(chunk);
            assertThat(c.get("id").asText()).isEqualTo(id);
            assertThat(c.get("object").asText()).isEqualTo("text_completion");
            assertThat(c.get("model").asText()).isEqualTo("tiny");
            assertThat(c.get("choices").get(0).get("text").isTextual()).isTrue();
            assertThat(c.get("choices").get(0).get("logprobs").isNull()).isTrue();
            assertThat(c.get("choices").get(0).get("finish_reason").isNull()).isTrue();
        }
    }

    @Test
    void streamWithoutIncludeUsageHasNoUsageChunk() throws Exception {
        List<String> data = f.sse("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":3,\"stream\":true,\"ignore_eos\":true}");
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        for (String chunk : data.subList(0, data.size() - 1)) {
            assertThat(ServerFixture.json(chunk).get("choices")).isNotEmpty();
            assertThat(ServerFixture.json(chunk).has("usage")).isFalse();
        }
    }

    @Test
    void chatStreamOpensWithAssistantRoleAndEndsWithDone() throws Exception {
        List<String> data = f.sse("/v1/chat/completions", "{\"model\":\"tiny\",\"messages\":[{\"role\":\"system\","
                + "\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":4,\"stream\":true,"
                + "\"ignore_eos\":true,\"stream_options\":{\"include_usage\":true}}");
        JsonNode first = ServerFixture.json(data.get(0));
        assertThat(first.get("object").asText()).isEqualTo("chat.completion.chunk");
        assertThat(first.get("id").asText()).startsWith("chatcmpl-");
        assertThat(first.get("choices").get(0).get("delta").get("role").asText()).isEqualTo("assistant");
        JsonNode finish = ServerFixture.json(data.get(data.size() - 3));
        assertThat(finish.get("choices").get(0).get("delta").isEmpty()).isTrue();
        assertThat(finish.get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");
        // "<|system|>\nbe brief\n<|user|>\nhi\n<|assistant|>\n" is 46 bytes, plus BOS
        JsonNode usage = ServerFixture.json(data.get(data.size() - 2)).get("usage");
        assertThat(usage.get("prompt_tokens").asInt()).isEqualTo(47);
        assertThat(usage.get("completion_tokens").asInt()).isEqualTo(4);
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
    }

    @Test
    void nonStreamingChatAnswersWithAnAssistantMessage() throws Exception {
        HttpResponse<String> r = f.post("/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}],\"max_tokens\":3}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode b = ServerFixture.json(r.body());
        assertThat(b.get("object").asText()).isEqualTo("chat.completion");
        assertThat(b.get("choices").get(0).get("message").get("role").asText()).isEqualTo("assistant");
        assertThat(b.get("choices").get(0).get("message").get("content").isTextual()).isTrue();
        assertThat(b.get("choices").get(0).get("finish_reason").asText()).isIn("stop", "length");
        assertThat(b.get("usage").get("completion_tokens").asInt()).isBetween(1, 3);
    }

    @Test
    void stopStringEndsTheCompletionWithStop() throws Exception {
        // greedy output of the same prompt is fixed: learn it, then stop on a piece of it
        String first = ServerFixture.json(f.post("/v1/completions",
                "{\"prompt\":\"abc\",\"max_tokens\":12,\"temperature\":0,\"ignore_eos\":true}").body())
                .get("choices").get(0).get("text").asText();
        String stop = first.codePoints().filter(c -> c > 32 && c < 127).limit(1)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        org.junit.jupiter.api.Assumptions.assumeTrue(!stop.isEmpty(), "greedy output has no printable ASCII");
        JsonNode b = ServerFixture.json(f.post("/v1/completions", "{\"prompt\":\"abc\",\"max_tokens\":12,"
                + "\"temperature\":0,\"ignore_eos\":true,\"stop\":" + OpenAiShapes.quote(stop) + "}").body());
        assertThat(b.get("choices").get(0).get("finish_reason").asText()).isEqualTo("stop");
        assertThat(b.get("choices").get(0).get("text").asText()).doesNotContain(stop);
    }

    @Test
    void bodyIsReadAsJsonWhateverTheContentType() throws Exception {
        // curl -d sends application/x-www-form-urlencoded; OpenAI clients send application/json
        HttpResponse<String> r = f.post("/v1/completions", "{\"prompt\":\"a=b&c\",\"max_tokens\":2}",
                "Content-Type", "application/x-www-form-urlencoded");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(ServerFixture.json(r.body()).get("usage").get("prompt_tokens").asInt()).isEqualTo(6);
    }

    @Test
    void modelsListsTheServedModel() throws Exception {
        JsonNode b = ServerFixture.json(f.get("/v1/models").body());
        assertThat(b.get("object").asText()).isEqualTo("list");
        assertThat(b.get("data")).hasSize(1);
        assertThat(b.get("data").get(0).get("id").asText()).isEqualTo("tiny");
        assertThat(b.get("data").get(0).get("object").asText()).isEqualTo("model");
    }

    @Test
    void healthAndMetricsAnswer() throws Exception {
        f.post("/v1/completions", "{\"prompt\":\"m\",\"max_tokens\":2}");
        assertThat(f.get("/health").statusCode()).isEqualTo(200);
        HttpResponse<String> m = f.get("/metrics");
        assertThat(m.statusCode()).isEqualTo(200);
        assertThat(m.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(m.body()).contains("harness_num_requests_running ", "harness_num_requests_waiting ",
                "harness_generation_tokens_total ", "harness_step_duration_seconds_bucket",
                "harness_weight_updates_total ", "harness_weight_update_duration_seconds",
                "harness_weight_step 0", "harness_requests_finished_total{finished_reason=");
        // what ./harness soak samples: the engine's arrays and the process's own resources
        assertThat(m.body()).containsPattern("(?m)^harness_ndarrays [1-9]")
                .containsPattern("(?m)^process_resident_memory_bytes [1-9]")
                .containsPattern("(?m)^harness_rss_anon_bytes [1-9]")
                .containsPattern("(?m)^harness_malloc_in_use_bytes [1-9]")
                .containsPattern("(?m)^process_open_fds [1-9]")
                .containsPattern("(?m)^jvm_memory_used_bytes\\{area=\"heap\"} [1-9]")
                .containsPattern("(?m)^jvm_threads_current [1-9]");
    }

    @Test
    void traceIdIsEchoedOrMade() throws Exception {
        HttpResponse<String> given = f.get("/health", "X-Trace-Id", "00000000000000ab");
        assertThat(given.headers().firstValue("X-Trace-Id")).hasValue("00000000000000ab");
        HttpResponse<String> made = f.get("/health");
        assertThat(made.headers().firstValue("X-Trace-Id").orElseThrow()).matches("[0-9a-f]{16}");
    }

    @Test
    void sixtyFourConcurrentOkHttpStreamsAllFinishWithTheirTokens() throws Exception {
        int streams = 64;
        CountDownLatch done = new CountDownLatch(streams);
        List<CompletableFuture<Integer>> usage = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            CompletableFuture<Integer> tokens = new CompletableFuture<>();
            usage.add(tokens);
            Request request = new Request.Builder().url(f.server.baseUrl() + "/v1/completions")
                    .post(RequestBody.create("{\"prompt\":\"stream " + i + "\",\"max_tokens\":" + (4 + i % 8)
                            + ",\"stream\":true,\"ignore_eos\":true,\"stream_options\":{\"include_usage\":true}}", JSON_TYPE))
                    .build();
            EventSources.createFactory(okhttp).newEventSource(request, new EventSourceListener() {
                int completion = -1;

                @Override
                public void onEvent(EventSource source, String id, String type, String data) {
                    if (data.contains("\"usage\"")) {
                        try {
                            completion = ServerFixture.json(data).get("usage").get("completion_tokens").asInt();
                        } catch (java.io.IOException e) {
                            tokens.completeExceptionally(e);
                        }
                    }
                    if (data.equals("[DONE]")) {
                        tokens.complete(completion);
                    }
                }

                @Override
                public void onClosed(EventSource source) {
                    tokens.complete(completion);
                    done.countDown();
                }

                @Override
                public void onFailure(EventSource source, Throwable t, Response response) {
                    tokens.completeExceptionally(t != null ? t : new AssertionError("status " + response.code()));
                    done.countDown();
                }
            });
        }
        assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < streams; i++) {
            assertThat(usage.get(i).get()).as("stream %d", i).isEqualTo(4 + i % 8);
        }
        f.awaitEngineIdle(5);
    }

    @Test
    void clientDisconnectMidStreamFreesTheEngineSlot() throws Exception {
        Request request = new Request.Builder().url(f.server.baseUrl() + "/v1/completions")
                .post(RequestBody.create("{\"prompt\":\"long\",\"max_tokens\":240,\"stream\":true,\"ignore_eos\":true}",
                        JSON_TYPE))
                .build();
        CountDownLatch firstChunk = new CountDownLatch(1);
        EventSource source = EventSources.createFactory(okhttp).newEventSource(request, new EventSourceListener() {
            @Override
            public void onEvent(EventSource s, String id, String type, String data) {
                firstChunk.countDown();
            }
        });
        assertThat(firstChunk.await(30, TimeUnit.SECONDS)).isTrue();
        long generatedBefore = f.engine.stats().generatedTokens();
        source.cancel();
        f.awaitEngineIdle(10);
        // freed early: far fewer than the 240 tokens asked for were generated after the cancel
        assertThat(f.engine.stats().generatedTokens() - generatedBefore).isLessThan(200);
        // the finish is counted when the abort reaches the response's event loop, which may be just after
        // the engine freed the slot: wait for it (bounded) rather than race it
        String abort = "harness_requests_finished_total{finished_reason=\"abort\"}";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        String metrics = f.get("/metrics").body();
        while (!metrics.contains(abort) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            metrics = f.get("/metrics").body();
        }
        assertThat(metrics).contains(abort);
    }
}
