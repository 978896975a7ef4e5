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

    /**
     * uPlot's legend where a value is '' when it would mean nothing: a value shows only while the
     * cursor is on the plot; the x entry (percentile, seconds) only then too, so an idle legend lists
     * just the series, without a dangling colon. Every chart page uses it.
     */
    static final String LEGEND_CSS = ".u-legend .u-series:has(> .u-value:empty) > th::after{content:none}"
            + ".u-legend .u-series:first-child:has(> .u-value:empty){display:none}";

    /**
     * The page's own style. Table rules apply to {@code table.data} only: uPlot's legend is a table too,
     * and unscoped borders would box every legend label. Charts take their container's width (charts.js
     * sizes them from it and again on resize), tables scroll sideways inside {@code div.table-wrap}, so
     * nothing is cut off on a narrow screen.
     */
    private static final String PAGE_CSS = "body{font-family:system-ui,sans-serif;margin:2em auto;padding:0 2em;"
            + "max-width:1000px;overflow-wrap:break-word}@media (max-width:600px){body{margin:1em auto;padding:0 .75em}}"
            + ".table-wrap{overflow-x:auto;max-width:100%;margin:.5em 0 1.5em}"
            + "table.data{border-collapse:collapse;font-variant-numeric:tabular-nums}"
            + "table.data th,table.data td{border:1px solid #ddd;padding:.25em .6em;text-align:left;white-space:nowrap}"
            + "table.data .num{text-align:right}table.data thead th{background:#f6f6f6}table.data .unit{color:#666}table.data td:first-child,table.data thead th{white-space:normal}"
            + "@media (max-width:600px){table.data{font-size:.85em}table.data th,table.data td{padding:.2em .35em}}"
            + ".chart{margin:.5em 0 2em;width:100%;min-width:0}"
            + ".note{color:#555;font-size:.9em;margin:.25em 0}"
            + ".verdict .headline{font-size:1.3em;font-weight:600;margin:.5em 0}"
            + ".verdict .headline.pass{color:#1a7f37}.verdict .headline.fail{color:#cf222e}"
            + ".verdict ul.checks{list-style:none;padding:0;font-family:ui-monospace,monospace;font-size:.9em}"
            + ".verdict ul.checks li{margin:.2em 0}.verdict li.pass b{color:#1a7f37}.verdict li.fail b{color:#cf222e}"
            + ".verdict li.unmeasured b{color:#6e7781}"
            + ".evidence{color:#444;font-size:.9em;overflow-wrap:anywhere}";

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
     * of {@code data}), then the data and {@code charts.js}, which draws it.
     */
    static String render(String title, String bodyHtml, PlotData data) {
        return render(title, PAGE_CSS, bodyHtml, data, UPlotAssets.get().chartsScript());
    }

    /**
     * The frame every chart page shares: viewport, uPlot and its stylesheet, {@code pageCss} with the
     * {@link #LEGEND_CSS}, {@code bodyHtml}, {@code data} as JSON in {@link #DATA_ID}, then
     * {@code drawScript} (one of {@link UPlotAssets.Assets}' scripts), which draws it.
     */
    static String render(String title, String pageCss, String bodyHtml, Object data, String drawScript) {
        UPlotAssets.Assets assets = UPlotAssets.get();
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" + escape(title)
                + "</title>\n<meta name=\"generator\" content=\"harness, uPlot " + escape(assets.uPlotVersion())
                + "\">\n<style>\n" + assets.uPlotStylesheet() + "\n" + pageCss + LEGEND_CSS + "\n</style>\n</head><body>\n"
                + bodyHtml
                + "<script type=\"application/json\" id=\"" + DATA_ID + "\">\n" + json(data) + "\n</script>\n"
                + "<script>\n" + assets.uPlotScript() + "\n</script>\n"
                + "<script>\n" + drawScript + "\n</script>\n</body></html>\n";
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
