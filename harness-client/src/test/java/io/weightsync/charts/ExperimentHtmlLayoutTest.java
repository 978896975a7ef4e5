package io.weightsync.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.weightsync.core.report.Finding;
import io.weightsync.core.report.MetricHistograms;
import io.weightsync.core.report.MetricNames;
import io.weightsync.core.report.Report;
import io.weightsync.experiment.ModeResult;
import io.weightsync.experiment.Signature;
import io.weightsync.experiment.ThroughputSample;
import io.weightsync.experiment.UpdatePhases;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** report.html as a reader meets it: what comes first, one table, and a page that fits a phone. */
class ExperimentHtmlLayoutTest {

    private static final double T0 = 1_700_000_000_000.0;

    private static Histogram millis(String metric, double fromMs, double stepMs, int count) {
        Histogram h = MetricHistograms.create();
        for (int i = 0; i < count; i++) {
            MetricHistograms.record(h, metric, fromMs + i * stepMs);
        }
        return h;
    }

    /** Six updates queued {@code queueMs} each, back to back, engine 150 ms; throughput peaking at {@code peak}. */
    private static ModeResult mode(String name, double queueMs, double peak, Finding... findings) {
        List<ThroughputSample> samples = new ArrayList<>();
        for (int i = 0; i <= 40; i++) {
            samples.add(new ThroughputSample(T0 + i * 500, i == 20 ? peak : peak / 2));
        }
        List<UpdatePhases> updates = new ArrayList<>();
        double t = T0 + 1000;
        for (int i = 0; i < 6; i++) {
            updates.add(new UpdatePhases(String.format("%016x", i), i + 1, t, t + queueMs, t + queueMs + 2,
                    t + queueMs + 152, t + queueMs + 155, true));
            t += queueMs + 155;
        }
        Report.Builder report = Report.builder(Report.KIND_EXPERIMENT)
                .metric(MetricNames.WEIGHTS_QUEUE_MS, millis(MetricNames.WEIGHTS_QUEUE_MS, queueMs, 1, 6))
                .metric(MetricNames.WEIGHTS_RPC_MS, millis(MetricNames.WEIGHTS_RPC_MS, 150, 1, 6))
                .metric(MetricNames.WEIGHTS_RECV_GAP_MS, millis(MetricNames.WEIGHTS_RECV_GAP_MS, queueMs - 2, 1, 6))
                .metric(MetricNames.STREAM_ITL_MS, millis(MetricNames.STREAM_ITL_MS, 40, 0.5, 400))
                .counter("updates", 6).counter("requests", 300).counter("errors", 0);
        for (Finding f : findings) {
            report.finding(f);
        }
        return new ModeResult(name, report.build(), samples, updates);
    }

    private static List<ModeResult> sharedAndDedicated() {
        return List.of(
                mode("shared", 5000, 1200, new Finding("frontend_queue", Finding.CRITICAL, "p99 queue_ms 5005 ms is 33x")),
                mode("dedicated", 15, 1600));
    }

    private static String page(List<ModeResult> modes) {
        return ExperimentHtml.html("run-1", modes, Signature.checks(modes), null);
    }

    private static String body(String page) {
        return page.substring(page.indexOf("<body>"), page.indexOf("<script type=\"application/json\""));
    }

    @Test
    void theVerdictComesFirstThenTheQueueChartThenTheOneTableThenTheRest() {
        String page = page(sharedAndDedicated());
        String body = body(page);

        int headline = body.indexOf("<p class=\"headline pass\">Signature reproduced</p>");
        int firstCheck = body.indexOf("<li class=\"pass\"><b>PASS</b> shared: weights.queue_ms p50 &gt;= 1000 ms");
        int diagnosis = body.indexOf("frontend_queue (critical): <span class=\"evidence\">p99 queue_ms 5005 ms is 33x");
        int headlineChart = body.indexOf("id=\"percentile-0\"");
        int table = body.indexOf("<table class=\"data\">");
        int rest = body.indexOf("id=\"percentile-1\"");
        int timelines = body.indexOf("id=\"timeline-0\"");
        assertThat(List.of(headline, firstCheck, diagnosis, headlineChart, table, rest, timelines))
                .doesNotContain(-1).isSorted();
        assertThat(body).contains("<li><b>dedicated</b>: healthy</li>");
        assertThat(ChartPages.plotData(page).get("percentiles").get(0).get("metric").asText())
                .isEqualTo(MetricNames.WEIGHTS_QUEUE_MS);
        // the headline chart's heading is an h2 with a line on what it measures, before the table
        assertThat(body.substring(0, headlineChart)).containsPattern(
                "<h2>weights.queue_ms \\(ms\\)</h2>\n<p class=\"note\">How long each update waited[^<]*</p>\n<div [^>]*$");
    }

    @Test
    void aFailedCheckIsAFailLineAndTheHeadlineSaysNotReproduced() {
        List<ModeResult> modes = List.of(mode("shared", 40, 1200), mode("dedicated", 15, 1600));
        String body = body(page(modes));

        assertThat(body).contains("<p class=\"headline fail\">Signature NOT reproduced</p>",
                "<li class=\"fail\"><b>FAIL</b> shared: weights.queue_ms p50 &gt;= 1000 ms: 42.02 ms</li>");
    }

    @Test
    void aFigureTheRunCannotHaveIsANotMeasuredLineAndTheHeadlineIsNeutral() {
        ModeResult shared = mode("shared", 5000, 1200);
        ModeResult dedicated = mode("dedicated", 15, 1600);
        // a live host whose log the run cannot read: no server.recv, so no recv_gap_ms
        Report.Builder noLog = Report.builder(Report.KIND_EXPERIMENT);
        dedicated.report().metrics().forEach((name, m) -> {
            if (!name.equals(MetricNames.WEIGHTS_RECV_GAP_MS)) {
                noLog.metric(name, dedicated.report().histogram(name).orElseThrow());
            }
        });
        List<ModeResult> modes = List.of(shared, new ModeResult("dedicated", noLog.build(), List.of(), List.of()));
        String body = body(page(modes));

        assertThat(body).contains("<p class=\"headline neutral\">Signature not judged: 1 check not measured</p>",
                "<li class=\"unmeasured\"><b>NOT MEASURED</b> dedicated: weights.recv_gap_ms p99 &lt; 50 ms:"
                        + " not measured (no server log)</li>")
                .doesNotContain("<b>FAIL</b>");
    }

    @Test
    void aRunStoppedEarlySaysSoInsteadOfAVerdict() {
        List<ModeResult> modes = List.of(mode("shared", 5000, 1200));
        String body = body(ExperimentHtml.html("run-1", modes, List.of(), "the server stopped answering"));

        assertThat(body).contains("<p class=\"headline neutral\">Stopped early: the server stopped answering.")
                .doesNotContain("<ul class=\"checks\">");
    }

    @Test
    void theModesShareOneTableThatScrollsInItsOwnBox() {
        String body = body(page(sharedAndDedicated()));

        assertThat(count(body, "<table")).isOne();
        assertThat(body).contains("<div class=\"table-wrap\"><table class=\"data\">");
        // every row has the same cells: metric, stat, one per mode, the ratio
        Matcher rows = Pattern.compile("<tr>(.*?)</tr>").matcher(body);
        int rowCount = 0;
        while (rows.find()) {
            rowCount++;
            assertThat(count(rows.group(1), "<td") + count(rows.group(1), "<th")).as(rows.group()).isEqualTo(5);
        }
        assertThat(rowCount).isGreaterThan(5);
    }

    @Test
    void thePageFitsAPhoneAndItsTableStyleStaysOutOfTheChartLegends() {
        String page = page(sharedAndDedicated());

        assertThat(page).contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        // uPlot's legend is a table: no rule of the page may style bare table, th or td elements
        String style = page.substring(page.indexOf("<style>"), page.indexOf("</style>"));
        style = style.substring(style.indexOf("body{")); // the page's own rules, after uPlot's stylesheet
        Matcher bare = Pattern.compile("(^|[{},])\\s*(table|th|td)(?![\\w.-])").matcher(style);
        assertThat(bare.find()).as("a bare table/th/td selector").isFalse();
        assertThat(style).contains("table.data th,table.data td{");
        // charts take their container's width; no fixed minimum that a 420 px screen cannot hold
        String charts = UPlotAssets.get().chartsScript();
        assertThat(charts).contains("el.clientWidth", "setSize(").doesNotContain("Math.max(480");
    }

    @Test
    void theLegendShowsNoPlaceholderAndOnlyThePhasesSomeUpdateHas() {
        String page = page(sharedAndDedicated());
        JsonNode timeline = ChartPages.plotData(page).get("timelines").get(0);

        assertThat(timeline.get("phases").toString()).isEqualTo("[\"queue\",\"front end\",\"engine load\",\"response\"]");
        // legend values are '' where they mean nothing; uPlot's "--" and the old "-" never get there
        String charts = UPlotAssets.get().chartsScript();
        assertThat(charts).doesNotContain("'-'", "'--'", "null ? '-'");
        assertThat(page).contains(".u-legend .u-series:first-child:has(> .u-value:empty){display:none}");
    }

    @Test
    void bothTimelinesShareOneXRangeAndOneYScaleFromZero() {
        List<ModeResult> modes = sharedAndDedicated();
        JsonNode timelines = ChartPages.plotData(page(modes)).get("timelines");

        JsonNode shared = timelines.get(0);
        JsonNode dedicated = timelines.get(1);
        // shared's six 5 s queues run to ~31 s, dedicated's samples end at 20 s; both axes go to ~31 s
        assertThat(shared.get("endS").asDouble()).isGreaterThan(30);
        assertThat(dedicated.get("endS").asDouble()).isEqualTo(shared.get("endS").asDouble());
        assertThat(dedicated.get("startS").asDouble()).isEqualTo(shared.get("startS").asDouble()).isZero();
        // the y scale's top is the higher peak of the two (dedicated's 1600 tokens/s)
        assertThat(shared.get("yMax").asDouble()).isEqualTo(1600);
        assertThat(dedicated.get("yMax").asDouble()).isEqualTo(1600);
        // back-to-back queues: one row each, so they do not merge into one band
        assertThat(shared.get("lanes").asInt()).isEqualTo(6);
        assertThat(charts()).contains("range: [0, timeline.yMax");
    }

    private static String charts() {
        return UPlotAssets.get().chartsScript();
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
