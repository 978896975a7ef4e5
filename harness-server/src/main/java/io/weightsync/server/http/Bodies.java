package io.weightsync.server.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;

/** Request bodies in, JSON answers out. */
final class Bodies {

    /**
     * Anything after the JSON value is an error, as with Python's json.loads (vLLM): by default
     * Jackson reads the first value and ignores the rest, so {@code {...} garbage} or two bodies
     * glued together were served as the first one.
     */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    private Bodies() {}

    /** @throws ApiError 400 when the body is absent or not JSON */
    static JsonNode json(RoutingContext ctx) {
        Buffer body = ctx.body().buffer();
        if (body == null || body.length() == 0) {
            throw ApiError.badRequest("request body is required (JSON)");
        }
        try {
            JsonNode node = JSON.readTree(body.getBytes());
            if (node == null || node.isMissingNode()) {
                throw ApiError.badRequest("request body is required (JSON)");
            }
            return node;
        } catch (JacksonException e) {
            throw ApiError.badRequest("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiError.badRequest("unreadable body: " + e.getMessage());
        }
    }

    static void sendJson(RoutingContext ctx, int status, String json) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(json);
    }
}
