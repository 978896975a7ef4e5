package io.weightsync.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.weightsync.soak.GrowthCheck;
import io.weightsync.soak.Resource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SoakHtmlTest {

    @Test
    void theVerdictAndEveryCheckComeBeforeTheFirstChart() {
        String page = SoakHtml.html(PageFixtures.soak(2, true));

        int verdict = page.indexOf("<span class=\"fail\">FAIL</span>");
        int failure = page.indexOf("<li class=\"fail\">ndarrays grew by 2.0");
        int checks = page.indexOf("<table class=\"checks\">");
        int firstChart = page.indexOf("<div class=\"chart series\"");
        assertThat(verdict).isPositive();
        assertThat(failure).isGreaterThan(verdict);
        assertThat(checks).isGreaterThan(failure);
        assertThat(firstChart).isGreaterThan(checks);
        String table = page.substring(checks, page.indexOf("</table>", checks));
        for (Resource r : Resource.values()) {
            assertThat(table).contains("<td>" + r.key + "</td>");
        }
        assertThat(table).contains("<td>ndarrays</td><td class=\"fail\">FAIL: grew beyond the bound</td><td>2.0</td>"
                + "<td>0.0</td><td>38.0</td><td>40.0</td><td>min</td>");
    }

    @Test
    void aPassingSoakSaysPassAndListsNoFailure() {
        String page = SoakHtml.html(PageFixtures.soak(0, true));

        assertThat(page).contains("<span class=\"pass\">PASS</span>").doesNotContain("<li class=\"fail\">");
    }

    @Test
    void pageFitsItsWindowAndIsSelfContained() {
        String page = SoakHtml.html(PageFixtures.soak(0, true));

        assertThat(page).contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
                ChartPages.uPlotScript());
        assertThat(page).doesNotContain("src=\"http", "href=\"http", "<script src=", "<link", "url(http", "@import",
                "min-width");
    }

    @Test
    void oneChartPerExposedResourceThenThroughputWithEverySampleInMinutes() {
        SoakHtml.Input in = PageFixtures.soak(0, false); // heap not exposed: no heap chart
        JsonNode series = ChartPages.plotData(SoakHtml.html(in)).get("series");

        List<String> keys = new ArrayList<>();
        series.forEach(s -> keys.add(s.get("key").asText()));
        assertThat(keys).containsExactly("rss_mib", "native_mib", "open_fds", "threads", "ndarrays", "tokens_per_s");
        JsonNode rss = series.get(0);
        assertThat(rss.get("unit").asText()).isEqualTo("MiB");
        assertThat(rss.get("warmupMinutes").asDouble()).isEqualTo(1.0);
        assertThat(rss.get("points").size()).isEqualTo(PageFixtures.SOAK_SAMPLES);
        JsonNode last = rss.get("points").get(PageFixtures.SOAK_SAMPLES - 1);
        assertThat(last.get(0).asDouble()).isEqualTo(PageFixtures.SOAK_SAMPLES * PageFixtures.SOAK_INTERVAL_S / 60);
        assertThat(last.get(1).asDouble()).isEqualTo(in.samples().get(PageFixtures.SOAK_SAMPLES - 1).value(Resource.RSS));
        assertThat(series.get(5).get("check").isNull()).as("throughput is not checked").isTrue();
    }

    @Test
    void eachCheckDrawsTheWindowsItComparedAndItsLimitAtFirstPlusBound() {
        SoakHtml.Input in = PageFixtures.soak(0, true);
        GrowthCheck rssCheck = in.checks().get(Resource.RSS.ordinal());
        JsonNode check = ChartPages.plotData(SoakHtml.html(in)).get("series").get(0).get("check");

        // 60 samples at 5 s, warm-up 60 s: 49 from 60 s on, windows of 12 samples (a quarter):
        // 60..115 s and 245..300 s
        assertThat(rssCheck.samples()).isEqualTo(49);
        assertThat(check.get("statistic").asText()).isEqualTo("median");
        assertThat(check.get("first").asDouble()).isEqualTo(rssCheck.first());
        assertThat(check.get("last").asDouble()).isEqualTo(rssCheck.last());
        assertThat(check.get("limit").asDouble()).isCloseTo(rssCheck.first() + 256, within(1e-9));
        assertThat(check.get("passed").asBoolean()).isTrue();
        assertThat(check.get("firstFromMinutes").asDouble()).isEqualTo(1.0);
        assertThat(check.get("firstToMinutes").asDouble()).isCloseTo(115 / 60.0, within(1e-9));
        assertThat(check.get("lastFromMinutes").asDouble()).isCloseTo(245 / 60.0, within(1e-9));
        assertThat(check.get("lastToMinutes").asDouble()).isEqualTo(5.0);
    }

    @Test
    void aResourceTheServerDoesNotExposeIsSaidSoWithoutAChart() {
        String page = SoakHtml.html(PageFixtures.soak(0, false));

        int heading = page.indexOf("<h3>heap_mib (MiB)</h3>");
        assertThat(heading).isPositive();
        String section = page.substring(heading, page.indexOf("<h3>", heading + 1));
        assertThat(section).contains("not exposed by this server").doesNotContain("class=\"chart");
    }
}
