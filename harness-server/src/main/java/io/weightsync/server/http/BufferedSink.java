package io.weightsync.server.http;

import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import io.weightsync.server.engine.FinishReason;
import io.weightsync.server.engine.GenerationRequest;
import io.weightsync.server.engine.TokenSink;

/** A non-streaming completion: text gathered on the engine thread, one JSON answer on the event loop. */
final class BufferedSink implements TokenSink {

    private final Context context;
    private final HttpServerResponse response;
    private final OpenAiShapes shapes;
    private final ServerMetrics metrics;
    /** Engine thread only until onFinish hands it to the event loop. */
    private final StringBuilder text = new StringBuilder();
    private volatile GenerationRequest request;
    /** Event loop only. */
    private boolean closed;

    BufferedSink(Context context, HttpServerResponse response, OpenAiShapes shapes, ServerMetrics metrics) {
        this.context = context;
        this.response = response;
        this.shapes = shapes;
        this.metrics = metrics;
    }

    void attach(GenerationRequest generation) {
        this.request = generation;
    }

    /** Event loop: the client went away. */
    void clientGone() {
        closed = true;
        GenerationRequest r = request;
        if (r != null) {
            r.cancel();
        }
    }

    @Override
    public void onToken(int tokenId, String piece) {
        text.append(piece);
    }

    @Override
    public void onFinish(FinishReason reason, int promptTokens, int completionTokens) {
        metrics.requestFinished(reason);
        String body = shapes.fullResponse(text.toString(), reason, promptTokens, completionTokens);
        context.runOnContext(v -> {
            if (!closed) {
                closed = true;
                response.putHeader("Content-Type", "application/json").end(body);
            }
        });
    }
}
