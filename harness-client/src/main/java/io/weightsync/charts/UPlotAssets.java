package io.weightsync.charts;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Properties;

/**
 * What every chart page inlines, read from the classpath once per JVM: uPlot's minified browser
 * build and stylesheet from its webjar ({@code org.webjars.npm:uplot}, version read from the webjar's
 * own {@code pom.properties}, so bumping the dependency needs no change here), and {@code charts.js}
 * and {@code soak-charts.js}, which build the pages' uPlot charts from their embedded JSON. uPlot is MIT-licensed: its LICENSE
 * travels with the script, as the licence asks of every copy.
 *
 * <p>Inlined rather than linked so a page opens offline, from a file, years later.
 */
final class UPlotAssets {

    private static final String POM_PROPERTIES = "META-INF/maven/org.webjars.npm/uplot/pom.properties";
    private static final String WEBJAR = "META-INF/resources/webjars/uplot/";
    private static final String CHARTS_SCRIPT = "io/weightsync/charts/charts.js";
    private static final String SOAK_CHARTS_SCRIPT = "io/weightsync/charts/soak-charts.js";

    /**
     * The texts a page inlines, each safe inside its element.
     *
     * @param uPlotScript uPlot's LICENSE as a leading comment, then {@code dist/uPlot.iife.min.js}
     * @param chartsScript draws the experiment's and compare's percentile charts and timelines
     * @param soakChartsScript draws the soak page's time series
     */
    record Assets(String uPlotVersion, String uPlotScript, String uPlotStylesheet, String chartsScript,
            String soakChartsScript) {}

    /** Null until the first page is made. */
    private static Assets loaded;

    private UPlotAssets() {}

    /**
     * The assets, read on first use.
     *
     * @throws IllegalStateException naming the resource that is missing or cannot be inlined
     */
    static synchronized Assets get() {
        if (loaded == null) {
            String version = uPlotVersion();
            String license = read(WEBJAR + version + "/LICENSE");
            if (license.contains("*/")) {
                throw new IllegalStateException(WEBJAR + version + "/LICENSE: contains '*/', so it cannot go in a comment");
            }
            String script = "/*! uPlot " + version + " LICENSE\n" + license.strip() + "\n*/\n"
                    + read(WEBJAR + version + "/dist/uPlot.iife.min.js");
            loaded = new Assets(version, script, read(WEBJAR + version + "/dist/uPlot.min.css"), read(CHARTS_SCRIPT),
                    read(SOAK_CHARTS_SCRIPT));
        }
        return loaded;
    }

    private static String uPlotVersion() {
        Properties pom = new Properties();
        try (InputStream in = open(POM_PROPERTIES)) {
            pom.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(POM_PROPERTIES + ": " + e.getMessage(), e);
        }
        String version = pom.getProperty("version");
        if (version == null || version.isBlank()) {
            throw new IllegalStateException(POM_PROPERTIES + ": no 'version' property");
        }
        return version.strip();
    }

    private static String read(String resource) {
        String text;
        try (InputStream in = open(resource)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(resource + ": " + e.getMessage(), e);
        }
        // inside <script> or <style>, "</" followed by the element's name ends the element early
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.contains("</script") || lower.contains("</style")) {
            throw new IllegalStateException(resource + ": contains '</script' or '</style', so it cannot be inlined as is");
        }
        return text;
    }

    private static InputStream open(String resource) {
        InputStream in = UPlotAssets.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException(resource + ": not on the classpath (harness-client depends on "
                    + "org.webjars.npm:uplot for it; the chart scripts ship in harness-client itself)");
        }
        return in;
    }
}
