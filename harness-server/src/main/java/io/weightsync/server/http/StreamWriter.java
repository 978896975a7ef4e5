package io.weightsync.server.http;

import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.internal.ContextInternal;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes the SSE streams of one event loop in time slices: one writing task at a time, which runs
 * the drains of ready streams for at most {@link #SLICE_NANOS}, then gives the loop back.
 *
 * <p>Why: every engine step hands a chunk to each of up to 256 streams at once. With one drain task
 * per stream, an answer completed off the loop (a weight update finishes on the updater thread,
 * right after a step) was queued behind all of them, and a request body arriving meanwhile was not
 * read before they had all run (Netty runs every queued task before it polls its sockets again).
 * Here both wait for at most the slice in progress:
 * <ul>
 *   <li>tasks queued during a slice (the update's answer) run before the next slice: the next one is
 *       queued behind them;
 *   <li>the next slice is queued as a zero-delay scheduled task, which Netty moves to its task queue
 *       only after its next socket poll, so reads are not held up by a long write burst.
 * </ul>
 * Streams are drained in the order they became ready; each stream's chunks keep their order in the
 * stream's own queue, whichever slice writes them.
 */
final class StreamWriter {

    /**
     * Wall time one writing task may take before it yields. A 256-stream step is a few slices on an
     * idle loop; an admin answer or a read waits for at most one.
     */
    static final long SLICE_NANOS = 500_000;

    /** A context of the loop: its tasks run on the loop's thread, in order. */
    private final Context context;
    private final EventLoop loop;
    /** Drains of the streams with chunks to write, in the order they became ready. */
    private final Queue<Runnable> ready = new ConcurrentLinkedQueue<>();
    /** A writing task is queued, scheduled or running; there is at most one. */
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable writeAfterPoll;

    StreamWriter(Context context) {
        this.context = context;
        this.loop = ((ContextInternal) context).nettyEventLoop();
        this.writeAfterPoll = () -> context.runOnContext(v -> writeSlice());
    }

    /** One writer per event loop, made on first use by a request on that loop. */
    static final class PerLoop {
        private final Map<EventLoop, StreamWriter> writers = new ConcurrentHashMap<>();

        /** The writer of the loop {@code context} runs on (requests run on duplicates of the loop's context). */
        StreamWriter of(Context context) {
            ContextInternal internal = (ContextInternal) context;
            return writers.computeIfAbsent(internal.nettyEventLoop(), loop -> new StreamWriter(internal.unwrap()));
        }
    }

    /**
     * Any thread: a stream has something to write; {@code drain} (run on the loop) writes it. The
     * stream guarantees its drain is not queued already.
     */
    void ready(Runnable drain) {
        ready.add(drain);
        if (scheduled.compareAndSet(false, true)) {
            context.runOnContext(v -> writeSlice());
        }
    }

    /** Event loop: drains ready streams until none is left or the slice is used up. */
    private void writeSlice() {
        long deadline = System.nanoTime() + SLICE_NANOS;
        for (Runnable drain; (drain = ready.poll()) != null; ) {
            drain.run();
            if (System.nanoTime() - deadline >= 0) {
                break;
            }
        }
        if (!ready.isEmpty()) {
            loop.schedule(writeAfterPoll, 0, TimeUnit.NANOSECONDS); // still scheduled: the flag stays set
            return;
        }
        scheduled.set(false);
        // a drain added after the last poll saw the flag still set and left it to this check
        if (!ready.isEmpty() && scheduled.compareAndSet(false, true)) {
            context.runOnContext(v -> writeSlice());
        }
    }
}
