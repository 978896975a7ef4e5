package io.weightsync.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/** The model a server serves, as OpenAI clients pick one: the first entry of {@code GET /v1/models}. */
public final class ServedModel {

    private ServedModel() {}

    /**
     * Also the first contact with a server: an unreachable one fails here, with one line.
     *
     * @throws IOException "cannot reach URL: why", or which answer was not a model list
     */
    public static String first(HttpUrl baseUrl) throws IOException {
        OkHttpClient client = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(10)).build();
        Request request = new Request.Builder().url(baseUrl.newBuilder().addPathSegments("v1/models").build()).build();
        try (Response r = client.newCall(request).execute()) {
            if (r.code() != 200 || r.body() == null) {
                throw new IOException(request.url() + " answered " + r.code() + "; pass --model NAME");
            }
            JsonNode models = new ObjectMapper().readTree(r.body().string()).path("data");
            if (!models.isArray() || models.isEmpty() || !models.get(0).path("id").isTextual()) {
                throw new IOException(request.url() + " lists no model; pass --model NAME");
            }
            return models.get(0).get("id").asText();
        } catch (IOException e) {
            throw new IOException("cannot reach " + baseUrl + ": " + e.getMessage(), e);
        } finally {
            HttpClients.shutdown(client);
        }
    }
}
