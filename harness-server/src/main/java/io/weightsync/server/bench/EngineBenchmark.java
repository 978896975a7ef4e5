package io.weightsync.server.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.weightsync.core.ckpt.Folders;
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
import io.weightsync.server.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What does the engine get out of this machine? In one run: decode step time and tokens/s at
 * several batch sizes, the FLOP/s they imply, DJL's own fp32 matmul FLOP/s as the ceiling, and
 * the generation stall of a weight update in pause vs overlap mode (median of five).
 *
 * <p>Decode is measured through the real engine (sampling, emission, scheduling included): B
 * streams with ignore_eos run together, and the median step time over the measured steps at
 * exactly batch B is kept. FLOPs per token = 2 x matmul parameters + 4 x layers x heads x
 * head_dim x context (QK^T and PV).
 */
public final class EngineBenchmark {

    /** Result of one batch size. */
    public record BatchResult(int batch, double stepMillis, double tokensPerSecond, double gflops, double meanContext) {}

    /**
     * Result of one update under load. {@code noUpdateStallMillis} is the same statistic with no
     * update: over the steps just before the update, as many of them as the update spanned, the
     * longest gap minus their median. It is the stall a window of that length shows on this
     * machine by itself (an overlapped load spans tens of steps, a paused one a few).
     */
    public record UpdateStall(String mode, int streams, double loadMillis, double swapMillis, double maxGapMillis,
            double stallMillis, double noUpdateStallMillis) {}

    public record Result(double matmulGflops, List<BatchResult> batches, List<UpdateStall> updates) {}

    private static final int PROMPT_TOKENS = 16;
    /** Updates per mode in the stall measurement; the median is reported. */
    static final int UPDATES_PER_MODE = 5;
    /** Gaps whose median is the normal step, as {@code WeightUpdater} takes 32 steps. */
    static final int BASELINE_GAPS = 32;
    /**
     * Steps run between two updates: the baseline before each, and the steps the no-update figure
     * is taken over (an overlapped update of the tiny model spans about 7-12 steps at 64 streams, 16-24 at 2).
     */
    static final int SETTLE_STEPS = 60;

    private final Path modelDir;
    private final Tokenizer tokenizer;
    private final Device device;
    private final int warmupSteps;
    private final int measuredSteps;
    private final int warmupRounds;

    /**
     * @param warmupSteps steps discarded at the start of each batch's run
     * @param warmupRounds whole sweeps over the batch sizes run first and discarded: batch 1 is
     *     mostly per-op Java and JNI overhead, and it kept getting faster over ~1,000 steps as the JIT
     *     compiled (measured here: 5.4-5.6 ms in the first sweep, 3.5-3.8 ms after the fifth)
     */
    public EngineBenchmark(Path modelDir, Tokenizer tokenizer, Device device, int warmupSteps, int measuredSteps,
            int warmupRounds) {
        this.modelDir = modelDir;
        this.tokenizer = tokenizer;
        this.device = device;
        this.warmupSteps = warmupSteps;
        this.measuredSteps = measuredSteps;
        this.warmupRounds = warmupRounds;
    }

    public Result run(int[] batches, int updateStreams) throws Exception {
        double matmul = matmulGflops(device);
        int maxBatch = Arrays.stream(batches).max().orElse(1);
        int context = PROMPT_TOKENS + warmupSteps + measuredSteps + 8;
        List<BatchResult> results = new ArrayList<>();
        try (Engine engine = new Engine(modelDir, tokenizer, new EngineConfig(maxBatch, context, UpdateMode.PAUSE, 1 << 16),
                device)) {
            for (int round = 0; round < warmupRounds; round++) {
                for (int b : batches) {
                    measureBatch(engine, b); // discarded
                }
            }
            for (int b : batches) {
                results.add(measureBatch(engine, b));
            }
        }
        List<UpdateStall> updates = new ArrayList<>();
        if (updateStreams > 0) {
            Path scratch = Files.createTempDirectory("weightsync-bench-");
            try {
                Path next = TinyModel.publishStep(scratch, ModelConfig.read(modelDir.resolve("config.json")), 1, 4242);
                for (UpdateMode mode : UpdateMode.values()) {
                    updates.add(measureUpdate(mode, updateStreams, next));
                }
            } finally {
                Folders.deleteRecursively(scratch);
            }
        }
        return new Result(matmul, results, updates);
    }

    /** DJL fp32 1024x1024 matmul on all intra-op threads: the machine's ceiling for this work. */
    public static double matmulGflops(Device device) {
        try (NDManager m = NDManager.newBaseManager(device)) {
            NDArray a = m.randomNormal(new Shape(1024, 1024));
            NDArray b = m.randomNormal(new Shape(1024, 1024));
            for (int i = 0; i < 5; i++) {
                a.matMul(b).close();
            }
            double[] gflops = new double[15];
            for (int i = 0; i < gflops.length; i++) {
                long t0 = System.nanoTime();
                a.matMul(b).close();
                gflops[i] = 2.0 * 1024 * 1024 * 1024 / (System.nanoTime() - t0);
            }
            Arrays.sort(gflops);
            return gflops[gflops.length / 2];
        }
    }

    private BatchResult measureBatch(Engine engine, int batch) throws Exception {
        List<Long> stepNanos = java.util.Collections.synchronizedList(new ArrayList<>());
        EngineListener listener = new EngineListener() {
            @Override
            public void onStep(int b, long nanos) {
                if (b == batch) {
                    stepNanos.add(nanos);
                }
            }
        };
        engine.addListener(listener);
        CountDownLatch done = new CountDownLatch(batch);
        int maxTokens = warmupSteps + measuredSteps + 1;
        for (int i = 0; i < batch; i++) {
            engine.submit(new GenerationRequest("bench-" + batch + "-" + i, prompt(i),
                    SamplingParams.greedy(maxTokens).withIgnoreEos(true), countDown(done)));
        }
        if (!done.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("batch " + batch + " did not finish in 10 minutes");
        }
        engine.removeListener(listener);
        List<Long> measured = stepNanos.subList(Math.min(warmupSteps, stepNanos.size()), stepNanos.size());
        long[] sorted = measured.stream().mapToLong(Long::longValue).sorted().toArray();
        if (sorted.length == 0) {
            throw new IllegalStateException("no decode step ran at batch " + batch);
        }
        double stepMillis = sorted[sorted.length / 2] / 1e6;
        ModelConfig c = engine.modelConfig();
        double meanContext = PROMPT_TOKENS + warmupSteps + measuredSteps / 2.0;
        double flopsPerToken = 2.0 * c.matmulParamsPerToken()
                + 4.0 * c.numHiddenLayers() * c.numAttentionHeads() * c.headDim() * meanContext;
        double tokensPerSecond = batch / (stepMillis / 1e3);
        return new BatchResult(batch, stepMillis, tokensPerSecond, flopsPerToken * tokensPerSecond / 1e9, meanContext);
    }

    /**
     * Streams running at batch {@code streams} while {@link #UPDATES_PER_MODE} updates are applied,
     * alternating between {@code next} and the base weights; the median of each figure is kept
     * (a stall is a maximum over a window, so one noisy step on a shared machine would decide it).
     */
    private UpdateStall measureUpdate(UpdateMode mode, int streams, Path next) throws Exception {
        int maxTokens = 40 + UPDATES_PER_MODE * (SETTLE_STEPS + 80);
        try (Engine engine = new Engine(modelDir, tokenizer,
                new EngineConfig(streams, PROMPT_TOKENS + maxTokens + 1, mode, 1 << 16), device)) {
            CountDownLatch done = new CountDownLatch(streams);
            List<Long> stepEnds = java.util.Collections.synchronizedList(new ArrayList<>()); // nanoTime at each step's end
            engine.addListener(new EngineListener() {
                @Override
                public void onStep(int b, long nanos) {
                    stepEnds.add(System.nanoTime());
                }
            });
            for (int i = 0; i < streams; i++) {
                engine.submit(new GenerationRequest("upd-" + i, prompt(i), SamplingParams.greedy(maxTokens).withIgnoreEos(true),
                        countDown(done)));
            }
            List<UpdateResult> results = new ArrayList<>();
            double[] noUpdate = new double[UPDATES_PER_MODE];
            int settledFrom = 0;
            for (int u = 0; u < UPDATES_PER_MODE; u++) {
                int target = stepEnds.size() + SETTLE_STEPS; // settle: a baseline of normal steps before each update
                while (stepEnds.size() < target) {
                    Thread.sleep(2);
                }
                long begin = System.nanoTime();
                UpdateResult r = engine.updateWeights(u % 2 == 0 ? next : modelDir).get(5, TimeUnit.MINUTES);
                results.add(r);
                List<Long> ends;
                synchronized (stepEnds) {
                    ends = new ArrayList<>(stepEnds); // the update waited for one step after its swap
                }
                noUpdate[u] = noUpdateStall(ends, settledFrom, begin);
                settledFrom = ends.size();
            }
            done.await(10, TimeUnit.MINUTES);
            Arrays.sort(noUpdate);
            return new UpdateStall(mode.name().toLowerCase(java.util.Locale.ROOT), streams,
                    median(results, UpdateResult::loadMillis), median(results, UpdateResult::swapMillis),
                    median(results, UpdateResult::maxGapMillis), median(results, UpdateResult::stallMillis),
                    noUpdate[noUpdate.length / 2]);
        }
    }

    /**
     * The update's stall statistic over steps that saw no update. The update that began at
     * {@code begin} spanned k gaps (from the last step end before it to the last end recorded, one
     * step after the swap); over the k gaps just before {@code begin} (at most those since
     * {@code settledFrom}, the first step end after the previous update), the longest minus the
     * median of the last {@link #BASELINE_GAPS} gaps, as {@code WeightUpdater} measures a stall
     * against the median of the steps before it.
     */
    public static double noUpdateStall(List<Long> stepEnds, int settledFrom, long begin) {
        int before = settledFrom; // step ends before the update began
        while (before < stepEnds.size() && stepEnds.get(before) < begin) {
            before++;
        }
        int available = before - settledFrom - 1; // gaps between those ends
        if (available < 2) {
            return 0;
        }
        int spanned = Math.max(1, stepEnds.size() - before);
        int window = Math.min(spanned, available);
        int baselineGaps = Math.min(BASELINE_GAPS, available);
        double[] gaps = new double[available];
        for (int i = 0; i < available; i++) {
            int at = before - 1 - i; // newest first
            gaps[i] = (stepEnds.get(at) - stepEnds.get(at - 1)) / 1e6;
        }
        double longest = 0;
        for (int i = 0; i < window; i++) {
            longest = Math.max(longest, gaps[i]);
        }
        double[] baseline = Arrays.copyOf(gaps, baselineGaps);
        Arrays.sort(baseline);
        return Math.max(0, longest - baseline[baselineGaps / 2]);
    }

    private static double median(List<UpdateResult> results, java.util.function.Function<UpdateResult, Double> figure) {
        double[] v = new double[results.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = figure.apply(results.get(i));
        }
        Arrays.sort(v);
        return v[v.length / 2];
    }

    private int[] prompt(int i) {
        int[] encoded = tokenizer.encode("benchmark prompt " + i + " ........................");
        return Arrays.copyOf(encoded, Math.min(encoded.length, PROMPT_TOKENS));
    }

    private static TokenSink countDown(CountDownLatch done) {
        return new TokenSink() {
            @Override
            public void onToken(int tokenId, String text) {}

            @Override
            public void onFinish(FinishReason reason, int promptTokens, int completionTokens) {
                done.countDown();
            }
        };
    }
}
