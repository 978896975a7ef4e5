package io.weightsync.cli.analyze;

import io.weightsync.analyze.Analyzer;
import io.weightsync.analyze.LogScanner;
import io.weightsync.analyze.SummaryWriter;
import io.weightsync.analyze.Thresholds;
import io.weightsync.analyze.follow.FollowOptions;
import io.weightsync.core.report.ReportJson;
import io.weightsync.core.report.RunInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code harness analyze LOG... [--out DIR]}: SUMMARY.md with a diagnosis, and report.json; with {@code
 * --follow}, the live monitor ({@link FollowRun}) that writes the same at Ctrl-C.
 */
@Command(
        name = "analyze",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Read orchestrator, trainer and server logs (any order, plain or gzip, any log prefix), join the "
                    + "[weights] lines of each update by trace id, and write DIR/SUMMARY.md (verdict, metrics, "
                    + "evidence, what to do next) and DIR/report.json (kind \"analysis\").",
            "Rules, each a flag below:",
            "  frontend_queue  p99 queue_ms > QUEUE_RATIO x p50 rpc_ms and > QUEUE_FLOOR_MS",
            "  weight_loading  p99 rpc_ms > RPC_MS",
            "  checkpoint_io   p99 ckpt wait_ms > WAIT_MS",
            "  staleness       max staleness > ASYNC_LEVEL",
            "  truncation      mean trunc_pct > TRUNC_PCT",
            "Prints the verdict and the output paths. Exit 0 whatever the verdict; 1 when a log cannot be read.",
            "",
            "--follow: the live monitor. Tails the logs while they are written (plain text only, a gzip log exits 2; rotation and "
                    + "truncation handled, a log not there yet is waited for), prints one line per finished update "
                    + "(trace, recv_gap_ms, server_wait_ms, rpc_ms, queue_ms, wall_ms) as its last line lands, and "
                    + "every --every seconds a rolling line: p50/p99 of queue_ms and rpc_ms over everything so far "
                    + "and the diagnosis. Ctrl-C writes SUMMARY.md and report.json for every line seen, as "
                    + "analyze would for the same lines. docs/LIVE_MONITOR.md has the details.",
            ""
        })
public final class AnalyzeCommand implements Callable<Integer> {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    @Parameters(arity = "1..*", paramLabel = "LOG", description = "log files (plain or gzip; --follow: plain only)")
    List<Path> logs;

    @Option(names = "--out", paramLabel = "DIR",
            description = "output folder (default: analysis_<yyyyMMdd-HHmmss> next to the first log)")
    Path out;

    @Option(names = "--follow",
            description = "live monitor: keep reading the logs as they grow; Ctrl-C writes the outputs")
    boolean follow;

    @Option(names = "--every", paramLabel = "SECONDS", defaultValue = "10",
            description = "--follow: print the rolling line every SECONDS (default: ${DEFAULT-VALUE})")
    double everySeconds;

    @Option(names = "--grace", paramLabel = "SECONDS", defaultValue = "2",
            description = "--follow: an update whose client.done is in waits up to SECONDS for its server lines"
                    + " before it is printed without them (default: ${DEFAULT-VALUE})")
    double graceSeconds;

    @Option(names = "--queue-ratio", paramLabel = "X", defaultValue = "10",
            description = "frontend_queue: p99 queue_ms above X times p50 rpc_ms (default: ${DEFAULT-VALUE})")
    double queueRatio;

    @Option(names = "--queue-floor-ms", paramLabel = "MS", defaultValue = "100",
            description = "frontend_queue: and p99 queue_ms above MS (default: ${DEFAULT-VALUE})")
    double queueFloorMillis;

    @Option(names = "--rpc-ms", paramLabel = "MS", defaultValue = "2000",
            description = "weight_loading: p99 rpc_ms above MS (default: ${DEFAULT-VALUE})")
    double rpcMillis;

    @Option(names = "--wait-ms", paramLabel = "MS", defaultValue = "1000",
            description = "checkpoint_io: p99 checkpoint wait_ms above MS (default: ${DEFAULT-VALUE})")
    double waitMillis;

    @Option(names = "--async-level", paramLabel = "N", defaultValue = "2",
            description = "staleness: max staleness above N steps, prime-rl's async_level (default: ${DEFAULT-VALUE})")
    long asyncLevel;

    @Option(names = "--trunc-pct", paramLabel = "PCT", defaultValue = "50",
            description = "truncation: mean trunc_pct above PCT percent (default: ${DEFAULT-VALUE})")
    double truncPct;

    @Option(names = "--max-line-bytes", paramLabel = "N", defaultValue = "65536",
            description = "longer lines are counted as oversized and skipped (default: ${DEFAULT-VALUE})")
    int maxLineBytes;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Thresholds thresholds;
        LogScanner scanner;
        try {
            thresholds = new Thresholds(queueRatio, queueFloorMillis, rpcMillis, waitMillis, asyncLevel, truncPct);
            scanner = new LogScanner(maxLineBytes);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        LocalDateTime started = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);
        String id = "analysis_" + STAMP.format(started);
        Path dir = out != null ? out : logs.get(0).toAbsolutePath().resolveSibling(id);
        RunInfo run = new RunInfo(id, started.toInstant(ZoneOffset.UTC).toString(), null, null, null,
                RunInfo.Host.current());
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("logs", logs.stream().map(Path::toString).toList());
        config.put("max_line_bytes", maxLineBytes);
        if (follow) {
            FollowOptions options;
            try {
                options = FollowOptions.ofSeconds(everySeconds, graceSeconds);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            Map<String, Object> followed = new LinkedHashMap<>();
            followed.put("every_s", everySeconds);
            followed.put("grace_s", graceSeconds);
            config.put("follow", followed);
            return new FollowRun(logs, thresholds, maxLineBytes, options, stdout, stderr).call(run, config, dir);
        }
        for (String flag : List.of("--every", "--grace")) {
            if (spec.commandLine().getParseResult().hasMatchedOption(flag)) {
                throw new CommandLine.ParameterException(spec.commandLine(), flag + " needs --follow");
            }
        }

        Analyzer analyzer = new Analyzer(thresholds, scanner);
        for (Path log : logs) {
            try {
                LogScanner.FileStats stats = analyzer.scan(log);
                if (stats.error() != null) {
                    stderr.println(log + ": " + stats.error());
                }
            } catch (IOException e) {
                stderr.println(log + ": cannot read: " + e.getMessage());
                stderr.flush();
                return 1;
            }
        }
        Analyzer.Analysis analysis = analyzer.finish(run, config);
        write(analysis, dir, stdout);
        stderr.flush();
        return 0;
    }

    /** DIR/report.json and DIR/SUMMARY.md, then the verdict and both paths on stdout. */
    static void write(Analyzer.Analysis analysis, Path dir, PrintWriter stdout) throws IOException {
        Files.createDirectories(dir);
        ReportJson.write(analysis.report(), dir.resolve("report.json"));
        Files.writeString(dir.resolve("SUMMARY.md"), SummaryWriter.markdown(analysis));
        stdout.println("verdict: " + SummaryWriter.verdict(analysis.report()));
        stdout.println("summary: " + dir.resolve("SUMMARY.md"));
        stdout.println("report:  " + dir.resolve("report.json"));
        stdout.flush();
    }
}
