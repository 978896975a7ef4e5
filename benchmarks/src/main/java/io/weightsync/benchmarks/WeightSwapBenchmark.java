package io.weightsync.benchmarks;

import ai.djl.Device;
import io.weightsync.core.ckpt.Folders;
import io.weightsync.server.bench.EngineBenchmark;
import io.weightsync.server.engine.Engine;
import io.weightsync.server.engine.EngineConfig;
import io.weightsync.server.engine.EngineListener;
import io.weightsync.server.engine.FinishReason;
import io.weightsync.server.engine.GenerationRequest;
import io.weightsync.server.engine.SamplingParams;
import io.weightsync.server.engine.TokenSink;
import io.weightsync.server.engine.UpdateMode;
import io.weightsync.server.engine.UpdateResult;
import io.weightsync.server.model.ModelConfig;
import io.weightsync.server.model.TinyModel;
import io.weightsync.server.model.WeightSpec;
import io.weightsync.server.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What does a full weight update cost a live engine, paused versus overlapped with generation,
 * and at what rate does it move the checkpoint's bytes?
 *
 * <p>A real {@link Engine} (DJL PyTorch, CPU) runs a tiny-shaped Llama (the built-in {@code tiny}
 * architecture: 4 layers, byte vocabulary, grouped-query attention, head_dim 32) whose d_model is
 * scaled so its BF16 checkpoint is about {@code sizeMb}. {@value #STREAMS} greedy streams decode
 * without pause (each resubmitted when it reaches {@value #STREAM_TOKENS} tokens). Every
 * invocation is one {@link Engine#updateWeights} to the other of two published steps; before it
 * (not timed) the engine runs {@value #SETTLE_STEPS} normal steps, so the stall is measured
 * against a clean baseline, and the streams have at least {@value #RUNWAY_STEPS} steps left, so no
 * batch refill (a prefill) falls inside the update.
 *
 * <ul>
 *   <li>{@code pause}: the engine stops between two steps, loads, swaps, resumes.
 *   <li>{@code overlap}: the engine keeps decoding; the load runs in pieces of at most 1 MiB
 *       beside it, on a thread in the idle scheduling class, and between its steps (a tenth of a
 *       step per boundary) only when that thread falls behind; the swap happens between two steps.
 * </ul>
 *
 * <p>Results: the primary score is updates per second; {@code :bytes} is checkpoint bytes per
 * second of update. The stall is the engine's own measure ({@link UpdateResult#stallMillis()}: the
 * longest gap between two decode steps across the update, minus the median step before it);
 * {@code :stallMillis} and {@code :updates} are sums over the measured iterations, so the mean stall
 * per update is {@code stallMillis / updates} (likewise {@code :loadMillis}). {@code :noUpdateStallMillis}
 * sums the same statistic taken over as many steps just before each update, with no update
 * running ({@link EngineBenchmark#noUpdateStall}): the part of a stall that a window of that length
 * shows on this machine by itself, larger for the mode whose updates span more steps.
 *
 * <p>HOW TO RUN: {@code java -jar benchmarks/target/benchmarks.jar WeightSwapBenchmark -p sizeMb=16}.
 * Expect overlap's stall per update to be a small fraction of pause's, and its loads not much
 * slower: 8 streams decode on one PyTorch thread, which leaves the other core to the load.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx3g", Djl.OFFLINE})
@State(Scope.Benchmark)
public class WeightSwapBenchmark {

    static final int STREAMS = 8;
    static final int PROMPT_TOKENS = 16;
    static final int STREAM_TOKENS = 512;
    static final int SETTLE_STEPS = 60;
    static final int RUNWAY_STEPS = 100;

    @Param({"16", "256"})
    public int sizeMb;

    /** Holds step_0 (the engine starts from it) and step_1: updates alternate between them. */
    Path root;
    Path[] steps;
    long checkpointBytes;

    @Setup(Level.Trial)
    public void publishSteps() throws IOException {
        Djl.pytorch();
        ModelConfig config = config(sizeMb);
        root = Files.createTempDirectory("weightsync-swap-" + sizeMb + "mb-");
        steps = new Path[] {TinyModel.publishStep(root, config, 0, 1), TinyModel.publishStep(root, config, 1, 2)};
        checkpointBytes = checkpointBytes(config);
    }

    @TearDown(Level.Trial)
    public void deleteSteps() throws IOException {
        Folders.deleteRecursively(root);
    }

    /**
     * The tiny architecture with d_model the largest multiple of 64 whose BF16 checkpoint fits in
     * {@code sizeMb} MiB; intermediate 43/16 d (tiny's 688 = 43/16 x 256), head_dim 32, half as many
     * key/value heads as query heads.
     */
    static ModelConfig config(int sizeMb) {
        long target = (long) sizeMb << 20;
        int d = 64;
        while (checkpointBytes(shaped(d + 64)) <= target) {
            d += 64;
        }
        return shaped(d);
    }

    /** Bytes of tensor data in the BF16 checkpoint of {@code config}: every weight the engine loads. */
    static long checkpointBytes(ModelConfig config) {
        long elements = 0;
        for (long[] shape : new WeightSpec(config).required().values()) {
            elements += ModelShapedCheckpoint.elements(shape);
        }
        return 2 * elements;
    }

    private static ModelConfig shaped(int d) {
        ModelConfig tiny = TinyModel.config();
        int heads = d / tiny.headDim();
        return new ModelConfig(tiny.modelType(), tiny.vocabSize(), d, 43 * d / 16, tiny.numHiddenLayers(), heads,
                heads / 2, tiny.headDim(), tiny.rmsNormEps(), tiny.ropeTheta(), tiny.maxPositionEmbeddings(),
                tiny.tieWordEmbeddings(), tiny.bosTokenId(), tiny.eosTokenIds());
    }

    /** What the updates cost generation, summed over an iteration: divide by {@code updates}. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Stall {
        public double stallMillis;
        public double noUpdateStallMillis;
        public double loadMillis;
        public long updates;

        @Setup(Level.Iteration)
        public void reset() {
            stallMillis = 0;
            noUpdateStallMillis = 0;
            loadMillis = 0;
            updates = 0;
        }
    }

    /** An engine in pause mode, streaming. */
    @State(Scope.Benchmark)
    public static class PauseEngine extends LiveEngine {
        @Setup(Level.Trial)
        public void start(WeightSwapBenchmark b) throws IOException, InterruptedException {
            start(b, UpdateMode.PAUSE);
        }

        @Setup(Level.Invocation)
        public void settle() throws InterruptedException {
            awaitSettled();
        }

        @TearDown(Level.Trial)
        public void stop() {
            close();
        }
    }

    /** An engine in overlap mode, streaming. */
    @State(Scope.Benchmark)
    public static class OverlapEngine extends LiveEngine {
        @Setup(Level.Trial)
        public void start(WeightSwapBenchmark b) throws IOException, InterruptedException {
            start(b, UpdateMode.OVERLAP);
        }

        @Setup(Level.Invocation)
        public void settle() throws InterruptedException {
            awaitSettled();
        }

        @TearDown(Level.Trial)
        public void stop() {
            close();
        }
    }

    @Benchmark
    public UpdateResult pause(PauseEngine engine, Stall stall, Throughput t) throws Exception {
        return engine.update(stall, t);
    }

    @Benchmark
    public UpdateResult overlap(OverlapEngine engine, Stall stall, Throughput t) throws Exception {
        return engine.update(stall, t);
    }

    /** A streaming engine and the bookkeeping that tells when it is ready for the next update. */
    abstract static class LiveEngine {
        private Engine engine;
        private Path[] steps;
        private long checkpointBytes;
        private int updatesApplied;
        /** Tokens stream 0 has generated since its last (re)submission: the streams run in lockstep. */
        private final AtomicInteger runTokens = new AtomicInteger();
        /** nanoTime at the end of each decode step since the last update (the no-update window's steps). */
        private final List<Long> stepEnds = new ArrayList<>();
        /** First entry of {@link #stepEnds} after the last batch refill (a prefill step is not a normal one). */
        private int settledFrom;
        private volatile boolean closing;

        void start(WeightSwapBenchmark b, UpdateMode mode) throws IOException, InterruptedException {
            steps = b.steps;
            checkpointBytes = b.checkpointBytes;
            engine = new Engine(steps[0], Tokenizer.forModel(steps[0]),
                    new EngineConfig(STREAMS, PROMPT_TOKENS + STREAM_TOKENS + 1, mode, 1 << 16), Device.cpu());
            engine.addListener(new EngineListener() {
                @Override
                public void onStep(int batch, long stepNanos) {
                    synchronized (stepEnds) {
                        stepEnds.add(System.nanoTime());
                    }
                }
            });
            for (int i = 0; i < STREAMS; i++) {
                submit(i);
            }
        }

        /** Waits until the engine has run {@value #SETTLE_STEPS} normal steps and the streams have room for an update. */
        void awaitSettled() throws InterruptedException {
            int from = decodeSteps(); // stepEnds is only cleared by an update, never while this waits
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (decodeSteps() - from < SETTLE_STEPS || runTokens.get() < SETTLE_STEPS
                    || runTokens.get() > STREAM_TOKENS - RUNWAY_STEPS) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("engine did not settle in 2 minutes: " + (decodeSteps() - from)
                            + " steps, stream 0 at token " + runTokens.get() + ", " + engine.stats());
                }
                Thread.sleep(1);
            }
        }

        /** Decode steps run since the last update. */
        private int decodeSteps() {
            synchronized (stepEnds) {
                return stepEnds.size();
            }
        }

        UpdateResult update(Stall stall, Throughput t) throws InterruptedException, ExecutionException, TimeoutException {
            Path next = steps[(updatesApplied + 1) % 2];
            long begin = System.nanoTime();
            UpdateResult r = engine.updateWeights(next).get(10, TimeUnit.MINUTES);
            double noUpdate;
            synchronized (stepEnds) { // the update waited for one step after its swap
                noUpdate = EngineBenchmark.noUpdateStall(new ArrayList<>(stepEnds), settledFrom, begin);
                stepEnds.clear();
                settledFrom = 0;
            }
            if (r.noop() || r.maxGapMillis() <= 0) {
                throw new IllegalStateException("update to " + next + " measured no stall (noop " + r.noop()
                        + ", no decode step across it): the engine was not streaming");
            }
            updatesApplied++;
            stall.stallMillis += r.stallMillis();
            stall.noUpdateStallMillis += noUpdate;
            stall.loadMillis += r.loadMillis();
            stall.updates++;
            t.bytes += checkpointBytes;
            return r;
        }

        void close() {
            closing = true;
            engine.close();
        }

        private void submit(int stream) {
            int[] prompt = new int[PROMPT_TOKENS];
            prompt[0] = TinyModel.BOS;
            for (int i = 1; i < prompt.length; i++) {
                prompt[i] = 'a' + (stream + i) % 26;
            }
            engine.submit(new GenerationRequest("swap-" + stream, prompt,
                    SamplingParams.greedy(STREAM_TOKENS).withIgnoreEos(true), new TokenSink() {
                        @Override
                        public void onToken(int tokenId, String text) {
                            if (stream == 0) {
                                runTokens.incrementAndGet();
                            }
                        }

                        @Override
                        public void onFinish(FinishReason reason, int promptTokens, int completionTokens) {
                            if (closing) {
                                return;
                            }
                            if (stream == 0) {
                                runTokens.set(0);
                                synchronized (stepEnds) {
                                    settledFrom = stepEnds.size(); // the refill's prefill comes next
                                }
                            }
                            submit(stream); // on the engine thread: queued for the next step's admission
                        }
                    }));
        }
    }
}
