package io.weightsync.benchmarks;

import io.weightsync.core.ckpt.Checkpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
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
 * How fast does the project's safetensors reader turn a checkpoint on disk into usable bytes, and
 * how close is that to reading the same bytes from memory?
 *
 * <p>{@code mmapZeroCopy} opens the checkpoint (parse + validate the header, map the data) and reads
 * every tensor's bytes through its zero-copy slice. {@code inMemoryBaseline} does the same read of
 * the same byte count from a buffer already in memory: the ceiling for any load path. The file is
 * freshly written, so this is the <b>warm page cache</b> case; each invocation maps anew, so page
 * faults are paid every time, as a real weight update pays them.
 *
 * <p>HOW TO RUN: {@code java -jar benchmarks/target/benchmarks.jar CheckpointLoadBenchmark -p sizeMb=256}.
 * Expect mmapZeroCopy within a small factor of inMemoryBaseline (page-fault cost), in the GB/s.
 * Read the {@code :bytes} rows: bytes per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx2g"})
@State(Scope.Benchmark)
public class CheckpointLoadBenchmark {

    @Param({"16", "256"})
    public int sizeMb;

    private Path file;
    private ByteBuffer inMemory;
    private long dataBytes;

    @Setup(Level.Trial)
    public void writeCheckpoint() throws IOException {
        file = ModelShapedCheckpoint.write(sizeMb);
        try (Checkpoint c = Checkpoint.open(file)) {
            dataBytes = c.dataBytes();
        }
        inMemory = ByteBuffer.allocateDirect((int) dataBytes);
        java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        while (inMemory.remaining() >= 8) {
            inMemory.putLong(random.nextLong());
        }
        inMemory.flip();
    }

    @TearDown(Level.Trial)
    public void deleteCheckpoint() throws IOException {
        io.weightsync.core.ckpt.Folders.deleteRecursively(file.getParent());
    }

    @Benchmark
    public long mmapZeroCopy(Throughput t) throws IOException {
        long sum = 0;
        try (Checkpoint c = Checkpoint.open(file)) {
            for (String name : c.names()) {
                sum += ModelShapedCheckpoint.sumLongs(c.slice(name));
            }
        }
        t.bytes += dataBytes;
        return sum;
    }

    @Benchmark
    public long inMemoryBaseline(Throughput t) {
        t.bytes += dataBytes;
        return ModelShapedCheckpoint.sumLongs(inMemory);
    }
}
