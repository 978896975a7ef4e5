package io.weightsync.charts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The frame of every chart page: one self-contained HTML file (uPlot, its stylesheet and
 * {@code charts.js} inlined; no URL is fetched) whose charts are drawn in the browser from the JSON in
 * {@code <script type="application/json" id="plot-data">}, which also serves anyone who wants to
 * re-plot the points. Chart {@code i} of a kind is drawn into the element {@link #chart} made for it.
 */
final class ChartPage {

    /** The id of the JSON element {@code charts.js} reads. */
    static final String DATA_ID = "plot-data";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final String PAGE_CSS = "body{font-family:system-ui,sans-serif;margin:2em;max-width:1000px}"
            + "table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #ddd;padding:.25em .6em;"
            + "text-align:right}th:first-child,td:first-child{text-align:left}.chart{margin:.5em 0 2em}";

    /** What a page's charts are drawn from; a kind a page does not draw is an empty list. */
    record PlotData(List<PercentileChart> percentiles, List<Timeline> timelines) {
        PlotData {
            percentiles = List.copyOf(percentiles);
            timelines = List.copyOf(timelines);
        }
    }

    private ChartPage() {}

    /**
     * The whole page: {@code bodyHtml} (already escaped, holding one {@link #chart} element per chart
     * of {@code data}), then the data and the scripts that draw it.
     */
    static String render(String title, String bodyHtml, PlotData data) {
        UPlotAssets.Assets assets = UPlotAssets.get();
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" + escape(title)
                + "</title>\n<meta name=\"generator\" content=\"harness, uPlot " + escape(assets.uPlotVersion())
                + "\">\n<style>\n" + assets.uPlotStylesheet() + "\n" + PAGE_CSS + "\n</style>\n</head><body>\n"
                + bodyHtml
                + "<script type=\"application/json\" id=\"" + DATA_ID + "\">\n" + json(data) + "\n</script>\n"
                + "<script>\n" + assets.uPlotScript() + "\n</script>\n"
                + "<script>\n" + assets.chartsScript() + "\n</script>\n</body></html>\n";
    }

    /** The element chart {@code index} of {@code kind} ("percentile", "timeline") is drawn into. */
    static String chart(String kind, int index) {
        return "<div class=\"chart " + kind + "\" id=\"" + kind + "-" + index + "\"></div>\n";
    }

    /**
     * {@code value} as JSON that is safe inside a script element: every {@code <} written as
     * {@code \u003c}, so no text (a mode named {@code </script>}, say) can end the element early.
     */
    static String json(Object value) {
        try {
            return MAPPER.writeValueAsString(value).replace("<", "\\u003c");
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Text as HTML element content or attribute value. */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
