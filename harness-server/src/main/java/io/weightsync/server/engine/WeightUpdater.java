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
 *   <li>{@link UpdateMode#OVERLAP}: the engine keeps decoding; the load runs between its steps,
 *       a few tensors at a time, then the swap happens between two steps.
 * </ul>
 * Updating to the folder already live is a no-op that succeeds (prime-rl may retry an update).
 */
final class WeightUpdater implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WeightUpdater.class);
    /** Steps before an update whose median is the "normal" step time stalls are measured against. */
    private static final int BASELINE_STEPS = 32;

    private final Engine engine;
    private final WeightSpec spec;
    private final ModelConfig config;
    private final Path baseDir;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "weight-updater");
        t.setDaemon(true);
        return t;
    });
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
            Weights fresh = load(dir, this::betweenSteps);
            loaded = System.nanoTime();
            CompletableFuture<Weights> done = new CompletableFuture<>();
            engine.runOnEngine(() -> done.complete(swap(fresh)));
            old = done.join();
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
     * Runs one unit of an overlapped load on the engine thread between two decode steps, and waits
     * for it. On this CPU-bound host a load running beside the engine on the same cores slowed
     * every step it overlapped; interleaving spreads it instead, one unit (a layer's attention or MLP
     * projections) per step boundary, so
     * no step grows by more than one unit (what checkpoint-engine's pipelining does on GPUs).
     */
    private void betweenSteps(Runnable unit) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        engine.runOnEngine(() -> {
            try {
                unit.run();
                done.complete(null);
            } catch (RuntimeException | Error e) {
                done.completeExceptionally(e);
            }
        });
        try {
            done.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof Error error) {
                throw error; // as the unit threw it, so the loader sees the same failure in both modes
            }
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Verifies the folder completely, then converts it into a new weight set. */
    private Weights load(Path dir) throws IOException {
        return load(dir, Runnable::run);
    }

    private Weights load(Path dir, Weights.UnitRunner units) throws IOException {
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
            Weights fresh;
            try {
                fresh = Weights.load(checkpoint, spec, engine.rootManager(), dir, where, units);
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

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
