package io.weightsync.server.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.weightsync.server.model.KvCache;
import io.weightsync.server.model.LlamaModel;
import io.weightsync.server.model.ModelConfig;
import io.weightsync.server.model.Weights;
import io.weightsync.server.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The continuous-batching engine: one thread owns the model and, every step, admits waiting
 * requests into free slots (prefill), decodes one token for every running sequence in one batched
 * forward, emits the tokens, and retires finished sequences. Weight updates ({@link WeightUpdater})
 * and pause/resume reach the loop as commands run between two steps.
 *
 * <p>Native memory: every step's temporaries live in a sub-manager closed at the end of the step;
 * the long-lived arrays are the weights (one manager per set, closed on swap), the KV cache and
 * the rotary tables.
 */
public final class Engine implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Engine.class);
    /** How long the idle loop sleeps before looking for work again (it is also woken on submit). */
    private static final long IDLE_PARK_NANOS = 5_000_000;
    /** How often the engine thread recounts its arrays between steps (a walk of ~100 map entries). */
    private static final long ARRAY_COUNT_EVERY_MILLIS = 100;

    private final ModelConfig config;
    private final EngineConfig engineConfig;
    private final Tokenizer tokenizer;
    private final Set<Integer> eos;
    private final NDManager root;
    private final LlamaModel model;
    private final KvCache cache;
    private final WeightUpdater updater;
    private final StepClock clock = new StepClock();
    private final IntraOpThreads threads = new IntraOpThreads();
    private final Thread thread;

    /** The live weights; swapped only between two steps, by the engine thread or while it is frozen. */
    volatile Weights weights;

    private final Queue<GenerationRequest> waiting = new ConcurrentLinkedQueue<>();
    private final Queue<Runnable> commands = new ConcurrentLinkedQueue<>();
    /** Running sequences; index i is KV-cache slot i. Engine thread only. */
    private final List<Sequence> running = new ArrayList<>();

    private volatile boolean closed;
    /** Set while a pause-mode update holds the engine between two steps. */
    private volatile boolean frozenForUpdate;
    private volatile boolean frozenAcknowledged;
    /** User pause (/pause): no steps, no admission. */
    private volatile boolean paused;
    /** pause(WAIT) in progress: no admission; becomes paused when running drains. */
    private boolean draining;
    private final Queue<CompletableFuture<Void>> drainWaiters = new ArrayDeque<>();

    private final AtomicLong stepsTotal = new AtomicLong();
    private final AtomicLong generatedTokensTotal = new AtomicLong();
    private final AtomicLong promptTokensTotal = new AtomicLong();
    private volatile double lastStepMillis;
    private volatile int arraysBetweenSteps;
    private long arraysCountedNanos = Long.MIN_VALUE / 2; // engine thread only
    private volatile int runningCount;
    private final List<EngineListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Loads the model at {@code modelDir} (config.json + weights) and starts the engine thread.
     */
    public Engine(Path modelDir, Tokenizer tokenizer, EngineConfig engineConfig, Device device) throws java.io.IOException {
        this.config = ModelConfig.read(modelDir.resolve("config.json"));
        if (engineConfig.maxContext() > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("--max-model-len " + engineConfig.maxContext()
                    + " exceeds the model's max_position_embeddings " + config.maxPositionEmbeddings());
        }
        this.engineConfig = engineConfig;
        this.tokenizer = tokenizer;
        this.eos = new HashSet<>(config.eosTokenIds());
        this.root = NDManager.newBaseManager(device);
        try {
            this.model = new LlamaModel(config, root, engineConfig.maxContext());
            this.updater = new WeightUpdater(this, config, modelDir);
            this.weights = updater.loadBase();
            this.cache = new KvCache(root, config, engineConfig.maxBatch(), engineConfig.maxContext());
        } catch (java.io.IOException | RuntimeException e) {
            root.close();
            throw e;
        }
        this.arraysBetweenSteps = root.getManagedArrays().size();
        this.thread = new Thread(this::loop, "engine");
        thread.setDaemon(true);
        thread.start();
        log.info("engine started: {} layers, d_model {}, vocab {}, max batch {}, max context {}, KV cache {} MiB, update mode {}, nice {}",
                config.numHiddenLayers(), config.hiddenSize(), config.vocabSize(), engineConfig.maxBatch(),
                engineConfig.maxContext(), cache.bytes() >> 20, engineConfig.updateMode(), engineConfig.engineNice());
    }

    public ModelConfig modelConfig() {
        return config;
    }

    public EngineConfig engineConfig() {
        return engineConfig;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public void addListener(EngineListener listener) {
        listeners.add(listener);
    }

    public void removeListener(EngineListener listener) {
        listeners.remove(listener);
    }

    /**
     * Queues a request (FIFO behind the others).
     *
     * @throws IllegalArgumentException when prompt plus max_tokens exceed the context, or the prompt is empty
     */
    public void submit(GenerationRequest request) {
        if (closed) {
            throw new IllegalStateException("engine is closed");
        }
        int prompt = request.promptLength();
        if (prompt == 0) {
            throw new IllegalArgumentException("prompt is empty");
        }
        long total = (long) prompt + request.params().maxTokens();
        if (total > engineConfig.maxContext()) {
            throw new IllegalArgumentException("This model's maximum context length is " + engineConfig.maxContext()
                    + " tokens. However, you requested " + total + " tokens (" + prompt + " in the prompt, "
                    + request.params().maxTokens() + " for the completion).");
        }
        for (int t : request.promptTokens()) {
            if (t < 0 || t >= config.vocabSize()) {
                throw new IllegalArgumentException("prompt token id " + t + " is outside the vocabulary [0, "
                        + config.vocabSize() + ")");
            }
        }
        waiting.add(request);
        LockSupport.unpark(thread);
    }

    /** Loads {@code weightDir} and makes it live, as the configured update mode says. Serialized and idempotent. */
    public CompletableFuture<UpdateResult> updateWeights(Path weightDir) {
        return updater.update(weightDir);
    }

    /** Back to the weights the engine started with. */
    public CompletableFuture<UpdateResult> reloadWeights() {
        return updater.reload();
    }

    /** vLLM's /pause. Completes when the engine is paused (for WAIT: once running requests have finished). */
    public CompletableFuture<Void> pause(PauseMode mode) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        runOnEngine(() -> {
            switch (mode) {
                case ABORT -> {
                    abortAll();
                    paused = true;
                    done.complete(null);
                }
                case KEEP -> {
                    paused = true;
                    done.complete(null);
                }
                case WAIT -> {
                    if (running.isEmpty()) {
                        paused = true;
                        done.complete(null);
                    } else {
                        draining = true;
                        drainWaiters.add(done);
                    }
                }
            }
        });
        return done;
    }

    public CompletableFuture<Void> resume() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        runOnEngine(() -> {
            paused = false;
            draining = false;
            drainWaiters.forEach(w -> w.complete(null));
            drainWaiters.clear();
            done.complete(null);
        });
        return done;
    }

    public boolean isPaused() {
        return paused;
    }

    public EngineStats stats() {
        Weights w = weights;
        return new EngineStats(runningCount, waiting.size(), paused, stepsTotal.get(), generatedTokensTotal.get(),
                promptTokensTotal.get(), lastStepMillis, updater.liveStep(), w.source().toString(),
                updater.updatesTotal(), updater.updatesFailed());
    }

    StepClock clock() {
        return clock;
    }

    List<EngineListener> listeners() {
        return listeners;
    }

    /** Runs {@code command} on the engine thread between two steps (after the next step, when called by a command). */
    void runOnEngine(Runnable command) {
        commands.add(command);
        LockSupport.unpark(thread);
    }

    /** Holds the engine between two steps until {@link #unfreeze()}; returns once it is holding. */
    void freeze() throws InterruptedException {
        frozenAcknowledged = false;
        frozenForUpdate = true;
        LockSupport.unpark(thread);
        while (!frozenAcknowledged && !closed) {
            Thread.sleep(0, 200_000);
        }
    }

    void unfreeze() {
        frozenForUpdate = false;
        LockSupport.unpark(thread);
    }

    int runningCount() {
        return runningCount;
    }

    private void loop() {
        if (engineConfig.engineNice() > 0) {
            // before the first parallel op, so PyTorch's OpenMP workers for this thread inherit it
            String refused = ThreadNice.raiseCurrentThread(engineConfig.engineNice());
            if (refused != null) {
                log.warn("engine thread keeps its CPU priority (--engine-nice {}): {}", engineConfig.engineNice(), refused);
            }
        }
        ai.djl.pytorch.jni.JniUtils.setGradMode(false); // inference only; grad mode is per thread
        while (!closed) {
            try {
                // only those queued before this boundary: one that queues a command (an overlapped
                // load's next pieces) gets it run after the next step
                for (int n = commands.size(); n > 0; n--) {
                    commands.poll().run();
                }
                if (frozenForUpdate) {
                    frozenAcknowledged = true;
                    LockSupport.parkNanos(IDLE_PARK_NANOS);
                    continue;
                }
                long start = System.nanoTime();
                int decoded = step();
                if (decoded > 0) {
                    // the whole iteration, admission and freeing the step's arrays included: the
                    // interval a running stream sees between two tokens
                    long end = System.nanoTime();
                    lastStepMillis = (end - start) / 1e6;
                    clock.record(end, end - start);
                    for (EngineListener l : listeners) {
                        l.onStep(decoded, end - start);
                    }
                } else if (decoded < 0) {
                    LockSupport.parkNanos(IDLE_PARK_NANOS);
                }
                countArrays(System.nanoTime());
            } catch (RuntimeException | Error e) {
                log.error("engine step failed; aborting running requests", e);
                abortAll();
            }
        }
        abortAll();
    }

    /**
     * One engine step.
     *
     * @return the batch decoded; 0 when only admission happened; -1 when there was nothing to do
     */
    private int step() {
        try (NDManager step = root.newSubManager()) {
            retireCancelled(step);
            int admitted = paused || draining ? 0 : admit(step);
            if (paused || running.isEmpty()) {
                runningCount = running.size();
                return admitted > 0 ? 0 : -1;
            }
            int batch = running.size();
            decode(step);
            if (draining && running.isEmpty()) {
                draining = false;
                paused = true;
                drainWaiters.forEach(w -> w.complete(null));
                drainWaiters.clear();
            }
            runningCount = running.size();
            return batch;
        }
    }

    /**
     * Admits waiting requests into free slots, within the step's prompt-token budget, and prefills
     * them together in one batched forward; each gets its first token from it.
     */
    private int admit(NDManager step) {
        List<Sequence> admitted = new ArrayList<>();
        int budget = engineConfig.prefillTokenBudget();
        while (running.size() + admitted.size() < engineConfig.maxBatch() && !waiting.isEmpty()) {
            GenerationRequest next = waiting.peek();
            if (!admitted.isEmpty() && next.promptLength() > budget) {
                break;
            }
            waiting.poll();
            if (next.isCancelled()) {
                next.sink().onFinish(FinishReason.ABORT, next.promptLength(), 0);
                continue;
            }
            Sequence seq = new Sequence(next, tokenizer, eos);
            seq.slot = running.size() + admitted.size();
            seq.position = next.promptLength();
            admitted.add(seq);
            budget -= next.promptLength();
        }
        if (admitted.isEmpty()) {
            return 0;
        }
        int[][] prompts = new int[admitted.size()][];
        for (int i = 0; i < prompts.length; i++) {
            prompts[i] = admitted.get(i).request.promptTokens();
            promptTokensTotal.addAndGet(prompts[i].length);
        }
        int promptTokens = 0;
        for (int[] p : prompts) {
            promptTokens += p.length;
        }
        threads.forTokens(promptTokens);
        float[] logits = model.prefill(step, weights, cache, running.size(), prompts);
        int vocab = config.vocabSize();
        for (int i = 0; i < prompts.length; i++) {
            Sequence seq = admitted.get(i);
            seq.accept(logits, i * vocab, vocab);
            running.add(seq);
        }
        generatedTokensTotal.addAndGet(prompts.length);
        retireFinished(step);
        return prompts.length;
    }

    /** One batched forward: every running sequence feeds its last token and gets the next. */
    private void decode(NDManager step) {
        int b = running.size();
        int[] tokens = new int[b];
        long[] positions = new long[b];
        for (int i = 0; i < b; i++) {
            Sequence s = running.get(i);
            tokens[i] = s.nextToken;
            positions[i] = s.position;
        }
        threads.forTokens(b);
        float[] logits = model.decode(step, weights, cache, tokens, positions);
        int vocab = config.vocabSize();
        for (int i = 0; i < b; i++) {
            Sequence s = running.get(i);
            s.position++;
            s.accept(logits, i * vocab, vocab);
        }
        generatedTokensTotal.addAndGet(b);
        stepsTotal.incrementAndGet();
        retireFinished(step);
    }

    private void retireFinished(NDManager step) {
        for (int i = running.size() - 1; i >= 0; i--) {
            if (running.get(i).finished()) {
                retire(step, i);
            }
        }
    }

    private void retireCancelled(NDManager step) {
        for (int i = running.size() - 1; i >= 0; i--) {
            Sequence s = running.get(i);
            if (s.request.isCancelled()) {
                s.abort();
                retire(step, i);
            }
        }
        for (Iterator<GenerationRequest> it = waiting.iterator(); it.hasNext(); ) {
            GenerationRequest r = it.next();
            if (r.isCancelled()) {
                it.remove();
                r.sink().onFinish(FinishReason.ABORT, r.promptLength(), 0);
            }
        }
    }

    /** Completes the sequence in slot {@code i} and moves the last running sequence into its slot. */
    private void retire(NDManager step, int i) {
        Sequence done = running.get(i);
        int last = running.size() - 1;
        if (i != last) {
            Sequence moved = running.get(last);
            cache.move(step, last, i, moved.position);
            moved.slot = i;
            running.set(i, moved);
        }
        running.remove(last);
        done.complete();
    }

    private void abortAll() {
        for (Sequence s : running) {
            s.abort();
            s.complete();
        }
        running.clear();
        runningCount = 0;
        for (GenerationRequest r; (r = waiting.poll()) != null; ) {
            r.sink().onFinish(FinishReason.ABORT, r.promptLength(), 0);
        }
    }

    LlamaModel model() {
        return model;
    }

    NDManager rootManager() {
        return root;
    }

    /**
     * NDArrays alive in the engine's managers between two steps (counted on the engine thread at most
     * every {@value #ARRAY_COUNT_EVERY_MILLIS} ms): the weights (two sets while an overlapped update
     * loads), the KV cache and the rotary tables. The step's temporaries are gone by then, so over a
     * long run this is flat, or native memory is leaking ({@code ./harness soak} watches it).
     */
    public int arraysBetweenSteps() {
        return arraysBetweenSteps;
    }

    /** Recounts {@link #arraysBetweenSteps()}; walks the managers' maps only, nothing native. */
    private void countArrays(long nowNanos) {
        if (nowNanos - arraysCountedNanos >= ARRAY_COUNT_EVERY_MILLIS * 1_000_000L) {
            arraysCountedNanos = nowNanos;
            arraysBetweenSteps = root.getManagedArrays().size();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        updater.close();
        root.close();
    }
}
