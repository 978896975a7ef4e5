package io.weightsync.server.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * One streaming completion read line by line with the JDK client, each token chunk timed on
 * arrival: the reader a well-behaved OpenAI client is, beside the misbehaving ones a test sets loose.
 */
final class TimedStream {

    private TimedStream() {}

    /**
     * @param status the HTTP status
     * @param errorBody the body of a refused request; empty when admitted
     * @param ttftMicros request sent to first token chunk; -1 without one
     * @param endMicros request sent to the end of the response: for a refusal, how long it took
     * @param tokenChunks token chunks received
     * @param completionTokens usage.completion_tokens of the last chunk before [DONE]; -1 when absent
     * @param finishReason of the finish chunk; null when absent
     * @param done the stream ended with {@code data: [DONE]}
     */
    record Result(int status, String errorBody, long ttftMicros, long endMicros, int tokenChunks,
            int completionTokens, String finishReason, boolean done) {

        /** Admitted and finished normally with exactly {@code maxTokens} tokens. */
        boolean completeWith(int maxTokens) {
            return status == 200 && done && "length".equals(finishReason) && completionTokens == maxTokens;
        }
    }

    /** The body of a greedy, EOS-ignoring stream of exactly {@code maxTokens} tokens with a usage chunk. */
    static String greedyBody(String prompt, int maxTokens) {
        return "{\"prompt\":" + OpenAiShapes.quote(prompt) + ",\"max_tokens\":" + maxTokens + ",\"temperature\":0,"
                + "\"stream\":true,\"ignore_eos\":true,\"stream_options\":{\"include_usage\":true}}";
    }

    /**
     * Sends {@code body} to /v1/completions and reads the stream to its end.
     *
     * @param gapMicros gets the time between two consecutive token chunks as each arrives, microseconds
     */
    static Result run(ServerFixture f, String body, Duration timeout, LongConsumer gapMicros)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(f.uri("/v1/completions")).timeout(timeout)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long sentNanos = System.nanoTime();
        HttpResponse<Stream<String>> response = f.http.send(request, HttpResponse.BodyHandlers.ofLines());
        try (Stream<String> lines = response.body()) {
            if (response.statusCode() != 200) {
                String error = String.join("\n", lines.toList());
                return new Result(response.statusCode(), error, -1, (System.nanoTime() - sentNanos) / 1000,
                        0, -1, null, false);
            }
            int tokenChunks = 0;
            long ttftMicros = -1;
            long lastTokenNanos = 0;
            int completionTokens = -1;
            String finishReason = null;
            boolean done = false;
            for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
                String line = it.next();
                if (!line.startsWith("data: ")) {
                    continue;
                }
                long nowNanos = System.nanoTime();
                if (line.equals("data: [DONE]")) {
                    done = true;
                } else if (line.contains("\"usage\"")) {
                    completionTokens = ServerFixture.json(line.substring(6)).get("usage").get("completion_tokens").asInt();
                } else if (line.contains("\"finish_reason\":null")) {
                    if (tokenChunks++ == 0) {
                        ttftMicros = (nowNanos - sentNanos) / 1000;
                    } else {
                        gapMicros.accept((nowNanos - lastTokenNanos) / 1000);
                    }
                    lastTokenNanos = nowNanos;
                } else {
                    finishReason = ServerFixture.json(line.substring(6)).get("choices").get(0).get("finish_reason").asText();
                }
            }
            return new Result(200, "", ttftMicros, (System.nanoTime() - sentNanos) / 1000, tokenChunks,
                    completionTokens,
                    finishReason, done);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
