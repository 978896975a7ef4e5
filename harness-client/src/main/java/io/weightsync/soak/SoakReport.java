package io.weightsync.soak;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weightsync.charts.SoakHtml;
import io.weightsync.core.report.MetricHistograms;
import io.weightsync.core.report.RunInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import okhttp3.HttpUrl;
import org.HdrHistogram.Histogram;

/**
 * A soak's results: {@code soak.json} (kind {@code soak}: config, verdict, checks, workload, every
 * sample; docs/REPORT_FORMAT.md), {@code SUMMARY.md} (verdict first, then the checks table) and
 * {@code report.html} (the verdict, then every resource over time: {@link SoakHtml}).
 * {@code samples.csv} is written by the {@link Sampler} while the run goes.
 */
final class SoakReport {

    /** The page of charts, beside the other outputs. */
    static final String PAGE = "report.html";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SoakReport() {}

    static void write(SoakConfig config, HttpUrl base, String gitSha, List<ResourceSample> samples, Soak.Result result)
            throws IOException {
        Files.writeString(result.out().resolve("soak.json"),
                JSON.writeValueAsString(json(config, base, gitSha, samples, result)),
                StandardCharsets.UTF_8);
        Files.writeString(result.out().resolve("SUMMARY.md"), summary(config, base, samples, result), StandardCharsets.UTF_8);
        Files.writeString(result.out().resolve(PAGE), SoakHtml.html(new SoakHtml.Input(
                pageTitle(result.out()), setup(config, base, samples), config.warmup().toMillis() / 1e3,
                samples, result.checks(), result.failures())), StandardCharsets.UTF_8);
    }

    static ObjectNode json(SoakConfig config, HttpUrl base, String gitSha, List<ResourceSample> samples,
            Soak.Result result) {
        ObjectNode root = JSON.createObjectNode();
        root.put("kind", "soak");
        root.put("version", 1);
        RunInfo run = new RunInfo(result.out().getFileName().toString(), Instant.now().toString(), null,
                config.baseUrl() == null ? "embedded" : base.toString(), gitSha, RunInfo.Host.current());
        root.set("run", JSON.valueToTree(run));
        ObjectNode c = root.putObject("config");
        c.put("minutes", config.duration().toMillis() / 60_000.0);
        c.put("warmup_s", config.warmup().toMillis() / 1e3);
        c.put("interval_s", config.interval().toMillis() / 1e3);
        c.put("streams", config.streams());
        c.put("max_tokens", config.maxTokens());
        c.put("update_every_s", config.updateEvery().toMillis() / 1e3);
        if (config.baseUrl() == null) {
            c.put("update_mode", config.updateMode());
            c.put("max_batch", config.maxBatch());
        } else {
            config.weightDirs().forEach(c.putArray("weight_dirs")::add);
        }
        c.put("partial", result.partial());
        root.put("verdict", result.passed() ? "pass" : "fail");
        result.failures().forEach(root.putArray("failures")::add);
        ArrayNode checks = root.putArray("checks");
        for (GrowthCheck k : result.checks()) {
            ObjectNode n = checks.addObject();
            n.put("resource", k.resource().key);
            n.put("description", k.resource().description);
            n.put("unit", k.resource().unit);
            n.put("statistic", k.resource().statistic.name().toLowerCase(Locale.ROOT));
            n.put("bound", k.bound());
            number(n, "first", k.first());
            number(n, "last", k.last());
            number(n, "growth", k.growth());
            number(n, "slope_per_hour", k.slopePerHour());
            n.put("samples", k.samples());
            n.put("verdict", k.verdict().name().toLowerCase(Locale.ROOT));
        }
        SoakWorkload w = result.workload();
        ObjectNode wl = root.putObject("workload");
        wl.put("streams_done", w.streamsDone());
        wl.put("stream_errors", w.streamErrors());
        wl.put("first_stream_error", w.firstStreamError());
        wl.put("tokens", w.tokens());
        wl.put("updates_ok", w.updatesOk());
        wl.put("updates_failed", w.updatesFailed());
        wl.put("first_update_error", w.firstUpdateError());
        ObjectNode latency = wl.putObject("latency_ms");
        for (Map.Entry<String, Histogram> h : w.histograms().entrySet()) {
            ObjectNode m = latency.putObject(h.getKey());
            m.put("count", h.getValue().getTotalCount());
            if (h.getValue().getTotalCount() > 0) {
                m.put("p50", millis(h.getValue(), 50));
                m.put("p99", millis(h.getValue(), 99));
                m.put("max", h.getValue().getMaxValue() / (double) MetricHistograms.SCALE);
            }
        }
        ArrayNode rows = root.putArray("samples");
        for (ResourceSample s : samples) {
            ObjectNode r = rows.addObject();
            r.put("elapsed_s", s.elapsedSeconds());
            for (Resource res : Resource.values()) {
                number(r, res.key, s.value(res));
            }
            number(r, "tokens_per_s", s.tokensPerSecond());
            number(r, "itl_p99_ms", s.itlP99Millis());
            r.put("streams_done", s.streamsDone());
            r.put("stream_errors", s.streamErrors());
            r.put("updates_ok", s.updatesOk());
            r.put("updates_failed", s.updatesFailed());
        }
        return root;
    }

    static String summary(SoakConfig config, HttpUrl base, List<ResourceSample> samples, Soak.Result result) {
        StringBuilder md = new StringBuilder("# Soak\n\n");
        md.append(result.passed() ? "**PASS**: every watched resource stayed within its bound after warm-up; every"
                + " stream finished and every update succeeded.\n" : "**FAIL**\n");
        for (String f : result.failures()) {
            md.append("- ").append(f).append('\n');
        }
        md.append('\n').append(setup(config, base, samples)).append("\n\n");
        md.append("| resource | statistic | first window | last window | growth | bound | slope per hour | verdict |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---|\n");
        StringBuilder legend = new StringBuilder();
        for (GrowthCheck k : result.checks()) {
            String unit = k.resource().unit.isEmpty() ? "" : " " + k.resource().unit;
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s |%n", k.resource().key,
                    k.resource().statistic.name().toLowerCase(Locale.ROOT),
                    fmt(k.first(), unit), fmt(k.last(), unit), fmt(k.growth(), unit), fmt(k.bound(), unit),
                    fmt(k.slopePerHour(), unit), k.verdict().text));
            legend.append("- `").append(k.resource().key).append("`: ").append(k.resource().description).append('\n');
        }
        md.append('\n').append(legend);
        SoakWorkload w = result.workload();
        md.append(String.format(Locale.ROOT, "%nLoad: %d streams finished, %d failed, %d tokens; %d weight updates ok,"
                + " %d failed.%n%n", w.streamsDone(), w.streamErrors(), w.tokens(), w.updatesOk(), w.updatesFailed()));
        md.append("| client metric | count | p50 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|\n");
        for (Map.Entry<String, Histogram> h : w.histograms().entrySet()) {
            Histogram v = h.getValue();
            if (v.getTotalCount() > 0) {
                md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f |%n", h.getKey(), v.getTotalCount(),
                        millis(v, 50), millis(v, 99), v.getMaxValue() / (double) MetricHistograms.SCALE));
            }
        }
        md.append("\nFiles: report.html (the checks and every resource over time), soak.json (everything above and"
                + " every sample), samples.csv (one row per sample),"
                + " client.log (the updates' event lines)")
                .append(config.baseUrl() == null ? ", server.log" : "").append(".\n");
        return md.toString();
    }

    /** The results folder's name, "soak " before it unless it says so already (soak-30min, ci-soak). */
    static String pageTitle(Path out) {
        String name = out.toAbsolutePath().normalize().getFileName() == null ? "soak"
                : out.toAbsolutePath().normalize().getFileName().toString();
        return name.toLowerCase(Locale.ROOT).contains("soak") ? name : "soak " + name;
    }

    /** One sentence on the run: server, duration, load, sampling, warm-up. */
    static String setup(SoakConfig config, HttpUrl base, List<ResourceSample> samples) {
        return String.format(Locale.ROOT, "Server: %s. %.1f min of %d streams (max_tokens %d), a weight update every"
                + " %.1f s, /metrics sampled every %.1f s (%d samples), first %.0f s not checked (warm-up).",
                config.baseUrl() == null ? "embedded (" + base + ", update mode " + config.updateMode() + ")" : base,
                config.duration().toMillis() / 60_000.0, config.streams(), config.maxTokens(),
                config.updateEvery().toMillis() / 1e3, config.interval().toMillis() / 1e3, samples.size(),
                config.warmup().toMillis() / 1e3);
    }

    private static double millis(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / (double) MetricHistograms.SCALE;
    }

    private static void number(ObjectNode node, String field, double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            node.putNull(field);
        } else {
            node.put(field, Math.round(value * 1000) / 1000.0);
        }
    }

    private static String fmt(double v, String unit) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f%s", v, unit);
    }
}
