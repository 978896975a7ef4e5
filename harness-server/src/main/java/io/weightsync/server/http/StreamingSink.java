package io.weightsync.server.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.impl.ConnectionBase;
import io.weightsync.server.engine.FinishReason;
import io.weightsync.server.engine.GenerationRequest;
import io.weightsync.server.engine.TokenSink;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SSE stream: the engine thread hands chunks over, the request's event loop writes them.
 *
 * <p>The engine never waits here. {@link #onToken} renders a chunk, adds it to a bounded queue and
 * hands its drain, at most once at a time, to its loop's {@link StreamWriter}, which runs it in one
 * of its time slices; the drain writes everything queued as one buffer while the connection's write
 * queue has room, and otherwise waits for its drain handler. A reader that lets
 * {@code maxPendingChunks} pile up is disconnected and its request cancelled, which frees its engine
 * slot at the next step.
 */
final class StreamingSink implements TokenSink {

    private static final Logger log = LoggerFactory.getLogger(StreamingSink.class);
    /**
     * Bytes Vert.x may hold for one response beyond what the socket took before it reports the write
     * queue full (its default is 64 KiB): with thousands of streams, a stalled one holds little.
     */
    static final int WRITE_QUEUE_MAX_BYTES = 16 * 1024;

    private final StreamWriter writer;
    /** {@link #drain()}, made once: handed to the writer every time the stream has chunks. */
    private final Runnable drainTask = this::drain;
    private final HttpServerResponse response;
    /** The client's connection, dropped at once if the reader falls too far behind. */
    private final HttpConnection connection;
    private final OpenAiShapes shapes;
    private final boolean includeUsage;
    private final int maxPendingChunks;
    private final ServerMetrics metrics;
    /** Chunks rendered on the engine thread, not yet written, in order. */
    private final Queue<String> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingCount = new AtomicInteger();
    /** The stream's drain is on the writer's queue and has not started yet: queued at most once at a time. */
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    /** Set once the last chunks ([DONE] included) are queued. */
    private volatile boolean finished;
    /** The reader fell {@code maxPendingChunks} behind. */
    private volatile boolean overflowed;
    private volatile GenerationRequest request;
    /** Event loop only: the response is ended or the connection is gone; nothing more is written. */
    private boolean closed;

    StreamingSink(StreamWriter writer, HttpServerResponse response, HttpConnection connection, OpenAiShapes shapes,
            boolean includeUsage, int maxPendingChunks, ServerMetrics metrics) {
        this.writer = writer;
        this.response = response;
        this.connection = connection;
        this.shapes = shapes;
        this.includeUsage = includeUsage;
        this.maxPendingChunks = maxPendingChunks;
        this.metrics = metrics;
        response.setWriteQueueMaxSize(WRITE_QUEUE_MAX_BYTES);
    }

    /** Called on the event loop once the request exists, before it is submitted. */
    void attach(GenerationRequest generation) {
        this.request = generation;
    }

    /** The client went away: stop writing and free the engine slot. Event loop. */
    void clientGone() {
        closed = true;
        pending.clear();
        GenerationRequest r = request;
        if (r != null) {
            r.cancel();
        }
    }

    @Override
    public void onToken(int tokenId, String text) {
        if (!text.isEmpty()) {
            offer(shapes.textChunk(text));
        }
    }

    @Override
    public void onFinish(FinishReason reason, int promptTokens, int completionTokens) {
        metrics.requestFinished(reason);
        offer(shapes.finishChunk(reason));
        if (includeUsage) {
            offer(shapes.usageChunk(promptTokens, completionTokens));
        }
        offer(OpenAiShapes.DONE);
        finished = true;
        schedule();
    }

    /** Engine thread (or the event loop for the chat role chunk). */
    void offer(String chunk) {
        if (overflowed) {
            return;
        }
        if (pendingCount.incrementAndGet() > maxPendingChunks) {
            overflowed = true;
            GenerationRequest r = request;
            if (r != null) {
                r.cancel();
            }
        } else {
            pending.add(chunk);
        }
        schedule();
    }

    private void schedule() {
        if (drainScheduled.compareAndSet(false, true)) {
            writer.ready(drainTask);
        }
    }

    /** Event loop, called by the writer: writes what is queued while the connection takes it. */
    private void drain() {
        drainScheduled.set(false);
        if (closed) {
            pending.clear();
            return;
        }
        if (overflowed) {
            closed = true;
            pending.clear();
            metrics.slowReaderDisconnected();
            log.warn("{}: client fell {} chunks behind; disconnecting it", shapes.id(), maxPendingChunks);
            dropConnection();
            return;
        }
        StringBuilder batch = null;
        while (!response.writeQueueFull()) {
            String chunk = pending.poll();
            if (chunk == null) {
                break;
            }
            pendingCount.decrementAndGet();
            if (batch == null) {
                batch = new StringBuilder(chunk.length() * 2);
            }
            batch.append(chunk);
        }
        if (batch != null) {
            response.write(Buffer.buffer(batch.toString()));
        }
        if (!pending.isEmpty()) {
            if (response.writeQueueFull()) {
                // back through the writer, so this stream's next write also counts against a slice
                response.drainHandler(v -> schedule());
            } else {
                schedule();
            }
        } else if (finished && pending.isEmpty()) {
            closed = true;
            response.end();
        }
    }

    /**
     * Closes the client's connection at once with a TCP reset, discarding what is queued for it.
     * Vert.x closes an HTTP/1.x connection ({@code response.reset()}, {@code connection.close()},
     * even {@code channel.close()}, which its pipeline handler intercepts) only after everything
     * queued is flushed, which a reader that stopped reading never allows: its connection, its
     * open-stream count and its admission slot outlived the "disconnect" until the client read it
     * all or went away. So the close starts at the pipeline's head, below Vert.x's handler; the
     * channel going inactive still reaches Vert.x, which ends the response as failed.
     */
    private void dropConnection() {
        if (connection instanceof ConnectionBase vertxConnection) {
            Channel channel = vertxConnection.channel();
            channel.config().setOption(ChannelOption.SO_LINGER, 0); // RST, and the kernel drops the send queue
            channel.pipeline().firstContext().close();
        } else {
            response.reset(); // not Vert.x's HTTP/1.x connection; an HTTP/2 stream reset is immediate
        }
    }
}
