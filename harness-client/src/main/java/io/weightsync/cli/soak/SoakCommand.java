package io.weightsync.cli.soak;

import io.weightsync.cli.OutFolder;
import io.weightsync.cli.sim.LoopOptions;
import io.weightsync.soak.GrowthCheck;
import io.weightsync.soak.Resource;
import io.weightsync.soak.Soak;
import io.weightsync.soak.SoakConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import io.weightsync.client.LoopbackUrl;
import okhttp3.HttpUrl;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./harness soak}: hours of streams and weight updates, and whether anything leaked. */
@Command(
        name = "soak",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Run streams plus a weight update every few seconds, sample the server's /metrics every interval, and fail"
                    + " when a resource grows beyond its bound after warm-up.",
            "",
            "Watched (from the server's own /metrics), growth bound after warm-up in parentheses: rss_mib (median, 256),"
                    + " native_mib = RSS minus the JVM's committed heap and non-heap (median, 64), heap_mib (window"
                    + " minimum, 32), open_fds (median, 32), threads (median, 8), ndarrays (harness_ndarrays, minimum, 0)."
                    + " Growth = the last quarter of the samples after warm-up against the first."
                    + " Also fails when a stream or an update fails. Without --base-url an embedded server with the"
                    + " built-in model is started on a free loopback port, and updates cycle through two published"
                    + " steps and /reload_weights. Writes DIR/{SUMMARY.md,report.html,soak.json,samples.csv,client.log,server.log}"
                    + " (report.html: the checks, then every resource over time).",
            "Exit status: 0 pass, 1 fail (or the server went away), 2 bad flags."
        })
public final class SoakCommand implements Callable<Integer> {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    @Option(names = "--minutes", required = true, description = "how long the load runs (fractions allowed)")
    double minutes;

    @Option(names = "--base-url", paramLabel = "URL", description = "a live server (harness or vLLM-style); default: start an embedded one")
    String baseUrl;

    @Option(names = "--streams", defaultValue = "64", description = "streams kept in flight (default: ${DEFAULT-VALUE})")
    int streams;

    @Option(names = "--max-tokens", defaultValue = "128", description = "max tokens per stream (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--update-every", paramLabel = "SECONDS", defaultValue = "5", description = "between two weight updates (default: ${DEFAULT-VALUE})")
    double updateEvery;

    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "5", description = "between two samples of /metrics (default: ${DEFAULT-VALUE})")
    double interval;

    @Option(names = "--warmup", paramLabel = "SECONDS", description = "samples before this are not checked (default: a tenth of the run, at least 30 s, at most half)")
    Double warmup;

    @Option(names = "--bound", paramLabel = "RESOURCE=GROWTH", description = "override a growth bound, e.g. rss_mib=128 (repeatable)")
    Map<String, Double> bounds = new LinkedHashMap<>();

    @Option(names = "--weight-dir", paramLabel = "DIR", description = "with --base-url: a folder the server can load, cycled through with /reload_weights between rounds (repeatable; default: reload only)")
    List<String> weightDirs = List.of();

    @Option(names = "--update-mode", defaultValue = "pause", description = "embedded server: pause or overlap (default: ${DEFAULT-VALUE})")
    String updateMode;

    @Option(names = "--max-batch", defaultValue = "256", description = "embedded server: sequences decoded together (default: ${DEFAULT-VALUE})")
    int maxBatch;

    @Option(names = "--admin-token", paramLabel = "TOKEN", defaultValue = "${env:HARNESS_ADMIN_TOKEN}", description = "bearer token for the admin endpoints (default: $HARNESS_ADMIN_TOKEN)")
    String adminToken;

    @Option(names = "--seed", defaultValue = "42", description = "prompts and sampling (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: results/soak-<yyyyMMdd-HHmmss>)")
    Path out;

    @Option(names = "--no-progress", negatable = false, description = "no progress (on a terminal a bar, elsewhere one line per phase or step)")
    boolean noProgress;

    @Option(names = "--verbose", description = "stack traces on errors")
    boolean verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        SoakConfig config = config();
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        try {
            OutFolder.checkWritable(config.out());
            Soak.Result result = new Soak(config).run(System.err);
            stdout.println();
            for (GrowthCheck c : result.checks()) {
                stdout.println(String.format(Locale.ROOT, "%-10s %-10s -> %-10s growth %-10s bound %-8s %s", c.resource().key,
                        fmt(c.first()), fmt(c.last()), fmt(c.growth()), fmt(c.bound()), c.verdict().text));
            }
            stdout.println(String.format(Locale.ROOT, "load: %d streams finished, %d failed; %d updates ok, %d failed",
                    result.workload().streamsDone(), result.workload().streamErrors(), result.workload().updatesOk(),
                    result.workload().updatesFailed()));
            stdout.println("summary: " + result.out().resolve("SUMMARY.md"));
            stdout.println("plots:   " + result.page());
            stdout.flush();
            if (!result.passed()) {
                for (String f : result.failures()) {
                    stderr.println("harness soak: FAIL: " + f);
                }
                stderr.flush();
                return 1;
            }
            stdout.println("harness soak: PASS");
            stdout.flush();
            return 0;
        } catch (IOException | RuntimeException e) {
            if (verbose) {
                e.printStackTrace(stderr);
            }
            stderr.println("harness soak: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            stderr.flush();
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stderr.println("harness soak: interrupted");
            stderr.flush();
            return 1;
        }
    }

    private SoakConfig config() {
        try {
            HttpUrl url = null;
            if (baseUrl != null) {
                url = LoopbackUrl.parse(baseUrl, "--base-url");
            } else if (!weightDirs.isEmpty()) {
                throw new IllegalArgumentException("--weight-dir needs --base-url (the embedded server uses its own steps)");
            }
            if (!(minutes > 0)) {
                throw new IllegalArgumentException("--minutes must be > 0, was " + minutes);
            }
            if (!updateMode.equals("pause") && !updateMode.equals("overlap")) {
                throw new IllegalArgumentException("--update-mode must be pause or overlap, got '" + updateMode + "'");
            }
            Map<Resource, Double> parsed = new EnumMap<>(Resource.class);
            bounds.forEach((key, value) -> parsed.put(Resource.byKey(key), value));
            Duration duration = LoopOptions.seconds(minutes * 60);
            Duration warm = warmup == null ? SoakConfig.defaultWarmup(duration) : LoopOptions.seconds(warmup);
            Path dir = out != null ? out : Path.of("results", "soak-" + STAMP.format(LocalDateTime.now(ZoneOffset.UTC)));
            return new SoakConfig(url, duration, warm, LoopOptions.seconds(interval), streams, maxTokens,
                    LoopOptions.seconds(updateEvery), weightDirs, parsed, updateMode, maxBatch, adminToken, seed,
                    dir.toAbsolutePath(), !noProgress);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }
}
