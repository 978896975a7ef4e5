package io.weightsync.soak;

import io.weightsync.client.AdminClient;
import io.weightsync.client.AdminMode;
import io.weightsync.client.ClientMetrics;
import io.weightsync.client.EventLog;
import io.weightsync.client.HttpClients;
import io.weightsync.client.ServedModel;
import io.weightsync.client.UpdateOutcome;
import io.weightsync.core.ckpt.Folders;
import io.weightsync.core.report.MetricHistograms;
import io.weightsync.core.report.MetricNames;
import io.weightsync.experiment.EmbeddedServer;
import io.weightsync.experiment.Experiment;
import io.weightsync.progress.ProgressDisplay;
import io.weightsync.server.model.TinyModel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.HdrHistogram.Histogram;

/**
 * {@code ./harness soak}: streams plus a weight update every few seconds for minutes or hours, while
 * the server's own {@code /metrics} is sampled every interval (RSS, heap, open file descriptors,
 * threads, the engine's native arrays). After warm-up, each must stay within its growth bound
 * ({@link GrowthCheck}); every stream must finish and every update succeed. Samples go to a CSV as
 * they are taken, so a run that dies still leaves what it saw.
 */
public final class Soak {

    /** Consecutive failed scrapes after which the server counts as gone. */
    static final int MAX_SCRAPE_FAILURES = 3;
    private static final Duration SERVER_START = Duration.ofSeconds(180);
    /** How long the end of the run waits for an update in flight before interrupting it. */
    private static final long UPDATE_DRAIN_MILLIS = 30_000;

    /**
     * @param out the results folder
     * @param failures one line per reason the soak failed; empty when it passed
     * @param partial why the run stopped before its time; null when it ran to the end
     */
    public record Result(Path out, List<GrowthCheck> checks, SoakWorkload workload, List<String> failures,
            String partial) {
        public boolean passed() {
            return failures.isEmpty();
        }

        /** The page of charts: the checks, then every resource over time. */
        public Path page() {
            return out.resolve(SoakReport.PAGE);
        }
    }

    private final SoakConfig config;
    private volatile boolean updatesStopping;
    private String gitSha;

    public Soak(SoakConfig config) {
        this.config = config;
    }

    /**
     * @param barOut where progress goes: stderr, shown as a bar when it is a terminal, as plain lines
     *     otherwise, not at all when the config turns progress off
     */
    public Result run(PrintStream barOut) throws IOException, InterruptedException {
        gitSha = Experiment.gitSha(); // the code that runs: read now, not when the report is written
        Path out = config.out();
        Files.createDirectories(out);
        Path weightsRoot = null;
        EmbeddedServer server = null;
        try (EventLog log = EventLog.toFile(out.resolve("client.log"))) {
            HttpUrl base;
            List<String> targets = new ArrayList<>(); // weight dirs; null = /reload_weights
            CompletableFuture<String> abort = new CompletableFuture<>();
            if (config.baseUrl() == null) {
                weightsRoot = Files.createTempDirectory("harness-soak-weights");
                targets.add(TinyModel.publishStep(weightsRoot, TinyModel.config(), 1, 1001).toString());
                targets.add(TinyModel.publishStep(weightsRoot, TinyModel.config(), 2, 1002).toString());
                server = EmbeddedServer.start(List.of("--update-mode", config.updateMode(),
                        "--max-batch", String.valueOf(config.maxBatch())), out.resolve("server.log"), SERVER_START);
                server.whenItDies(status -> abort.complete("the embedded server exited with status " + status));
                base = server.baseUrl();
            } else {
                base = config.baseUrl();
                targets.addAll(config.weightDirs());
            }
            targets.add(null);
            return soak(base, targets, log, abort, barOut);
        } finally {
            if (server != null) {
                server.close();
            }
            if (weightsRoot != null) {
                Folders.deleteRecursively(weightsRoot);
            }
        }
    }

    private Result soak(HttpUrl base, List<String> targets, EventLog log, CompletableFuture<String> abort,
            PrintStream barOut) throws IOException, InterruptedException {
        OkHttpClient scrapeClient = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(10)).build();
        Request metricsRequest = new Request.Builder().url(base.newBuilder().addPathSegment("metrics").build()).build();
        String model = ServedModel.first(base); // "cannot reach URL: why" first, if so
        PrometheusText first;
        try {
            first = scrape(scrapeClient, metricsRequest);
        } catch (IOException e) {
            throw new IOException(e.getMessage() + ": a soak reads the server's resources from its /metrics", e);
        }
        if (ResourceSample.read(first).values().stream().allMatch(v -> v.isNaN())) {
            throw new IOException(metricsRequest.url() + " exposes none of what a soak watches (process_resident_memory_bytes,"
                    + " process_open_fds, jvm_memory_*, jvm_threads_current, harness_ndarrays)");
        }
        ClientMetrics metrics = new ClientMetrics();
        OkHttpClient rollouts = HttpClients.rollouts(config.streams(), Duration.ofSeconds(120));
        AdminClient admin = new AdminClient(HttpClients.admin(AdminMode.DEDICATED, rollouts), base,
                config.adminToken(), log, metrics, 3);
        SoakLoad load = new SoakLoad(rollouts, base, model, config.streams(), config.maxTokens(), config.seed(), metrics);
        Sampler sampler = new Sampler(scrapeClient, metricsRequest, metrics, load, config.out().resolve("samples.csv"), abort);
        AtomicReference<String> firstUpdateError = new AtomicReference<>();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "soak-sampler");
            t.setDaemon(true);
            return t;
        });
        long durationMillis = config.duration().toMillis();
        String partial = null;
        ProgressDisplay.Kind kind = ProgressDisplay.Kind.forStderr(config.progress());
        // steps are seconds: the bar redraws every second; plain lines come every 1/20 of the duration
        try (ProgressDisplay bar = ProgressDisplay.open(kind, "soak", Math.max(1, durationMillis / 1000), "s", 1000, barOut)) {
            bar.phase(config.streams() + " streams, sampling /metrics every " + config.interval().toMillis() / 1e3 + " s");
            long start = System.nanoTime();
            sampler.start(start);
            load.start();
            Thread updater = new Thread(() -> updateLoop(admin, targets, start, firstUpdateError), "soak-updates");
            updater.setDaemon(true);
            updater.start();
            long interval = config.interval().toMillis();
            timer.scheduleAtFixedRate(() -> {
                sampler.sample();
                bar.stepTo(Math.min(durationMillis, (System.nanoTime() - start) / 1_000_000) / 1000, sampler.line());
            }, interval, interval, TimeUnit.MILLISECONDS);
            try {
                partial = abort.get(durationMillis, TimeUnit.MILLISECONDS);
            } catch (TimeoutException ranToTheEnd) {
                partial = null;
            } catch (ExecutionException impossible) {
                partial = String.valueOf(impossible.getCause());
            }
            timer.shutdown();
            timer.awaitTermination(15, TimeUnit.SECONDS);
            updatesStopping = true; // an update in flight finishes first (bounded)
            updater.join(UPDATE_DRAIN_MILLIS);
            updater.interrupt();
            load.stop();
            if (partial == null) {
                bar.stepTo(durationMillis / 1000, sampler.line());
            }
        } finally {
            timer.shutdownNow();
            HttpClients.shutdown(rollouts);
            sampler.close();
        }
        metrics.recordStalls(Long.MAX_VALUE);
        List<ResourceSample> samples = sampler.samples();
        List<GrowthCheck> checks = GrowthCheck.evaluate(samples, config.warmup().toMillis() / 1e3, config.bounds());
        SoakWorkload workload = new SoakWorkload(metrics.requests.get(), metrics.errors.get(), load.firstError(),
                metrics.tokens.get(), metrics.updates.get(), metrics.updatesFailed.get(), firstUpdateError.get(),
                sampler.totals());
        List<String> failures = failures(checks, workload, partial);
        Result result = new Result(config.out(), checks, workload, failures, partial);
        SoakReport.write(config, base, gitSha, samples, result);
        return result;
    }

    /**
     * Updates on a fixed schedule from the start (one every {@code updateEvery}), cycling through the
     * targets; an update that takes longer than the period delays the next, it never overlaps it
     * (the server serializes updates anyway). It ends when {@link #updatesStopping} is set, after the
     * update in flight, or at once on an interrupt.
     */
    private void updateLoop(AdminClient admin, List<String> targets, long startNanos, AtomicReference<String> firstError) {
        long period = config.updateEvery().toNanos();
        for (int k = 1; ; k++) {
            long due = startNanos + k * period;
            try {
                for (long wait; !updatesStopping && (wait = due - System.nanoTime()) > 0; ) {
                    TimeUnit.NANOSECONDS.sleep(Math.min(wait, 100_000_000L));
                }
            } catch (InterruptedException stop) {
                return;
            }
            if (updatesStopping) {
                return;
            }
            String target = targets.get((k - 1) % targets.size());
            UpdateOutcome outcome;
            try {
                outcome = target == null ? admin.reloadWeights() : admin.updateWeights(target);
            } catch (InterruptedException stop) {
                return;
            }
            if (!outcome.ok()) {
                firstError.compareAndSet(null, (target == null ? "/reload_weights" : "/update_weights " + target)
                        + ": " + outcome.error());
            }
        }
    }

    private static List<String> failures(List<GrowthCheck> checks, SoakWorkload w, String partial) {
        List<String> failures = new ArrayList<>();
        if (partial != null) {
            failures.add("stopped early: " + partial);
        }
        for (GrowthCheck c : checks) {
            if (c.verdict() == GrowthCheck.Verdict.GREW) {
                failures.add(String.format(java.util.Locale.ROOT, "%s grew by %.1f%s after warm-up (bound %.1f%s; %.1f -> %.1f)",
                        c.resource().key, c.growth(), unitSuffix(c.resource()), c.bound(), unitSuffix(c.resource()),
                        c.first(), c.last()));
            } else if (c.verdict() == GrowthCheck.Verdict.TOO_FEW_SAMPLES) {
                failures.add(c.resource().key + ": only " + c.samples() + " samples after warm-up, need "
                        + 2 * GrowthCheck.MIN_WINDOW + " (run longer, sample more often or warm up less)");
            }
        }
        if (w.streamErrors() > 0) {
            failures.add(w.streamErrors() + " streams failed; first: " + w.firstStreamError());
        }
        if (w.updatesFailed() > 0) {
            failures.add(w.updatesFailed() + " weight updates failed; first: " + w.firstUpdateError());
        }
        if (w.updatesOk() == 0 && partial == null) {
            failures.add("no weight update succeeded: a soak without updates does not test them");
        }
        return failures;
    }

    private static String unitSuffix(Resource r) {
        return r.unit.isEmpty() ? "" : " " + r.unit;
    }

    static PrometheusText scrape(OkHttpClient client, Request request) throws IOException {
        try (Response r = client.newCall(request).execute()) {
            if (r.code() != 200) {
                throw new IOException("GET " + request.url() + " answered " + r.code());
            }
            return PrometheusText.parse(r.body().string());
        }
    }

    /** The client-side totals a soak reports, by metric name, from the streams' and updates' recorders. */
    static Map<String, Histogram> emptyTotals() {
        Map<String, Histogram> totals = new LinkedHashMap<>();
        for (String name : List.of(MetricNames.STREAM_TTFT_MS, MetricNames.STREAM_ITL_MS, MetricNames.STREAM_E2E_MS,
                MetricNames.WEIGHTS_WALL_MS, MetricNames.WEIGHTS_RPC_MS, MetricNames.GEN_STALL_MS)) {
            totals.put(name, MetricHistograms.create());
        }
        return totals;
    }
}
