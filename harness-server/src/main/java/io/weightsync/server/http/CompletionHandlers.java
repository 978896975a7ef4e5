package io.weightsync.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.weightsync.server.engine.Engine;
import io.weightsync.server.engine.GenerationRequest;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code /v1/completions}, {@code /v1/chat/completions} and {@code /v1/models}. A completion is
 * parsed and validated on the event loop, submitted to the engine, and answered by a
 * {@link StreamingSink} or {@link BufferedSink}; a client that disconnects cancels its request.
 */
final class CompletionHandlers {

    private final Engine engine;
    private final ServerOptions options;
    private final ServerMetrics metrics;
    private final long startedSeconds = System.currentTimeMillis() / 1000;
    private final StreamWriter.PerLoop writers = new StreamWriter.PerLoop();

    CompletionHandlers(Engine engine, ServerOptions options, ServerMetrics metrics) {
        this.engine = engine;
        this.options = options;
        this.metrics = metrics;
    }

    void handleCompletions(RoutingContext ctx) {
        complete(ctx, false);
    }

    void handleChatCompletions(RoutingContext ctx) {
        complete(ctx, true);
    }

    /** The one served model, in OpenAI's list shape. */
    void handleModels(RoutingContext ctx) {
        String name = OpenAiShapes.quote(options.servedModelName());
        Bodies.sendJson(ctx, 200, "{\"object\":\"list\",\"data\":[{\"id\":" + name + ",\"object\":\"model\",\"created\":"
                + startedSeconds + ",\"owned_by\":\"weightsync-harness\",\"root\":" + name + ",\"max_model_len\":"
                + engine.engineConfig().maxContext() + "}]}");
    }

    private void complete(RoutingContext ctx, boolean chat) {
        JsonNode body = Bodies.json(ctx);
        checkModel(body);
        CompletionRequest request = CompletionRequest.parse(body, chat);
        int[] tokens = request.promptTokens() != null
                ? request.promptTokens()
                : engine.tokenizer().encode(request.promptText());
        Context context = ctx.vertx().getOrCreateContext();
        OpenAiShapes shapes = new OpenAiShapes(chat, (chat ? "chatcmpl-" : "cmpl-") + randomHex(),
                System.currentTimeMillis() / 1000, options.servedModelName());
        HttpServerResponse response = ctx.response();
        if (request.stream()) {
            StreamingSink sink = new StreamingSink(writers.of(context), response, ctx.request().connection(), shapes,
                    request.includeUsage(), options.maxPendingChunks(), metrics);
            GenerationRequest generation = new GenerationRequest(shapes.id(), tokens, request.params(), sink);
            sink.attach(generation);
            if (chat) {
                sink.offer(shapes.roleChunk()); // queued before the engine can add a token
            }
            submit(generation, sink::clientGone);
            response.setChunked(true)
                    .putHeader("Content-Type", "text/event-stream")
                    .putHeader("Cache-Control", "no-cache");
            metrics.streamOpened();
            // not response.closeHandler: Vert.x Web routes the response's close through its end handlers
            ctx.addEndHandler(ended -> {
                metrics.streamClosed();
                if (ended.failed()) {
                    sink.clientGone();
                }
            });
            response.writeHead(); // the client knows it is admitted before the first token
        } else {
            BufferedSink sink = new BufferedSink(context, response, shapes, metrics);
            GenerationRequest generation = new GenerationRequest(shapes.id(), tokens, request.params(), sink);
            sink.attach(generation);
            submit(generation, sink::clientGone);
            ctx.addEndHandler(ended -> {
                if (ended.failed()) {
                    sink.clientGone();
                }
            });
        }
    }

    private void submit(GenerationRequest generation, Runnable undo) {
        try {
            engine.submit(generation);
        } catch (IllegalArgumentException e) {
            undo.run();
            throw ApiError.badRequest(e.getMessage());
        }
    }

    /** A request may omit the model or name the served one; any other name is a 404, as in vLLM. */
    private void checkModel(JsonNode body) {
        if (!body.isObject()) {
            throw ApiError.badRequest("request body must be a JSON object");
        }
        JsonNode model = body.get("model");
        if (model == null || model.isNull()) {
            return;
        }
        if (!model.isTextual()) {
            throw ApiError.badRequest("'model' must be a string");
        }
        if (!model.asText().equals(options.servedModelName())) {
            throw ApiError.notFound("The model `" + model.asText() + "` does not exist.");
        }
    }

    private static String randomHex() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }
}
