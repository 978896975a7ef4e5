package io.weightsync.server.http;

import io.vertx.ext.web.RoutingContext;
import io.weightsync.core.events.WeightsEvent;
import io.weightsync.core.trace.TraceId;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler every request meets, before its body is read or it is routed to an endpoint:
 * it takes the arrival time, the trace id ({@code X-Trace-Id}, or a fresh one), echoes the id on the
 * response, refuses a path that cannot be decoded or a body whose length cannot be known, and for
 * admin paths writes the {@code server.recv} line. The gap between the client's {@code client.send}
 * and this line is the time the request spent queued outside the handlers.
 */
final class FirstHandler {

    private static final Logger log = LoggerFactory.getLogger(FirstHandler.class);
    static final String TRACE_HEADER = "X-Trace-Id";
    static final Set<String> ADMIN_PATHS =
            Set.of("/update_weights", "/reload_weights", "/pause", "/resume", "/is_paused");
    private static final String TRACE = "harness.trace";
    private static final String RECV_NANOS = "harness.recvNanos";

    private FirstHandler() {}

    static void handle(RoutingContext ctx) {
        long recvNanos = System.nanoTime();
        long recvEpochMillis = System.currentTimeMillis();
        String header = ctx.request().getHeader(TRACE_HEADER);
        TraceId trace = TraceId.isValid(header) ? TraceId.parse(header) : TraceId.random();
        ctx.put(TRACE, trace);
        ctx.put(RECV_NANOS, recvNanos);
        ctx.response().putHeader(TRACE_HEADER, trace.toString());
        if (ctx.request().version() == null) {
            // the request line's protocol is neither HTTP/1.0 nor HTTP/1.1: answer, then close, since
            // how its body (if any) is framed is unknown
            ctx.response().putHeader("Connection", "close");
            ctx.response().endHandler(v -> ctx.request().connection().close());
            ctx.fail(ApiError.badRequest("the request line's protocol is not HTTP/1.1 or HTTP/1.0"));
            return;
        }
        try {
            ctx.normalizedPath();
        } catch (IllegalArgumentException e) {
            // a malformed %-escape in the path: the client's mistake, not an error of every handler
            // that asks for the path after this one
            ctx.fail(ApiError.badRequest("malformed path '" + ctx.request().path() + "': " + e.getMessage()));
            return;
        }
        String transferEncoding = ctx.request().getHeader("Transfer-Encoding");
        if (transferEncoding != null && !transferEncoding.strip().toLowerCase(Locale.ROOT).endsWith("chunked")) {
            // RFC 9112 6.3: a request whose last transfer coding is not chunked has a body of unknown
            // length; the server must answer 400 and close (Netty would read the body to the end of
            // the connection, and the client, waiting for an answer, would never end it)
            ctx.response().putHeader("Connection", "close");
            ctx.fail(ApiError.badRequest("Transfer-Encoding '" + transferEncoding
                    + "' does not end with chunked: the body's length is unknown"));
            return;
        }
        if (isAdmin(ctx)) {
            log.info(new WeightsEvent.ServerRecv(trace, recvEpochMillis).toLine());
        }
        ctx.next();
    }

    private static boolean isAdmin(RoutingContext ctx) {
        return ADMIN_PATHS.contains(ctx.normalizedPath());
    }

    static TraceId trace(RoutingContext ctx) {
        return ctx.get(TRACE);
    }

    static long recvNanos(RoutingContext ctx) {
        Long nanos = ctx.get(RECV_NANOS);
        return nanos == null ? System.nanoTime() : nanos;
    }
}
