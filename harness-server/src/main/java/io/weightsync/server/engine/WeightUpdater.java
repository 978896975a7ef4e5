package io.weightsync.server.engine;

import io.weightsync.core.ckpt.Checkpoint;
import io.weightsync.core.ckpt.CheckpointRoot;
import io.weightsync.core.ckpt.CheckpointVerifier;
import io.weightsync.server.model.ModelConfig;
import io.weightsync.server.model.WeightMismatchException;
import io.weightsync.server.model.WeightSpec;
import io.weightsync.server.model.Weights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Weight updates, one at a time on their own thread. Each update checks the whole checkpoint
 * (format, STABLE, config, every tensor's name, shape and dtype) before anything changes; on any
 * defect the old weights keep serving and the caller gets the one-line reason.
 *
 * <ul>
 *   <li>{@link UpdateMode#PAUSE}: freeze the engine between two steps, load, swap, resume.
 *   <li>{@link UpdateMode#OVERLAP}: the engine keeps decoding; the load runs beside it on this
 *       thread in the idle scheduling class, and between its steps for a bounded time whenever that
 *       falls behind ({@link OverlappedLoad}); then the swap happens between two steps.
 * </ul>
 * Updating to the folder already live is a no-op that succeeds (prime-rl may retry an update).
 */
final class WeightUpdater implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WeightUpdater.class);
    /** Steps before an update whose median is the "normal" step time stalls are measured against. */
    private static final int BASELINE_STEPS = 32;
    /** Least engine time an overlapped load gets at one step boundary (short steps, or none). */
    private static final long MIN_BOUNDARY_NANOS = 1_000_000;
    /** Share of a normal step an overlapped load gets at one step boundary (see {@link #boundaryNanos}). */
    private static final double BOUNDARY_SHARE_OF_STEP = 0.1;

    private final Engine engine;
    private final WeightSpec spec;
    private final ModelConfig config;
    private final Path baseDir;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(this::newThread);
    /** Whether overlapped loads run pieces on the updater thread too: it is in the idle scheduling class. */
    private volatile boolean besideEngine;
    private final AtomicLong updatesTotal = new AtomicLong();
    private final AtomicLong updatesFailed = new AtomicLong();
    private volatile long liveStep;

    WeightUpdater(Engine engine, ModelConfig config, Path baseDir) throws IOException {
        this.engine = engine;
        this.config = config;
        this.spec = new WeightSpec(config);
        this.baseDir = baseDir.toRealPath();
    }

    /** The weights the engine starts with, loaded on the caller's thread. */
    Weights loadBase() throws IOException {
        liveStep = stepOf(baseDir);
        return load(baseDir);
    }

    CompletableFuture<UpdateResult> update(Path weightDir) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return apply(weightDir);
            } catch (Exception e) {
                updatesFailed.incrementAndGet();
                engine.listeners().forEach(l -> l.onUpdateFailed(String.valueOf(weightDir), e));
                throw new java.util.concurrent.CompletionException(e instanceof InterruptedException
                        ? new IOException("update interrupted") : e);
            }
        }, thread);
    }

    CompletableFuture<UpdateResult> reload() {
        return update(baseDir);
    }

    long liveStep() {
        return liveStep;
    }

    long updatesTotal() {
        return updatesTotal.get();
    }

    long updatesFailed() {
        return updatesFailed.get();
    }

    private UpdateResult apply(Path weightDir) throws IOException, InterruptedException {
        if (!Files.isDirectory(weightDir)) {
            throw new IOException(weightDir + ": not a checkpoint folder (no such directory)");
        }
        Path dir = weightDir.toRealPath();
        UpdateMode mode = engine.engineConfig().updateMode();
        if (dir.equals(engine.weights.source())) {
            return new UpdateResult(dir.toString(), stepOf(dir), mode, true, 0, 0, 0, 0);
        }
        long begin = System.nanoTime();
        boolean streaming = engine.runningCount() > 0;
        double baselineMillis = engine.clock().medianStepMillisBefore(begin, BASELINE_STEPS);
        long loadStart;
        long loaded;
        long swapped;
        Weights old;
        if (mode == UpdateMode.PAUSE) {
            engine.freeze(); // waits for the step in flight to end
            try {
                loadStart = System.nanoTime();
                Weights fresh = load(dir);
                loaded = System.nanoTime();
                old = swap(fresh);
            } finally {
                engine.unfreeze();
            }
            swapped = System.nanoTime();
        } else {
            loadStart = begin;
            long boundaryNanos = boundaryNanos(baselineMillis);
            Weights fresh = load(dir, pieces -> OverlappedLoad.run(engine, pieces, boundaryNanos, besideEngine));
            loaded = System.nanoTime();
            CompletableFuture<Weights> done = new CompletableFuture<>();
            engine.runOnEngine(() -> done.complete(swap(fresh)));
            try {
                old = done.get(); // interrupted when the engine closes before its next boundary
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause()); // swap only reads and writes a field
            }
            swapped = System.nanoTime();
        }
        old.close(); // the engine no longer reads it; freed off the engine thread
        double maxGap = 0;
        double stall = 0;
        if (streaming) {
            awaitNextStep(engine.clock().steps());
            maxGap = engine.clock().maxGapMillis(begin, swapped);
            stall = Math.max(0, maxGap - baselineMillis);
        }
        liveStep = stepOf(dir);
        updatesTotal.incrementAndGet();
        UpdateResult result = new UpdateResult(dir.toString(), liveStep, mode, false, (loaded - loadStart) / 1e6,
                (swapped - loaded) / 1e6, maxGap, stall);
        log.info("weights updated to {}: load {} ms, swap {} ms, stall {} ms ({})", dir,
                String.format("%.1f", result.loadMillis()), String.format("%.2f", result.swapMillis()),
                String.format("%.1f", result.stallMillis()), mode);
        engine.listeners().forEach(l -> l.onUpdate(result));
        return result;
    }

    /** Makes {@code fresh} live; the engine is between steps (frozen, or running this). Returns the old set. */
    private Weights swap(Weights fresh) {
        Weights old = engine.weights;
        engine.weights = fresh;
        return old;
    }

    /** Waits (bounded) for one more decode step, so the gap that spans the swap is on the clock. */
    private void awaitNextStep(long stepsBefore) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (engine.clock().steps() == stepsBefore && engine.runningCount() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
    }

    /**
     * The one place that decides how long an overlapped load may hold the engine at one step
     * boundary (when the load beside it falls behind, see {@link OverlappedLoad}): a tenth of the
     * median step before the update, at least 1 ms. Pieces (each at most
     * {@link Weights#PIECE_BYTES}) run while the next, if it takes as long as the longest so far,
     * would end within it; then the next decode step runs. So a gap between two tokens grows by
     * about a tenth of a step (at least one piece). A fixed few ms would not do: steps and loads
     * both grow with the model (WeightSwapBenchmark, 8 streams: steps ~10 ms at 13 MiB of BF16
     * weights, ~150-200 ms at 254 MiB; pause-mode loads ~30 ms and ~500 ms), so at 254 MiB a 2 ms
     * budget would spread the load over ~250 steps (~40 s); a share of the step keeps it to about
     * 10 x (load / step) boundaries, 18-38 measured at either size with every piece between steps.
     */
    static long boundaryNanos(double medianStepMillis) {
        return Math.max(MIN_BOUNDARY_NANOS, (long) (medianStepMillis * 1e6 * BOUNDARY_SHARE_OF_STEP));
    }

    /** The updater's one thread; in overlap mode it moves into the idle scheduling class first. */
    private Thread newThread(Runnable work) {
        Thread t = new Thread(() -> {
            if (engine.engineConfig().updateMode() == UpdateMode.OVERLAP) {
                besideEngine = idleClass();
            }
            work.run();
        }, "weight-updater");
        t.setDaemon(true);
        return t;
    }

    /**
     * Moves the updater thread into the idle scheduling class, so that the pieces of overlapped
     * loads it runs take only CPU the engine leaves unused ({@link OverlappedLoad}).
     *
     * @return whether it is there; if not (not Linux), every piece runs between steps
     */
    private static boolean idleClass() {
        String refused = ThreadNice.idleCurrentThread();
        if (refused != null) {
            log.warn("overlapped loads run between decode steps only: {}", refused);
        }
        return refused == null;
    }

    /** Verifies the folder completely, then converts it into a new weight set. */
    private Weights load(Path dir) throws IOException {
        return load(dir, Weights.IN_ORDER);
    }

    private Weights load(Path dir, Weights.PieceRunner pieces) throws IOException {
        String where = dir.getFileName().toString();
        try (Checkpoint checkpoint = CheckpointVerifier.open(dir)) { // STABLE, config.json, every file
            Path configJson = dir.resolve(CheckpointRoot.CONFIG);
            if (Files.exists(configJson)) {
                ModelConfig other = ModelConfig.read(configJson);
                if (!sameArchitecture(other)) {
                    throw new WeightMismatchException(where + "/config.json describes another architecture ("
                            + other.modelType() + ", " + other.numHiddenLayers() + " layers, hidden "
                            + other.hiddenSize() + ", vocab " + other.vocabSize() + ") than the live model ("
                            + config.modelType() + ", " + config.numHiddenLayers() + " layers, hidden "
                            + config.hiddenSize() + ", vocab " + config.vocabSize() + ")");
                }
            }
            engine.listeners().forEach(l -> l.onLoadStart(dir.toString()));
            Weights fresh;
            try {
                fresh = Weights.load(checkpoint, spec, engine.rootManager(), dir, where, pieces);
            } catch (InternalError e) {
                // How the JVM reports SIGBUS on a mapped page: a file truncated between the loader's
                // size check and its read. Name the file that changed; rethrow anything else.
                checkpoint.checkUnchanged();
                throw e;
            }
            try {
                // the weights are copies now; refuse them if a file was written while they were read,
                // as they may mix two versions of it
                checkpoint.checkUnchanged();
            } catch (IOException e) {
                fresh.close();
                throw e;
            }
            return fresh;
        }
    }

    private boolean sameArchitecture(ModelConfig o) {
        return o.modelType().equals(config.modelType()) && o.vocabSize() == config.vocabSize()
                && o.hiddenSize() == config.hiddenSize() && o.intermediateSize() == config.intermediateSize()
                && o.numHiddenLayers() == config.numHiddenLayers()
                && o.numAttentionHeads() == config.numAttentionHeads()
                && o.numKeyValueHeads() == config.numKeyValueHeads() && o.headDim() == config.headDim()
                && o.tieWordEmbeddings() == config.tieWordEmbeddings();
    }

    private static long stepOf(Path dir) {
        return CheckpointRoot.stepOf(dir).orElse(-1);
    }

    /**
     * Interrupts an update in flight and waits (bounded) for the thread to end, so that the caller
     * can free the engine's arrays: a load still running beside the engine writes into them.
     */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("weight updater still running 10 s after the engine closed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
