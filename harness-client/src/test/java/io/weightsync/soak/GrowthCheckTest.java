package io.weightsync.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

class GrowthCheckTest {

    /** One sample a second for {@code seconds}; every resource follows {@code value(t)}, threads are absent. */
    private static List<ResourceSample> run(int seconds, DoubleUnaryOperator value) {
        List<ResourceSample> samples = new ArrayList<>();
        for (int t = 0; t < seconds; t++) {
            Map<Resource, Double> v = new EnumMap<>(Resource.class);
            for (Resource r : Resource.values()) {
                v.put(r, r == Resource.THREADS ? Double.NaN : value.applyAsDouble(t));
            }
            samples.add(new ResourceSample(t, v, 100, 20, t, 0, t / 5, 0));
        }
        return samples;
    }

    private static GrowthCheck check(List<GrowthCheck> checks, Resource r) {
        return checks.stream().filter(c -> c.resource() == r).findFirst().orElseThrow();
    }

    @Test
    void aFlatNoisyRunPasses() {
        List<GrowthCheck> checks = GrowthCheck.evaluate(run(120, t -> 1000 + 5 * Math.sin(t)), 30, Map.of());
        assertThat(check(checks, Resource.RSS).verdict()).isEqualTo(GrowthCheck.Verdict.PASS);
        assertThat(check(checks, Resource.RSS).growth()).isBetween(-10.0, 10.0);
        assertThat(check(checks, Resource.THREADS).verdict()).isEqualTo(GrowthCheck.Verdict.NOT_EXPOSED);
        assertThat(checks).noneMatch(GrowthCheck::failed);
    }

    @Test
    void aSteadyLeakFailsWithItsGrowthAndSlope() {
        // 5 units per second after a 30 s warm-up: 90 samples, windows of 22, whose medians are 68 s apart
        List<GrowthCheck> checks = GrowthCheck.evaluate(run(120, t -> 500 + 5 * t), 30, Map.of());
        GrowthCheck rss = check(checks, Resource.RSS);
        assertThat(rss.verdict()).as("bound 256").isEqualTo(GrowthCheck.Verdict.GREW);
        assertThat(rss.growth()).isCloseTo(340, within(1.0));
        assertThat(rss.slopePerHour()).isCloseTo(18_000, within(1.0));
        assertThat(check(checks, Resource.NDARRAYS).verdict()).as("bound 0").isEqualTo(GrowthCheck.Verdict.GREW);
    }

    @Test
    void aBoundCanBeRaised() {
        List<GrowthCheck> checks = GrowthCheck.evaluate(run(120, t -> 500 + 5 * t), 30, Map.of(Resource.RSS, 400.0));
        assertThat(check(checks, Resource.RSS).verdict()).isEqualTo(GrowthCheck.Verdict.PASS);
        assertThat(check(checks, Resource.RSS).bound()).isEqualTo(400);
    }

    @Test
    void growthDuringWarmUpIsNotALeak() {
        List<GrowthCheck> checks = GrowthCheck.evaluate(run(120, t -> t < 30 ? 10 * t : 300), 30, Map.of());
        assertThat(checks).noneMatch(GrowthCheck::failed);
    }

    @Test
    void aSawtoothIsJudgedByItsFloorWhereTheStatisticIsTheMinimum() {
        // heap: used climbs 0..90 and collapses every 10 s; its floor stays at 20, so no growth
        List<GrowthCheck> checks = GrowthCheck.evaluate(run(120, t -> 20 + 9 * (t % 10)), 30, Map.of());
        assertThat(check(checks, Resource.HEAP).growth()).isZero();
        assertThat(check(checks, Resource.HEAP).verdict()).isEqualTo(GrowthCheck.Verdict.PASS);
        // a floor that rises is a leak, however high the teeth
        List<GrowthCheck> leaking = GrowthCheck.evaluate(run(120, t -> 20 + t + 9 * (t % 10)), 30, Map.of());
        assertThat(check(leaking, Resource.HEAP).verdict()).isEqualTo(GrowthCheck.Verdict.GREW);
    }

    @Test
    void tooFewSamplesAfterWarmUpFailsRatherThanPassing() {
        List<GrowthCheck> checks = GrowthCheck.evaluate(run(35, t -> 1), 30, Map.of());
        assertThat(check(checks, Resource.RSS).verdict()).isEqualTo(GrowthCheck.Verdict.TOO_FEW_SAMPLES);
        assertThat(check(checks, Resource.RSS).failed()).isTrue();
    }
}
