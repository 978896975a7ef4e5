package io.weightsync.charts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Reads what a chart page embeds, as a browser would. */
public final class ChartPages {

    private static final String DATA_OPEN = "<script type=\"application/json\" id=\"plot-data\">";

    private ChartPages() {}

    /** The page's plot-data JSON: the text up to the first {@code </script>} after its opening tag. */
    public static JsonNode plotData(String page) {
        int open = page.indexOf(DATA_OPEN);
        if (open < 0) {
            throw new AssertionError("no " + DATA_OPEN + " in the page");
        }
        int from = open + DATA_OPEN.length();
        String json = page.substring(from, page.indexOf("</script>", from));
        try {
            return new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("plot-data is not JSON: " + e.getMessage(), e);
        }
    }

    /** The uPlot build the page must inline, as the webjar holds it. */
    public static String uPlotScript() {
        return UPlotAssets.get().uPlotScript();
    }
}
