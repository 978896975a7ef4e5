package io.weightsync.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.weightsync.analyze.Numbers;
import io.weightsync.core.report.MetricHistograms;
import io.weightsync.core.report.MetricNames;
import io.weightsync.core.report.MetricSummary;
import io.weightsync.core.report.Report;
import io.weightsync.experiment.ModeResult;
import io.weightsync.experiment.ThroughputSample;
import io.weightsync.experiment.UpdatePhases;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ExperimentHtmlTest {

    /** Epoch ms of the first throughput sample of {@link #timedMode}. */
    private static final double T0 = 1_700_000_000_000.0;

    private static final double NAN = Double.NaN;

    /** {@code count} values from {@code fromMs} in steps of {@code stepMs}. */
    private static Histogram millis(String metric, double fromMs, double stepMs, int count) {
        Histogram h = MetricHistograms.create();
        for (int i = 0; i < count; i++) {
            MetricHistograms.record(h, metric, fromMs + i * stepMs);
        }
        return h;
    }

    /** The page as {@code ./harness experiment} writes it: the signature judged on {@code modes}. */
    private static String page(String title, List<ModeResult> modes) {
        return ExperimentHtml.html(title, modes);
    }

    private static ModeResult mode(String name, Report report) {
        return new ModeResult(name, report, List.of(), List.of());
    }

    /** Samples every second for 5 s; three updates, the second without server-side phases and failed. */
    private static ModeResult timedMode(String name) {
        List<ThroughputSample> samples = new ArrayList<>();
        for (int i = 0; i <= 5; i++) {
            samples.add(new ThroughputSample(T0 + i * 1000, 400 - 50 * i));
        }
        List<UpdatePhases> updates = List.of(
                new UpdatePhases("aaaaaaaaaaaaaaaa", 1, T0 + 500, T0 + 700, T0 + 800, T0 + 1800, T0 + 1900, true),
                new UpdatePhases("bbbbbbbbbbbbbbbb", 2, T0 + 3000, NAN, NAN, NAN, T0 + 3500, false),
                new UpdatePhases("cccccccccccccccc", 3, T0 + 3200, T0 + 3250, T0 + 3300, T0 + 3350, T0 + 3400, true));
        Report report = Report.builder(Report.KIND_EXPERIMENT).counter("updates", 3).counter("requests", 120)
                .counter("errors", 1).build();
        return new ModeResult(name, report, samples, updates);
    }

    @Test
    void pageIsSelfContainedWithUPlotInlined() throws IOException {
        String page = page("queue experiment", List.of(timedMode("shared")));

        String webjarScript;
        try (InputStream in = getClass().getClassLoader()
                .getResourceAsStream("META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.iife.min.js")) {
            webjarScript = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(page).contains("var uPlot=function(){\"use strict\";", webjarScript, "The MIT License",
                ".uplot, .uplot *");
        assertThat(page).doesNotContain("src=\"http", "href=\"http", "<script src=", "<link", "url(http", "@import");
    }

    @Test
    void plottedPercentilesAreHdrHistogramsValuesAtThosePercentiles() {
        // 1, 2, .. 10000 ms: the value at percentile p is p x 100 ms
        Histogram queue = millis(MetricNames.WEIGHTS_QUEUE_MS, 1, 1, 10_000);
        Report report = Report.builder(Report.KIND_EXPERIMENT).metric(MetricNames.WEIGHTS_QUEUE_MS, queue).build();

        JsonNode chart = ChartPages.plotData(page("t", List.of(mode("shared", report))))
                .get("percentiles").get(0);

        assertThat(chart.get("metric").asText()).isEqualTo(MetricNames.WEIGHTS_QUEUE_MS);
        assertThat(chart.get("unit").asText()).isEqualTo("ms");
        JsonNode points = chart.get("series").get(0).get("points");
        assertThat(points.size()).isGreaterThan(20);
        JsonNode first99 = null;
        for (JsonNode point : points) {
            double percentile = point.get(0).asDouble();
            double valueMs = point.get(1).asDouble();
            long expected = queue.getValueAtPercentile(percentile);
            assertThat(valueMs * 1000).as("value at p%s", percentile)
                    .isCloseTo(expected, within((double) queue.sizeOfEquivalentValueRange(expected)));
            if (first99 == null && percentile >= 99) {
                first99 = point;
            }
        }
        JsonNode p50 = points.get(5);
        assertThat(p50.get(0).asDouble()).isEqualTo(50);
        assertThat(p50.get(1).asDouble()).isCloseTo(5000, within(5.0));
        assertThat(first99.get(0).asDouble()).isBetween(99.0, 99.1);
        assertThat(first99.get(1).asDouble()).isCloseTo(first99.get(0).asDouble() * 100, within(10.0));
        // 10,000 values support percentiles up to 100 (1 - 1/10,000) = 99.99%: the max is drawn there
        JsonNode last = points.get(points.size() - 1);
        assertThat(last.get(0).asDouble()).isCloseTo(99.99, within(1e-9));
        assertThat(last.get(1).asDouble()).isCloseTo(10_000, within(10.0));
        assertThat(chart.get("endPercentile").asDouble()).isCloseTo(99.99, within(1e-9));
    }

    @Test
    void onePercentileChartPerMetricAnyModeCarriesInMetricOrderAndATimelinePerMode() {
        Report shared = Report.builder(Report.KIND_EXPERIMENT)
                .metric(MetricNames.WEIGHTS_RPC_MS, millis(MetricNames.WEIGHTS_RPC_MS, 1000, 1, 100))
                .metric(MetricNames.WEIGHTS_QUEUE_MS, millis(MetricNames.WEIGHTS_QUEUE_MS, 8000, 10, 100))
                .counter("updates", 100).build();
        Report dedicated = Report.builder(Report.KIND_EXPERIMENT)
                .metric(MetricNames.WEIGHTS_QUEUE_MS, millis(MetricNames.WEIGHTS_QUEUE_MS, 50, 0.1, 100))
                .metric(MetricNames.STREAM_ITL_MS, millis(MetricNames.STREAM_ITL_MS, 20, 0.1, 100))
                .metric(MetricNames.CKPT_WRITE_MS, millis(MetricNames.CKPT_WRITE_MS, 20, 0.1, 100)).build();

        String page = page("t", List.of(mode("shared", shared), mode("dedicated", dedicated)));
        JsonNode data = ChartPages.plotData(page);

        JsonNode charts = data.get("percentiles");
        assertThat(charts.findValuesAsText("metric")).containsExactly(MetricNames.WEIGHTS_QUEUE_MS,
                MetricNames.WEIGHTS_RPC_MS, MetricNames.STREAM_ITL_MS);
        assertThat(charts.get(0).get("series").findValuesAsText("label")).containsExactly("shared", "dedicated");
        assertThat(charts.get(1).get("series").findValuesAsText("label")).containsExactly("shared");
        assertThat(charts.get(2).get("series").findValuesAsText("label")).containsExactly("dedicated");
        // 8 s queues beside 50 ms ones: log values; 1000..1099 ms alone: linear
        assertThat(charts.get(0).get("logValues").asBoolean()).isTrue();
        assertThat(charts.get(1).get("logValues").asBoolean()).isFalse();
        assertThat(page).contains("id=\"percentile-0\"", "id=\"percentile-1\"", "id=\"percentile-2\"")
                .doesNotContain("id=\"percentile-3\"");

        assertThat(data.get("timelines").findValuesAsText("mode")).containsExactly("shared", "dedicated");
        assertThat(page).contains("id=\"timeline-0\"", "id=\"timeline-1\"").doesNotContain("id=\"timeline-2\"");
        // one table, metrics as rows, modes as columns, "-" where a mode lacks the value
        MetricSummary queue = shared.metrics().get(MetricNames.WEIGHTS_QUEUE_MS);
        MetricSummary dedicatedQueue = dedicated.metrics().get(MetricNames.WEIGHTS_QUEUE_MS);
        MetricSummary rpc = shared.metrics().get(MetricNames.WEIGHTS_RPC_MS);
        assertThat(queue.p50()).isCloseTo(8490, within(10.0));
        assertThat(page).contains("<th>metric</th><th>stat</th><th class=\"num\">shared</th>"
                + "<th class=\"num\">dedicated</th><th class=\"num\">dedicated/<wbr>shared</th>");
        assertThat(page).contains("<tr><td>weights.<wbr>queue_ms</td><td>p50</td>"
                + "<td class=\"num\">" + Numbers.reading(queue.p50()) + "</td><td class=\"num\">"
                + Numbers.reading(dedicatedQueue.p50()) + "</td><td class=\"num\">1/"
                + Math.round(queue.p50() / dedicatedQueue.p50()) + "</td></tr>");
        assertThat(page).contains("<tr><td>weights.<wbr>rpc_ms</td><td>p50</td>"
                + "<td class=\"num\">" + Numbers.reading(rpc.p50()) + "</td><td class=\"num\">-</td>"
                + "<td class=\"num\">-</td></tr>");
        assertThat(page).contains("<tr><td>updates</td><td></td><td class=\"num\">100</td><td class=\"num\">-</td>");
    }

    @Test
    void eachUpdatesPhasesAreSpansAndAnUpdateWithUnseenPhasesIsOneWholeSpan() {
        JsonNode timeline = ChartPages.plotData(page("t", List.of(timedMode("shared"))))
                .get("timelines").get(0);

        assertThat(timeline.get("throughput").get(0).get(0).asDouble()).isZero();
        assertThat(timeline.get("throughput").get(5).get(0).asDouble()).isEqualTo(5.0);
        assertThat(timeline.get("throughput").get(5).get(1).asDouble()).isEqualTo(150.0);
        JsonNode updates = timeline.get("updates");
        assertThat(updates.size()).isEqualTo(3);
        assertThat(spans(updates.get(0))).containsExactly(
                "queue 0.5..0.7", "front end 0.7..0.8", "engine load 0.8..1.8", "response 1.8..1.9");
        assertThat(spans(updates.get(1))).containsExactly("whole update 3.0..3.5");
        assertThat(updates.get(1).get("ok").asBoolean()).isFalse();
        assertThat(spans(updates.get(2))).containsExactly(
                "queue 3.2..3.25", "front end 3.25..3.3", "engine load 3.3..3.35", "response 3.35..3.4");
        // every update a row of its own, so overlapping or back-to-back ones never merge into one band
        assertThat(updates.findValuesAsText("lane")).containsExactly("0", "1", "2");
        assertThat(timeline.get("lanes").asInt()).isEqualTo(3);
        assertThat(timeline.get("startS").asDouble()).isZero();
        assertThat(timeline.get("endS").asDouble()).isEqualTo(5.0);
        assertThat(timeline.get("yMax").asDouble()).isEqualTo(400.0);
        assertThat(textList(timeline.get("phases")))
                .containsExactly("queue", "front end", "engine load", "response", "whole update");
    }

    private static List<String> textList(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }

    private static List<String> spans(JsonNode update) {
        List<String> spans = new ArrayList<>();
        for (JsonNode s : update.get("spans")) {
            spans.add(s.get("phase").asText() + " " + s.get("startS").asDouble() + ".." + s.get("endS").asDouble());
        }
        return spans;
    }

    @Test
    void aTitleOrModeNameCannotEndTheScriptElements() {
        String evil = "</script><script>alert(1)</script>";
        String page = page("run " + evil, List.of(timedMode("shared " + evil)));

        // plot-data, uPlot, charts.js: each closed once, by the page itself
        assertThat(page.split("</script>", -1)).hasSize(4);
        assertThat(page).doesNotContain("<script>alert").contains("<title>run &lt;/script&gt;&lt;script&gt;alert(1)");
        JsonNode data = ChartPages.plotData(page);
        assertThat(data.get("timelines").get(0).get("mode").asText()).isEqualTo("shared " + evil);
    }

    @Test
    void modesMustBeGivenAndNamedApart() {
        assertThatThrownBy(() -> page("t", List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("modes is empty");
        assertThatThrownBy(() -> page("t", List.of(timedMode("shared"), timedMode("shared"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("mode 'shared' appears twice");
    }
}
