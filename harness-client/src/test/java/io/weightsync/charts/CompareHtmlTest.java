package io.weightsync.charts;

import static org.assertj.core.api.Assertions.assertThat;

import io.weightsync.compare.CompareInput;
import io.weightsync.compare.Expectation;
import io.weightsync.core.report.MetricHistograms;
import io.weightsync.core.report.MetricNames;
import io.weightsync.core.report.Report;
import java.nio.file.Path;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class CompareHtmlTest {

    private static Histogram millis(String metric, double fromMs, double stepMs, int count) {
        Histogram h = MetricHistograms.create();
        for (int i = 0; i < count; i++) {
            MetricHistograms.record(h, metric, fromMs + i * stepMs);
        }
        return h;
    }

    private static CompareInput.ReportInput input(String dir, double queueFromMs) {
        Report r = Report.builder(Report.KIND_EXPERIMENT)
                .metric(MetricNames.STREAM_ITL_MS, millis(MetricNames.STREAM_ITL_MS, 40, 1, 50))
                .metric(MetricNames.WEIGHTS_QUEUE_MS, millis(MetricNames.WEIGHTS_QUEUE_MS, queueFromMs, 1, 6))
                .counter("updates", 6).build();
        return new CompareInput.ReportInput(Path.of(dir), r);
    }

    @Test
    void expectationsComeFirstThenTheQueueChartThenOneTableThenTheOtherCharts() {
        CompareInput.ReportInput before = input("runs/shared", 5000);
        CompareInput.ReportInput after = input("runs/dedicated", 15);
        List<Expectation.Outcome> outcomes = List.of(
                Expectation.parse("weights.queue_ms.p99<300").check(before, after),
                Expectation.parse("weights.queue_ms.p50<10").check(before, after));

        String page = CompareHtml.html(before, after, outcomes);
        String body = page.substring(page.indexOf("<body>"), page.indexOf("<script type=\"application/json\""));

        int headline = body.indexOf("<p class=\"headline fail\">1 of 2 expectations FAIL</p>");
        int pass = body.indexOf("<li class=\"pass\"><b>PASS</b> weights.queue_ms.p99&lt;300: actual 20");
        int fail = body.indexOf("<li class=\"fail\"><b>FAIL</b> weights.queue_ms.p50&lt;10: actual 17");
        int queueChart = body.indexOf("<h2>weights.queue_ms (ms)</h2>\n<div class=\"chart percentile\" id=\"percentile-0\">");
        int table = body.indexOf("<table class=\"data\">");
        int itlChart = body.indexOf("id=\"percentile-1\"");
        assertThat(List.of(headline, pass, fail, queueChart, table, itlChart)).doesNotContain(-1).isSorted();
        assertThat(body).contains("<th class=\"num\">before</th><th class=\"num\">after</th>"
                + "<th class=\"num\">after/<wbr>before</th>");
        assertThat(page).contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        assertThat(ChartPages.plotData(page).get("percentiles").findValuesAsText("metric"))
                .containsExactly(MetricNames.WEIGHTS_QUEUE_MS, MetricNames.STREAM_ITL_MS);
    }

    @Test
    void withoutExpectationsTheHeadlineSaysNoneWereGiven() {
        String page = CompareHtml.html(input("a", 100), input("b", 90), List.of());

        assertThat(page).contains("<p class=\"headline neutral\">No expectations given (--expect)</p>")
                .doesNotContain("<ul class=\"checks\">");
    }
}
