package io.weightsync.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Context;
import io.vertx.ext.web.RoutingContext;
import io.weightsync.core.events.WeightsEvent;
import io.weightsync.core.trace.TraceId;
import io.weightsync.server.engine.Engine;
import io.weightsync.server.engine.PauseMode;
import io.weightsync.server.engine.UpdateResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * prime-rl's and vLLM's admin endpoints: weight updates with their {@code rpc.start}/{@code rpc.done}
 * lines around the engine call, pause, resume, is_paused. The engine answers on its own threads;
 * every response is written back on the request's event loop.
 */
final class AdminHandlers {

    private static final Logger log = LoggerFactory.getLogger(AdminHandlers.class);

    private final Engine engine;
    private final WeightDirPolicy weightDirs;
    private final ServerMetrics metrics;

    AdminHandlers(Engine engine, WeightDirPolicy weightDirs, ServerMetrics metrics) {
        this.engine = engine;
        this.weightDirs = weightDirs;
        this.metrics = metrics;
    }

    /** {@code POST /update_weights {"weight_dir": ...}}. */
    void handleUpdateWeights(RoutingContext ctx) {
        JsonNode body = Bodies.json(ctx);
        if (!body.isObject()) {
            throw ApiError.badRequest("request body must be a JSON object with 'weight_dir'");
        }
        JsonNode dir = body.get("weight_dir");
        if (dir == null || !dir.isTextual()) {
            throw ApiError.badRequest("'weight_dir' is required and must be a string");
        }
        Path weightDir = weightDirs.resolve(dir.asText());
        runUpdate(ctx, () -> engine.updateWeights(weightDir));
    }

    /** {@code POST /reload_weights {}}: back to the weights the server started with. */
    void handleReloadWeights(RoutingContext ctx) {
        if (ctx.body().length() > 0 && !Bodies.json(ctx).isObject()) {
            throw ApiError.badRequest("request body must be a JSON object");
        }
        runUpdate(ctx, engine::reloadWeights);
    }

    /** {@code POST /pause?mode=abort|wait|keep}; abort when no mode is given, as vLLM. */
    void handlePause(RoutingContext ctx) {
        PauseMode mode;
        try {
            // decoding the query fails on a bad %-escape: the client's mistake too
            mode = PauseMode.parse(ctx.request().getParam("mode", "abort"));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        answerWhenDone(ctx, engine.pause(mode),
                "{\"status\":\"paused\",\"mode\":\"" + mode.name().toLowerCase(Locale.ROOT) + "\"}");
    }

    /** {@code POST /resume}. */
    void handleResume(RoutingContext ctx) {
        answerWhenDone(ctx, engine.resume(), "{\"status\":\"resumed\"}");
    }

    /** {@code GET /is_paused}. */
    void handleIsPaused(RoutingContext ctx) {
        Bodies.sendJson(ctx, 200, "{\"is_paused\":" + engine.isPaused() + "}");
        recordOverhead(ctx, 0);
    }

    private void answerWhenDone(RoutingContext ctx, CompletableFuture<Void> done, String body) {
        Context context = ctx.vertx().getOrCreateContext();
        done.whenComplete((v, e) -> context.runOnContext(x -> {
            if (e != null) {
                ctx.fail(e);
            } else {
                Bodies.sendJson(ctx, 200, body);
                recordOverhead(ctx, 0);
            }
        }));
    }

    /** Runs one engine update between rpc.start and rpc.done and answers with prime-rl's body. */
    private void runUpdate(RoutingContext ctx, Supplier<CompletableFuture<UpdateResult>> call) {
        TraceId trace = FirstHandler.trace(ctx);
        Context context = ctx.vertx().getOrCreateContext();
        log.info(new WeightsEvent.RpcStart(trace, System.currentTimeMillis()).toLine());
        long startNanos = System.nanoTime();
        call.get().whenComplete((result, error) -> {
            double rpcMillis = (System.nanoTime() - startNanos) / 1e6;
            if (error == null) {
                log.info(new WeightsEvent.RpcDone(trace, System.currentTimeMillis(), rpcMillis).toLine());
            }
            context.runOnContext(v -> {
                if (error != null) {
                    Throwable cause = error instanceof CompletionException && error.getCause() != null
                            ? error.getCause() : error;
                    log.warn("[weights][{}] update refused after {} ms: {}", trace,
                            String.format(Locale.ROOT, "%.1f", rpcMillis), cause.getMessage());
                    ctx.fail(cause instanceof IOException || cause instanceof IllegalArgumentException
                            ? ApiError.badRequest(cause.getMessage()) : cause);
                    return;
                }
                Bodies.sendJson(ctx, 200, updateBody(result, rpcMillis, trace));
                recordOverhead(ctx, rpcMillis);
            });
        });
    }

    private void recordOverhead(RoutingContext ctx, double rpcMillis) {
        double totalMillis = (System.nanoTime() - FirstHandler.recvNanos(ctx)) / 1e6;
        metrics.adminOverhead(ctx.normalizedPath(), Math.max(0, totalMillis - rpcMillis));
    }

    private static String updateBody(UpdateResult r, double rpcMillis, TraceId trace) {
        return String.format(Locale.ROOT,
                "{\"status\":\"ok\",\"step\":%d,\"rpc_ms\":%.3f,\"load_ms\":%.3f,\"swap_ms\":%.3f,\"stall_ms\":%.3f,"
                        + "\"noop\":%b,\"mode\":\"%s\",\"weight_dir\":%s,\"trace_id\":\"%s\"}",
                r.step(), rpcMillis, r.loadMillis(), r.swapMillis(), r.stallMillis(), r.noop(),
                r.mode().name().toLowerCase(Locale.ROOT), OpenAiShapes.quote(r.weightDir()), trace);
    }
}
