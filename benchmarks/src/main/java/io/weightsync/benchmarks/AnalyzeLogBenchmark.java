package io.weightsync.benchmarks;

import io.weightsync.analyze.Analyzer;
import io.weightsync.analyze.LogScanner;
import io.weightsync.analyze.SyntheticLog;
import io.weightsync.analyze.Thresholds;
import io.weightsync.core.report.RunInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How many bytes of log per second does {@code ./harness analyze} get through, and how close is that
 * to just reading the file's lines?
 *
 * <p>The log is {@link SyntheticLog}: a prime-rl orchestrator + vLLM server log of {@code logMb} MiB,
 * mostly noise (stats lines, request logs, ANSI-coloured loguru lines) with a weight update every 400
 * lines. {@code analyzeLog} runs the whole analysis (scan, parse, join by trace id, histograms,
 * diagnosis); {@code readLinesBaseline} only splits the same file into line strings: the ceiling. The
 * fork runs with a 64 MiB heap, so a pass also shows the analysis fits in constant memory. Warm page
 * cache (the file is written just before).
 *
 * <p>HOW TO RUN: {@code java -jar benchmarks/target/benchmarks.jar AnalyzeLogBenchmark -p logMb=256}
 * ({@code -p logMb=1024} for the 1 GB log; needs that much free disk in java.io.tmpdir). Read the
 * {@code :bytes} rows: bytes per second. Expect analyzeLog at roughly half of readLinesBaseline, both
 * in the hundreds of MB/s.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx64m"})
@State(Scope.Benchmark)
public class AnalyzeLogBenchmark {

    @Param({"64"})
    public int logMb;

    private Path log;
    private long logBytes;

    @Setup(Level.Trial)
    public void writeLog() throws IOException {
        log = Files.createTempFile("analyze-bench", ".log");
        SyntheticLog.write(log, (long) logMb << 20, 42);
        logBytes = Files.size(log);
    }

    @TearDown(Level.Trial)
    public void deleteLog() throws IOException {
        Files.deleteIfExists(log);
    }

    @Benchmark
    public long readLinesBaseline(Throughput t) throws IOException {
        long[] chars = {0};
        new LogScanner().scan(log, (line, n) -> chars[0] += line.length());
        t.bytes += logBytes;
        return chars[0];
    }

    @Benchmark
    public long analyzeLog(Throughput t) throws IOException {
        Analyzer analyzer = new Analyzer(Thresholds.DEFAULTS);
        analyzer.scan(log);
        Analyzer.Analysis analysis = analyzer.finish(new RunInfo("bench", null, null, null, null, null), Map.of());
        t.bytes += logBytes;
        return analysis.report().counters().get("updates");
    }
}
