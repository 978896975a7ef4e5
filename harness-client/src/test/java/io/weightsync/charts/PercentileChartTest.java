package io.weightsync.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.weightsync.analyze.Numbers;
import io.weightsync.core.report.MetricHistograms;
import io.weightsync.core.report.MetricNames;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class PercentileChartTest {

    private static Histogram of(String metric, double... valuesMs) {
        Histogram h = MetricHistograms.create();
        for (double v : valuesMs) {
            MetricHistograms.record(h, metric, v);
        }
        return h;
    }

    private static Map<String, Histogram> sides(Histogram a, Histogram b) {
        Map<String, Histogram> m = new LinkedHashMap<>();
        m.put("shared", a);
        m.put("dedicated", b);
        return m;
    }

    @Test
    void sixUpdatesEndTheAxisAt83PercentWhereTheirMaxIsDrawnWithNoFlatLineBeyond() {
        String metric = MetricNames.WEIGHTS_QUEUE_MS;
        Histogram six = of(metric, 5000, 5100, 5200, 5300, 5400, 6000);

        PercentileChart chart = PercentileChart.of(metric, sides(six, of(metric, 10, 11, 12, 13, 14, 40)));

        // six values support percentiles up to 100 (1 - 1/6) = 83.3%
        assertThat(chart.endPercentile()).isCloseTo(83.333, within(0.001));
        for (PercentileChart.Series s : chart.series()) {
            List<PercentileChart.Point> points = s.points();
            assertThat(points).allSatisfy(p -> assertThat(p.percentile()).isLessThanOrEqualTo(chart.endPercentile()));
            PercentileChart.Point last = points.get(points.size() - 1);
            assertThat(last.percentile()).isEqualTo(chart.endPercentile());
            // only the last point is at the end: the max, not a line drawn flat to 99.999%
            assertThat(points.get(points.size() - 2).percentile()).isLessThan(chart.endPercentile());
            assertThat(s.count()).isEqualTo(6);
        }
        assertThat(chart.series().get(0).points().get(chart.series().get(0).points().size() - 1).value())
                .isCloseTo(6000, within(6.0));
    }

    @Test
    void theAxisEndsAtTheLargestSamplesLastPercentileCappedAt99999() {
        String metric = MetricNames.STREAM_ITL_MS;
        double[] many = new double[200_000];
        for (int i = 0; i < many.length; i++) {
            many[i] = 1 + i % 100;
        }
        PercentileChart capped = PercentileChart.of(metric, sides(of(metric, many), of(metric, 1, 2, 3, 4)));
        assertThat(capped.endPercentile()).isEqualTo(PercentileChart.MAX_PERCENTILE);
        // the small series ends at its own 75%
        List<PercentileChart.Point> small = capped.series().get(1).points();
        assertThat(small.get(small.size() - 1).percentile()).isEqualTo(75.0);

        PercentileChart one = PercentileChart.of(metric, Map.of("one", of(metric, 7)));
        assertThat(one.endPercentile()).isEqualTo(PercentileChart.MIN_END_PERCENTILE);
    }

    @Test
    void aFewNearZeroInterTokenGapsAreClampedToTheBulksFloorAndTheChartSaysSo() {
        String metric = MetricNames.STREAM_ITL_MS;
        double[] itl = new double[1000];
        for (int i = 0; i < itl.length; i++) {
            itl[i] = 25 * Math.pow(100, i / 999.0); // 25 .. 2500 ms, evenly on a log scale
        }
        itl[0] = 0.003; // a chunk that arrived in the same read as the one before
        Histogram shared = of(metric, itl);
        itl[0] = 26;
        Histogram dedicated = of(metric, itl);

        PercentileChart chart = PercentileChart.of(metric, sides(shared, dedicated));

        assertThat(chart.logValues()).isTrue();
        // the floor is a tenth of the lowest p5 (31.6 ms / 10), not 0.003 ms: the axis no longer reaches
        // down to 0.001
        assertThat(chart.floor()).isNotNull().isCloseTo(shared.getValueAtPercentile(5) / 1000.0 / 10, within(0.001))
                .isBetween(3.1, 3.2);
        assertThat(chart.smallest()).isCloseTo(0.003, within(0.0001));
        // the plotted points keep the true value (the legend shows it); charts.js clamps them when drawing
        assertThat(chart.series().get(0).points().get(0).value()).isCloseTo(0.003, within(0.0001));
        assertThat(chart.html("h3", 5)).contains("<p class=\"note\">Values below " + Numbers.reading(chart.floor()) + " ms", "the smallest is 0.003 ms");
        assertThat(UPlotAssets.get().chartsScript()).contains("Math.max(v, chart.floor)");
    }

    @Test
    void onABusyHostMoreThanOnePercentOfGapsNearZeroStillDoNotStretchTheAxis() {
        String metric = MetricNames.STREAM_ITL_MS;
        double[] itl = new double[1000];
        for (int i = 0; i < itl.length; i++) {
            // 2% at 0.001-0.005 ms, the rest 25-2500 ms
            itl[i] = i < 20 ? 0.001 + i * 0.0002 : 25 * Math.pow(100, i / 999.0);
        }
        PercentileChart chart = PercentileChart.of(metric, Map.of("shared", of(metric, itl)));

        assertThat(chart.logValues()).isTrue();
        assertThat(chart.floor()).isNotNull().isGreaterThan(2.5);
        assertThat(chart.smallest()).isLessThan(0.01);
    }

    @Test
    void withoutOutliersBelowTheBulkNothingIsClampedAndNoNoteIsWritten() {
        String metric = MetricNames.WEIGHTS_QUEUE_MS;
        PercentileChart chart = PercentileChart.of(metric, sides(of(metric, 5000, 5100, 6000), of(metric, 10, 12, 40)));

        assertThat(chart.logValues()).isTrue();
        assertThat(chart.floor()).isNull();
        assertThat(chart.html("h2", 0)).doesNotContain("class=\"note\"");
        // a narrow spread stays linear
        PercentileChart narrow = PercentileChart.of(metric, sides(of(metric, 100, 110), of(metric, 120, 150)));
        assertThat(narrow.logValues()).isFalse();
        assertThat(narrow.floor()).isNull();
    }
}
