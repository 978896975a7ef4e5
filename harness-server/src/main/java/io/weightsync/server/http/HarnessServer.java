package io.weightsync.server.http;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.weightsync.server.engine.Engine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP front end of {@code ./harness serve}: OpenAI-compatible completions over an
 * {@link Engine}, prime-rl's admin endpoints, /health and /metrics, on one Vert.x event loop.
 *
 * <p>Every request passes, in this order: {@link FirstHandler} (arrival time, trace id,
 * {@code server.recv}), the admission limit, the admin token check, the body reader (size-limited),
 * then its endpoint. All of it is declared in {@link #routes()}. A request Netty cannot decode
 * reaches none of them: {@link #handleUndecodableRequest} answers it.
 */
public final class HarnessServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HarnessServer.class);
    /**
     * Kernel send buffer per connection. Fixed rather than autotuned (which may grow to MiBs): SSE
     * streams need little bandwidth, and a client that stops reading then holds at most this much
     * in the kernel, so its backlog reaches the per-stream bound and it is disconnected.
     */
    static final int SEND_BUFFER_BYTES = 64 * 1024;
    /** Set on a request while its body is read. */
    private static final String READING_BODY = "harness.readingBody";

    private final Engine engine;
    private final ServerOptions options;
    private final ServerMetrics metrics;
    private final CompletionHandlers completions;
    private final AdminHandlers admin;
    /** Requests in flight that count against --max-concurrent-requests. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private final byte[] adminTokenBytes;
    private Vertx vertx;
    private HttpServer server;

    public HarnessServer(Engine engine, ServerOptions options) {
        this.engine = engine;
        this.options = options;
        this.metrics = new ServerMetrics(engine);
        this.completions = new CompletionHandlers(engine, options, metrics);
        this.admin = new AdminHandlers(engine, new WeightDirPolicy(options.weightsRoot()), metrics);
        this.adminTokenBytes = options.adminToken() == null ? null
                : ("Bearer " + options.adminToken()).getBytes(StandardCharsets.UTF_8);
    }

    /** Binds and returns once the server listens. */
    public HarnessServer start() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer(new HttpServerOptions()
                .setHost(options.host())
                .setPort(options.port())
                .setTcpNoDelay(true)
                .setSendBufferSize(SEND_BUFFER_BYTES)
                // HTTP/1.1 only, as vLLM's uvicorn serves: one stream per connection, so a client's
                // connection pool is what queues requests (the effect the harness measures)
                .setHttp2ClearTextEnabled(false)
                .setIdleTimeout(0));
        server.requestHandler(routes());
        server.invalidRequestHandler(this::handleUndecodableRequest);
        // No WebSocket is served: every upgrade is refused. Setting a handshake handler also makes
        // Vert.x hand a request line with an unknown protocol ("HTTP/2.0" without the h2c preface,
        // "FOO/1.1") to the router instead of answering a bodiless 501 itself, so it gets the same
        // JSON 400 as any other client mistake (FirstHandler).
        server.webSocketHandshakeHandler(handshake -> handshake.reject(400));
        server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        log.info("harness server listening on {} (model {}, admin token {}, weights root {}, max concurrent {})",
                baseUrl(), options.servedModelName(), adminTokenBytes == null ? "off" : "on",
                options.weightsRoot() == null ? "any" : options.weightsRoot(),
                options.maxConcurrentRequests() == 0 ? "unlimited" : options.maxConcurrentRequests());
        return this;
    }

    /** Every route, in the order a request meets them. */
    private Router routes() {
        Router router = Router.router(vertx);
        router.route().handler(FirstHandler::handle);
        router.route().handler(this::handleAdmission);
        // The token check sits on each admin path, so the router's own matching decides which
        // requests it guards: any spelling the router dispatches to an admin endpoint (Vert.x ignores
        // one trailing slash, so "/update_weights/" reaches it) meets the check first. A check on the
        // path string let "POST /update_weights/" update the weights without a token.
        for (String adminPath : FirstHandler.ADMIN_PATHS) {
            router.route(adminPath).handler(this::handleAdminAuth);
        }
        // a failure between these two marks comes from reading the body: the client's (handleFailure)
        router.route().handler(ctx -> {
            ctx.put(READING_BODY, Boolean.TRUE);
            ctx.next();
        });
        router.route().handler(BodyHandler.create(false).setBodyLimit(options.maxBodyBytes()));
        router.route().handler(ctx -> {
            ctx.remove(READING_BODY);
            ctx.next();
        });

        router.post("/v1/completions").handler(completions::handleCompletions);
        router.post("/v1/chat/completions").handler(completions::handleChatCompletions);
        router.get("/v1/models").handler(completions::handleModels);
        router.get("/health").handler(this::handleHealth);
        router.get("/metrics").handler(this::handleMetrics);

        router.post("/update_weights").handler(admin::handleUpdateWeights);
        router.post("/reload_weights").handler(admin::handleReloadWeights);
        router.post("/pause").handler(admin::handlePause);
        router.post("/resume").handler(admin::handleResume);
        router.get("/is_paused").handler(admin::handleIsPaused);

        router.route().failureHandler(this::handleFailure);
        router.errorHandler(404, ctx -> sendError(ctx, ApiError.notFound("no route for " + ctx.request().method()
                + " " + ctx.request().path())));
        router.errorHandler(405, ctx -> sendError(ctx, new ApiError(405, "MethodNotAllowed",
                "method " + ctx.request().method() + " is not allowed on " + ctx.request().path())));
        return router;
    }

    /**
     * {@code --max-concurrent-requests}: like uvicorn's limit, a request over the limit is refused at
     * once with 503, so a deliberate server-side limit shows up as errors, never as a hidden queue or
     * unbounded memory. /health and /metrics are always answered.
     */
    private void handleAdmission(RoutingContext ctx) {
        int limit = options.maxConcurrentRequests();
        String path = ctx.normalizedPath();
        if (limit == 0 || path.equals("/health") || path.equals("/metrics")) {
            ctx.next();
            return;
        }
        if (inFlight.incrementAndGet() > limit) {
            inFlight.decrementAndGet();
            metrics.rejected();
            sendError(ctx, ApiError.overloaded("server is at --max-concurrent-requests " + limit
                    + "; retry later"));
            return;
        }
        ctx.addEndHandler(v -> inFlight.decrementAndGet());
        ctx.next();
    }

    /** With {@code --admin-token}, admin endpoints need {@code Authorization: Bearer <token>}. */
    private void handleAdminAuth(RoutingContext ctx) {
        if (adminTokenBytes == null) {
            ctx.next();
            return;
        }
        String given = ctx.request().getHeader("Authorization");
        boolean ok = given != null
                && MessageDigest.isEqual(adminTokenBytes, given.getBytes(StandardCharsets.UTF_8));
        if (!ok) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            sendError(ctx, ApiError.unauthorized(given == null
                    ? "admin endpoint: Authorization: Bearer <token> is required"
                    : "admin endpoint: the bearer token is wrong"));
            return;
        }
        ctx.next();
    }

    private void handleHealth(RoutingContext ctx) {
        ctx.response().setStatusCode(200).end();
    }

    private void handleMetrics(RoutingContext ctx) {
        ctx.response().putHeader("Content-Type", metrics.contentType())
                .end(io.vertx.core.buffer.Buffer.buffer(metrics.scrape()));
    }

    /** Thrown {@link ApiError}s and failed status codes become JSON errors; anything else is a 500. */
    private void handleFailure(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        ApiError error;
        if (failure instanceof ApiError api) {
            error = api;
        } else if (ctx.statusCode() == 413) {
            error = ApiError.tooLarge("request body is larger than " + options.maxBodyBytes() + " bytes");
        } else if (Boolean.TRUE.equals(ctx.get(READING_BODY))) {
            // the body could not be read: broken chunked framing (Netty's decoder) or the client
            // closed mid-body; the client's doing, whether or not it is still there to be told
            error = ApiError.badRequest("request body could not be read: " + failure);
        } else if (failure == null && ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
            error = new ApiError(ctx.statusCode(), "BadRequestError", "request refused ("
                    + ctx.statusCode() + ")");
        } else {
            log.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
            error = ApiError.internal("internal error: " + (failure == null ? "status " + ctx.statusCode()
                    : failure.getClass().getSimpleName() + ": " + failure.getMessage()));
        }
        sendError(ctx, error);
    }

    /**
     * A request Netty could not decode (a malformed request line, header or Content-Length; an
     * overlong URI or header): Vert.x's default handler answers these with the right status and no
     * body; this one answers the same status with the JSON error every other client mistake gets,
     * then closes the connection as the default does (where the next request starts is unknown).
     */
    private void handleUndecodableRequest(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        ApiError error;
        if (cause instanceof TooLongHttpLineException) {
            error = new ApiError(414, "URITooLong", "request line too long: " + cause.getMessage());
        } else if (cause instanceof TooLongHttpHeaderException) {
            error = new ApiError(431, "RequestHeaderFieldsTooLarge", "request headers too large: " + cause.getMessage());
        } else {
            error = ApiError.badRequest("malformed HTTP request: " + (cause == null ? "undecodable"
                    : cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName()));
        }
        request.response().setStatusCode(error.status).putHeader("Content-Type", "application/json").end(error.toJson());
        request.connection().close();
    }

    private static void sendError(RoutingContext ctx, ApiError error) {
        if (ctx.response().headWritten()) {
            ctx.response().reset();
            return;
        }
        Bodies.sendJson(ctx, error.status, error.toJson());
    }

    public int port() {
        return server.actualPort();
    }

    public String baseUrl() {
        return "http://" + options.host() + ":" + port();
    }

    public Engine engine() {
        return engine;
    }

    /**
     * The server-side overhead of every admin request to {@code path} so far (server.recv to
     * response, minus the engine call), in microseconds: the values behind
     * {@code harness_admin_overhead_seconds}, unbucketed. A copy; empty when none was answered.
     */
    public org.HdrHistogram.Histogram adminOverheadMicros(String path) {
        return metrics.adminOverheadMicros(path);
    }

    /** Stops listening and closes every connection; the engine is the caller's to close. */
    @Override
    public void close() {
        if (vertx != null) {
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.warn("vert.x did not close cleanly: {}", e.toString());
            }
            vertx = null;
        }
    }
}
