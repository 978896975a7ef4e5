package io.weightsync.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Opens every chart page (experiment, compare, soak; built from {@link PageFixtures}) in a real
 * headless Chromium, at a desktop width and a phone width, and fails on any script error or console
 * error, on a chart element uPlot did not draw into, on a chart whose canvas holds no coloured ink
 * (axes and grid are grey: an empty chart has no coloured pixel), and at the phone width on a page
 * wider than the window.
 *
 * <p>The browser is Debian's {@code chromium} with its {@code chromedriver} ({@code .ci/run} installs
 * both), named by path: Selenium Manager never runs, nothing is downloaded. Where either is missing
 * the tests are skipped with a message saying so, except under {@code CI=true}, where they fail:
 * CI always has the browser. Set {@code -Dpages.shots=DIR} to save a full-page screenshot of each page
 * at each width.
 */
class PagesInABrowserTest {

    /** Debian's paths; {@code -Dpages.chromium=PATH} and {@code -Dpages.chromedriver=PATH} name others. */
    static final Path CHROMIUM = Path.of(System.getProperty("pages.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("pages.chromedriver", "/usr/bin/chromedriver"));

    static final int DESKTOP = 1400;
    static final int PHONE = 420;

    /**
     * Coloured ink an honest chart holds at least: pixels whose channels differ by {@value #COLOURED}
     * or more. One line across a 300 px plot is several hundred; an axis-only chart has none.
     */
    static final int MIN_INKED_PIXELS = 100;
    static final int COLOURED = 60;


    /** Installed before any page script: records uncaught errors, rejected promises and console.error. */
    private static final String ERROR_HOOK = "window.__pageErrors = [];"
            + "window.addEventListener('error', e => window.__pageErrors.push('error: ' + e.message + ' at '"
            + " + e.filename + ':' + e.lineno));"
            + "window.addEventListener('unhandledrejection', e => window.__pageErrors.push('unhandled rejection: '"
            + " + e.reason));"
            + "(function () { const err = console.error; console.error = function () {"
            + " window.__pageErrors.push('console.error: ' + Array.from(arguments).join(' ')); err.apply(console, arguments); };"
            + "})();";

    /**
     * After two animation frames (uPlot has drawn by then): the page's width, every chart element's
     * state, and the errors the hook saw. A chart's ink is counted over its canvas's pixels.
     */
    private static final String INSPECT = "const done = arguments[arguments.length - 1];"
            + "requestAnimationFrame(() => requestAnimationFrame(() => {"
            + " const charts = Array.from(document.querySelectorAll('div.chart')).map(el => {"
            + "  const root = el.querySelector('.uplot'); const canvas = el.querySelector('canvas');"
            + "  let inked = 0;"
            + "  if (canvas && canvas.width > 0 && canvas.height > 0) {"
            + "   const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;"
            + "   for (let i = 0; i < px.length; i += 4) {"
            + "    if (px[i + 3] > 0 && Math.max(px[i], px[i + 1], px[i + 2]) - Math.min(px[i], px[i + 1], px[i + 2]) >= "
            + COLOURED + ") inked++; } }"
            + "  return {id: el.id, uplot: !!root, canvasWidth: canvas ? canvas.width : 0,"
            + "   canvasHeight: canvas ? canvas.height : 0, inked: inked,"
            + "   right: root ? Math.ceil(root.getBoundingClientRect().right) : 0}; });"
            + " done({clientWidth: document.documentElement.clientWidth, scrollWidth: document.documentElement.scrollWidth,"
            + "  scrollHeight: document.documentElement.scrollHeight, charts: charts, errors: window.__pageErrors || ['no error hook']});"
            + "}));";

    @TempDir
    static Path pages;

    private static ChromeDriver driver;

    @BeforeAll
    static void startTheBrowser() throws IOException {
        List<String> missing = new ArrayList<>();
        for (Path p : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(p)) {
                missing.add(p.toString());
            }
        }
        if (!missing.isEmpty()) {
            String why = String.join(" and ", missing) + " missing: the chart pages are not opened in a browser"
                    + " (Debian: apt-get install chromium chromium-driver; .ci/run installs them)";
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true, and CI always has the browser, but " + why);
            }
            // surefire counts a class aborted in @BeforeAll as 0 tests, without the reason: say it here
            System.err.println("[PagesInABrowserTest] SKIPPED: " + why);
            Assumptions.abort(why);
        }
        Files.writeString(pages.resolve("experiment.html"), PageFixtures.experimentPage(), StandardCharsets.UTF_8);
        Files.writeString(pages.resolve("compare.html"), PageFixtures.comparePage(), StandardCharsets.UTF_8);
        Files.writeString(pages.resolve("soak.html"), PageFixtures.soakPage(), StandardCharsets.UTF_8);
        Files.writeString(pages.resolve("soak-fail.html"), SoakHtml.html(PageFixtures.soak(2, false)),
                StandardCharsets.UTF_8);

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--force-device-scale-factor=1", "--window-size=" + DESKTOP + ",900");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", ERROR_HOOK));
    }

    @AfterAll
    static void stopTheBrowser() {
        if (driver != null) {
            driver.quit();
        }
    }

    static Stream<Arguments> pagesAtEachWidth() {
        List<Arguments> cases = new ArrayList<>();
        for (String page : List.of("experiment", "compare", "soak", "soak-fail")) {
            cases.add(Arguments.of(page, DESKTOP));
            cases.add(Arguments.of(page, PHONE));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} page at {1} px")
    @MethodSource("pagesAtEachWidth")
    void opensWithoutAnErrorAndDrawsEveryChart(String page, int width) throws IOException {
        driver.manage().window().setSize(new Dimension(width, 900));
        driver.manage().logs().get(LogType.BROWSER); // reading clears: what follows is this page's
        driver.get(pages.resolve(page + ".html").toUri().toString());

        @SuppressWarnings("unchecked")
        Map<String, Object> state = (Map<String, Object>) driver.executeAsyncScript(INSPECT);
        List<String> consoleErrors = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
                consoleErrors.add(e.getMessage());
            }
        }
        saveScreenshot(page, width, ((Number) state.get("scrollHeight")).intValue());

        SoftAssertions soft = new SoftAssertions(); // every defect of the page, not only the first
        soft.assertThat(consoleErrors).as("the browser's console (level SEVERE) on the %s page", page).isEmpty();
        soft.assertThat((List<?>) state.get("errors")).as("script errors on the %s page", page).isEmpty();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> charts = (List<Map<String, Object>>) state.get("charts");
        soft.assertThat(charts).as("chart elements on the %s page", page).isNotEmpty();
        for (Map<String, Object> c : charts) {
            soft.assertThat(c.get("uplot")).as("%s: uPlot drew into %s", page, c.get("id")).isEqualTo(true);
            soft.assertThat(((Number) c.get("canvasWidth")).intValue()).as("%s: %s canvas width", page, c.get("id"))
                    .isPositive();
            soft.assertThat(((Number) c.get("canvasHeight")).intValue()).as("%s: %s canvas height", page, c.get("id"))
                    .isPositive();
            soft.assertThat(((Number) c.get("inked")).intValue()).as("%s: coloured pixels in %s (an empty chart has none)",
                    page, c.get("id")).isGreaterThanOrEqualTo(MIN_INKED_PIXELS);
        }
        if (width == PHONE) {
            int clientWidth = ((Number) state.get("clientWidth")).intValue();
            int scrollWidth = ((Number) state.get("scrollWidth")).intValue();
            soft.assertThat(clientWidth).as("the window's layout width").isLessThanOrEqualTo(PHONE);
            // 1 px: a chart's width is rounded to whole pixels
            soft.assertThat(scrollWidth).as("the %s page's width at %d px", page, clientWidth)
                    .isLessThanOrEqualTo(clientWidth + 1);
            for (Map<String, Object> c : charts) {
                soft.assertThat(((Number) c.get("right")).intValue()).as("%s: right edge of %s", page, c.get("id"))
                        .isLessThanOrEqualTo(clientWidth + 1);
            }
        }
        soft.assertAll();
    }

    /** With -Dpages.shots=DIR: the whole page, as DIR/PAGE-WIDTH.png. */
    private static void saveScreenshot(String page, int width, int height) throws IOException {
        String dir = System.getProperty("pages.shots");
        if (dir == null || dir.isBlank()) {
            return;
        }
        Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png",
                "captureBeyondViewport", true,
                "clip", Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
        Path file = Path.of(dir).resolve(page + "-" + width + ".png");
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
    }
}
