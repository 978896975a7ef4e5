package io.weightsync.cli.analyze;

import io.weightsync.analyze.Analyzer;
import io.weightsync.analyze.Thresholds;
import io.weightsync.analyze.follow.FollowOptions;
import io.weightsync.analyze.follow.LiveMonitor;
import io.weightsync.cli.OutFolder;
import io.weightsync.core.report.RunInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code analyze --follow}: runs the {@link LiveMonitor} on the calling thread until the JVM is told to
 * stop (Ctrl-C / SIGINT, SIGTERM); a shutdown hook then stops the monitor and waits while this thread
 * writes SUMMARY.md and report.json, so the files are complete before the JVM exits.
 */
final class FollowRun {

    /** How long the shutdown hook waits for the last read and the outputs; a JVM must not hang on exit. */
    private static final long WRITE_WAIT_SECONDS = 60;

    private final List<Path> logs;
    private final Thresholds thresholds;
    private final int maxLineBytes;
    private final FollowOptions options;
    private final PrintWriter stdout;
    private final PrintWriter stderr;

    FollowRun(List<Path> logs, Thresholds thresholds, int maxLineBytes, FollowOptions options, PrintWriter stdout,
            PrintWriter stderr) {
        this.logs = logs;
        this.thresholds = thresholds;
        this.maxLineBytes = maxLineBytes;
        this.options = options;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Exit 2 for a log it does not follow (gzip), 1 for one it cannot read or an {@code --out} it
     * cannot write; else follows until
     * stopped and returns 0 once the outputs are written.
     */
    int call(RunInfo run, Map<String, Object> config, Path dir) throws IOException {
        for (Path log : logs) {
            Optional<LiveMonitor.Refusal> refusal = LiveMonitor.refusal(log);
            if (refusal.isPresent()) {
                stderr.println(refusal.get().message());
                stderr.flush();
                return refusal.get().exitStatus();
            }
        }
        try { // refused now, not at Ctrl-C hours later
            OutFolder.checkWritable(dir);
        } catch (IOException e) {
            stderr.println("harness analyze: " + e.getMessage());
            stderr.flush();
            return 1;
        }
        LiveMonitor monitor = new LiveMonitor(logs, thresholds, maxLineBytes, options, stdout, stderr,
                Clock.systemDefaultZone(), System::nanoTime);
        CountDownLatch written = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            monitor.stop();
            try {
                if (!written.await(WRITE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    stderr.println("analyze --follow: outputs not written within " + WRITE_WAIT_SECONDS + " s; exiting");
                    stderr.flush();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "analyze-follow-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            Analyzer.Analysis analysis = monitor.run(run, config);
            AnalyzeCommand.write(analysis, dir, stdout);
            stderr.flush();
            return 0;
        } catch (IOException | RuntimeException e) {
            // said here: once the hook is released the JVM halts, before picocli could print it
            stderr.println("analyze --follow: " + dir + ": cannot write the outputs: " + e);
            stderr.flush();
            throw e;
        } finally {
            written.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is what stopped us; it returns now that the outputs are written
            }
        }
    }
}
