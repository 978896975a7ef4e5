package io.weightsync.charts;

import io.weightsync.compare.CompareInput;
import io.weightsync.core.report.MetricHistograms;
import io.weightsync.core.report.MetricNames;
import io.weightsync.core.report.Report;
import io.weightsync.experiment.ModeResult;
import io.weightsync.experiment.ThroughputSample;
import io.weightsync.experiment.UpdatePhases;
import io.weightsync.soak.GrowthCheck;
import io.weightsync.soak.Resource;
import io.weightsync.soak.ResourceSample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.HdrHistogram.Histogram;

/**
 * Each chart page built the way its command builds it, from made-up but plausible inputs: the
 * experiment page from two modes' reports, throughput and update phases; the compare page from two
 * reports; the soak page from samples and the growth checks made from them.
 */
final class PageFixtures {

    /** Epoch ms of the first throughput sample of a mode. */
    private static final double T0 = 1_700_000_000_000.0;

    private static final double NAN = Double.NaN;

    /** Soak fixture: 5 minutes, a sample every 5 s, the first minute warm-up. */
    static final double SOAK_WARMUP_S = 60;
    static final int SOAK_SAMPLES = 60;
    static final double SOAK_INTERVAL_S = 5;

    private PageFixtures() {}

    static String experimentPage() {
        return ExperimentHtml.html("queue experiment", List.of(mode("shared", 8000, 3), mode("dedicated", 50, 0)));
    }

    static String comparePage() {
        Report before = report(8000, 1000);
        Report after = report(60, 950);
        return CompareHtml.html(new CompareInput.ReportInput(Path.of("results/before/report.json"), before),
                new CompareInput.ReportInput(Path.of("results/after/report.json"), after));
    }

    /** A soak whose ndarrays grow by {@code ndarrayGrowth} after warm-up (0: it passes); heap not exposed when asked. */
    static SoakHtml.Input soak(double ndarrayGrowth, boolean heapExposed) {
        List<ResourceSample> samples = soakSamples(ndarrayGrowth, heapExposed);
        List<GrowthCheck> checks = GrowthCheck.evaluate(samples, SOAK_WARMUP_S, Map.of());
        List<String> failures = new ArrayList<>();
        for (GrowthCheck c : checks) {
            if (c.failed()) {
                failures.add(c.resource().key + " grew by " + c.growth() + " after warm-up (bound " + c.bound() + ")");
            }
        }
        return new SoakHtml.Input("soak-fixture", "Server: embedded. 5.0 min of 64 streams, a sample every 5 s.",
                SOAK_WARMUP_S, samples, checks, failures);
    }

    static String soakPage() {
        return SoakHtml.html(soak(0, true));
    }

    /**
     * RSS climbing during warm-up then level with jitter, heap a sawtooth over a floor, fds and threads
     * steady, ndarrays 38 between steps with a spike to 76 while an update holds two weight sets.
     */
    static List<ResourceSample> soakSamples(double ndarrayGrowth, boolean heapExposed) {
        Random random = new Random(20);
        List<ResourceSample> samples = new ArrayList<>();
        for (int i = 0; i < SOAK_SAMPLES; i++) {
            double t = (i + 1) * SOAK_INTERVAL_S;
            Map<Resource, Double> v = new EnumMap<>(Resource.class);
            double warm = Math.min(1, t / SOAK_WARMUP_S);
            v.put(Resource.RSS, 1700 + 140 * warm + 6 * random.nextGaussian());
            v.put(Resource.NATIVE, 1580 + 130 * warm + 5 * random.nextGaussian());
            v.put(Resource.HEAP, heapExposed ? 14 + (i % 7) * 5 + random.nextDouble() : NAN);
            v.put(Resource.OPEN_FDS, 84.0 + (i % 11 == 0 ? 1 : 0));
            v.put(Resource.THREADS, 15.0 + (t < SOAK_WARMUP_S ? 1 : 0));
            v.put(Resource.NDARRAYS, (i % 5 == 2 ? 76.0 : 38.0) + (t > SOAK_WARMUP_S * 3 ? ndarrayGrowth : 0));
            samples.add(new ResourceSample(t, v, 1000 + 50 * random.nextGaussian(), 40 + random.nextDouble() * 5,
                    18L * (i + 1), 0, i + 1, 0));
        }
        return samples;
    }

    private static Histogram millis(String metric, double fromMs, double stepMs, int count) {
        Histogram h = MetricHistograms.create();
        for (int i = 0; i < count; i++) {
            MetricHistograms.record(h, metric, fromMs + i * stepMs);
        }
        return h;
    }

    private static Report report(double queueFromMs, double rpcFromMs) {
        return Report.builder(Report.KIND_EXPERIMENT)
                .metric(MetricNames.WEIGHTS_QUEUE_MS, millis(MetricNames.WEIGHTS_QUEUE_MS, queueFromMs, queueFromMs / 50, 200))
                .metric(MetricNames.WEIGHTS_RPC_MS, millis(MetricNames.WEIGHTS_RPC_MS, rpcFromMs, 2, 200))
                .metric(MetricNames.STREAM_ITL_MS, millis(MetricNames.STREAM_ITL_MS, 20, 0.05, 2000))
                .metric(MetricNames.STREAM_TTFT_MS, millis(MetricNames.STREAM_TTFT_MS, 40, 0.5, 500))
                .counter("updates", 6).counter("requests", 500).counter("errors", 0).build();
    }

    /** Samples every second for 10 s; six updates, {@code overlapping} of them overlapping the one before. */
    private static ModeResult mode(String name, double queueFromMs, int overlapping) {
        List<ThroughputSample> samples = new ArrayList<>();
        for (int i = 0; i <= 10; i++) {
            samples.add(new ThroughputSample(T0 + i * 1000, 900 - 30 * (i % 4)));
        }
        List<UpdatePhases> updates = new ArrayList<>();
        for (int k = 0; k < 6; k++) {
            double send = T0 + 500 + k * (k < overlapping ? 300 : 1500);
            double queue = Math.min(queueFromMs, 1200);
            updates.add(new UpdatePhases(String.format("%016x", 0xabc0L + k), k + 1, send, send + queue,
                    send + queue + 5, send + queue + 400, send + queue + 410, true));
        }
        updates.add(new UpdatePhases("ffffffffffffffff", 7, T0 + 9500, NAN, NAN, NAN, T0 + 9900, false));
        return new ModeResult(name, report(queueFromMs, 1000), samples, updates);
    }
}
