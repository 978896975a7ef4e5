package io.weightsync.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A fixed set of greedy SSE completions (temperature 0, fixed seed, ignore_eos) run against a
 * fixture's server: the same prompts every time, so the texts of two runs are comparable token for
 * token. {@link #start} returns once every stream is decoding in the engine's batch.
 */
final class GreedyStreams {

    /** What one stream delivered. */
    record Outcome(String text, String finishReason, int completionTokens, boolean done) {}

    private final ServerFixture f;
    private final List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();

    private GreedyStreams(ServerFixture f) {
        this.f = f;
    }

    /** Opens {@code count} streams and waits (bounded) until all of them are in the running batch. */
    static GreedyStreams start(ServerFixture f, int count, int maxTokens) throws InterruptedException {
        GreedyStreams streams = new GreedyStreams(f);
        for (int i = 0; i < count; i++) {
            String body = "{\"prompt\":\"greedy stream " + i + " under a weight update\",\"max_tokens\":" + maxTokens
                    + ",\"temperature\":0,\"seed\":7,\"ignore_eos\":true,\"stream\":true,"
                    + "\"stream_options\":{\"include_usage\":true}}";
            streams.responses.add(f.http.sendAsync(HttpRequest.newBuilder(f.uri("/v1/completions"))
                    .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (f.engine.stats().running() < count && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(f.engine.stats().running()).as("streams decoding before the fault is sent").isEqualTo(count);
        return streams;
    }

    /** Runs the streams to their end with nothing else happening: the texts a fault must not change. */
    static List<Outcome> reference(ServerFixture f, int count, int maxTokens) throws Exception {
        List<Outcome> outcomes = start(f, count, maxTokens).await();
        for (Outcome o : outcomes) {
            assertThat(o.completionTokens()).isEqualTo(maxTokens);
        }
        return outcomes;
    }

    /** How many streams have not ended yet. */
    long stillOpen() {
        return responses.stream().filter(r -> !r.isDone()).count();
    }

    /** Waits for every stream to end and parses what it sent. */
    List<Outcome> await() throws Exception {
        List<Outcome> outcomes = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> r : responses) {
            HttpResponse<String> response = r.get(60, TimeUnit.SECONDS);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            outcomes.add(parse(response.body()));
        }
        f.awaitEngineIdle(10);
        return outcomes;
    }

    /** Streams that ended with finish_reason length, all their tokens, [DONE], and the reference text. */
    static int intact(List<Outcome> outcomes, List<Outcome> reference, int maxTokens) {
        int intact = 0;
        for (int i = 0; i < outcomes.size(); i++) {
            Outcome o = outcomes.get(i);
            if (o.done() && "length".equals(o.finishReason()) && o.completionTokens() == maxTokens
                    && (reference == null || o.text().equals(reference.get(i).text()))) {
                intact++;
            }
        }
        return intact;
    }

    private static Outcome parse(String sse) throws Exception {
        StringBuilder text = new StringBuilder();
        String finish = null;
        int tokens = -1;
        boolean done = false;
        for (String line : sse.split("\n")) {
            if (!line.startsWith("data: ")) {
                continue;
            }
            String data = line.substring("data: ".length());
            if (data.equals("[DONE]")) {
                done = true;
                continue;
            }
            JsonNode chunk = ServerFixture.json(data);
            if (chunk.has("usage")) {
                tokens = chunk.get("usage").get("completion_tokens").asInt();
            }
            for (JsonNode choice : chunk.get("choices")) {
                text.append(choice.get("text").asText());
                if (!choice.get("finish_reason").isNull()) {
                    finish = choice.get("finish_reason").asText();
                }
            }
        }
        return new Outcome(text.toString(), finish, tokens, done);
    }
}
