package io.weightsync.server.engine;

import io.weightsync.server.model.Weights;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the pieces of one overlapped load while the engine keeps decoding, on two threads that take
 * them from one queue:
 * <ul>
 *   <li><b>beside the engine</b>: the weight updater's thread, in the idle scheduling class, runs
 *       pieces back to back on whatever CPU the engine leaves unused (a core its single-threaded
 *       small batches leave free, the gaps in its larger ones); the engine's threads take a core
 *       back the moment they want it;
 *   <li><b>between two steps</b>: at each step boundary where the updater has finished no piece since
 *       the last boundary (all cores busy, e.g. other processes), the engine thread runs pieces itself
 *       for {@code boundaryNanos}, so the load always moves on at a bounded cost per gap between
 *       two tokens.
 * </ul>
 * Without the idle class (not Linux) the updater only waits and every piece runs between steps.
 *
 * <p>Measured on the 2-core dev machine (WeightSwapBenchmark-shaped probe, 8 streams, engine at
 * nice 10; stall = longest gap across the update minus the median step), against running every
 * piece between steps: 12.8 MiB of BF16 weights, stall 0-4.3 ms (mean ~1.2, load 20-120 ms) vs
 * 1.3-8.2 ms (mean ~4.5, load 250-450 ms); 254 MiB, 2.7-30 ms (load 0.5-1 s) vs 37-70 ms (load
 * ~6 s). Beside the engine at nice 0 or 19 instead of the idle class, stalls grew at 256 streams,
 * where the engine runs on both cores (bench engine, median of five: nice 19 9.5-21.6 ms, idle
 * class 5.2, between steps only 12.4-13.8).
 */
final class OverlappedLoad {

    private static final Logger log = LoggerFactory.getLogger(OverlappedLoad.class);

    private final Engine engine;
    private final List<Weights.Piece> pieces;
    private final long boundaryNanos;
    private final boolean beside;
    private final AtomicInteger nextPiece = new AtomicInteger();
    private final AtomicInteger piecesDone = new AtomicInteger();
    /**
     * Threads between taking a piece and finishing it (or finding none): a load that fails returns
     * only when this is 0, so no piece still writes into arrays the caller is about to free.
     */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Complete when every piece has run; failed with the first piece's exception, or on interrupt. */
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    // engine thread only; read after done
    private int piecesDoneAtLastBoundary = -1;
    private int boundariesWorked;
    private int piecesBetweenSteps;
    private long longestBoundaryNanos;

    /**
     * @param beside whether the calling thread runs pieces too (it is in the idle class); false:
     *     every piece runs between steps
     */
    private OverlappedLoad(Engine engine, List<Weights.Piece> pieces, long boundaryNanos, boolean beside) {
        this.engine = engine;
        this.pieces = pieces;
        this.boundaryNanos = boundaryNanos;
        this.beside = beside;
    }

    /**
     * Runs every piece (see the class comment) and returns once all have run. The first piece that
     * throws ends the load with its exception, once no other piece is running; so does an interrupt
     * of the caller (the engine closing), as an {@link IllegalStateException}.
     */
    static void run(Engine engine, List<Weights.Piece> pieces, long boundaryNanos, boolean beside) {
        new OverlappedLoad(engine, pieces, boundaryNanos, beside).run();
    }

    private void run() {
        if (pieces.isEmpty()) {
            return;
        }
        // beside the engine, this thread takes the first piece before the engine is asked: an idle
        // engine runs its boundaries back to back and would otherwise find this thread "stalled"
        // before it started
        Weights.Piece p = beside ? claim() : null;
        engine.runOnEngine(this::boundary);
        while (p != null) {
            runPiece(p);
            p = claim();
        }
        try {
            done.get();
        } catch (ExecutionException e) {
            awaitNoPieceRunning();
            if (e.getCause() instanceof Error error) {
                throw error; // as the piece threw it, so the loader sees the same failure in both modes
            }
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            done.completeExceptionally(e); // no piece starts after this
            awaitNoPieceRunning();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("overlapped load interrupted after " + piecesDone.get() + " of "
                    + pieces.size() + " pieces");
        }
        log.info("overlapped load: {} pieces, {} of them between steps at {} boundaries of {} ms budget, the longest {} ms",
                pieces.size(), piecesBetweenSteps, boundariesWorked, String.format("%.1f", boundaryNanos / 1e6),
                String.format("%.1f", longestBoundaryNanos / 1e6));
    }

    /**
     * The next piece nobody has taken, or null when none is left or the load has ended; a piece
     * returned counts as in flight until {@link #runPiece} has run it.
     */
    private Weights.Piece claim() {
        inFlight.incrementAndGet(); // before looking at done: see awaitNoPieceRunning
        int i = done.isDone() ? pieces.size() : nextPiece.getAndIncrement();
        if (i >= pieces.size()) {
            inFlight.decrementAndGet();
            return null;
        }
        return pieces.get(i);
    }

    private void runPiece(Weights.Piece p) {
        try {
            p.run();
            if (piecesDone.incrementAndGet() == pieces.size()) {
                done.complete(null);
            }
        } catch (RuntimeException | Error e) {
            done.completeExceptionally(e);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /**
     * Once the load has ended, waits until no thread runs a piece: a thread counts itself in flight
     * before it checks {@code done}, so after this none starts one. Bounded: a piece takes about a
     * millisecond.
     */
    private void awaitNoPieceRunning() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    /**
     * On the engine thread between two steps. Pieces run here only when the updater finished none
     * since the last boundary; then while the next, if it takes as long as the longest so far, would
     * end within {@code boundaryNanos} (at least one). Comes back after the next step until the
     * load is done.
     */
    private void boundary() {
        if (done.isDone()) {
            return;
        }
        boolean updaterStalled = piecesDone.get() == piecesDoneAtLastBoundary;
        if (!beside || updaterStalled) {
            runForBudget();
        }
        piecesDoneAtLastBoundary = piecesDone.get();
        if (!done.isDone()) {
            engine.runOnEngine(this::boundary); // after the next step: see Engine's command loop
        }
    }

    /**
     * Runs pieces on this thread while the next, if it takes as long as the longest so far, would
     * end within {@code boundaryNanos}; at least one, when any is left.
     */
    private void runForBudget() {
        long start = System.nanoTime();
        long now = start;
        long longestNanos = 0;
        int ran = 0;
        Weights.Piece p;
        while ((ran == 0 || now - start + longestNanos <= boundaryNanos) && (p = claim()) != null) {
            runPiece(p);
            ran++;
            long end = System.nanoTime();
            longestNanos = Math.max(longestNanos, end - now);
            now = end;
        }
        if (ran > 0) {
            piecesBetweenSteps += ran;
            boundariesWorked++;
            longestBoundaryNanos = Math.max(longestBoundaryNanos, now - start);
        }
    }
}
