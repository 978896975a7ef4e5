package io.weightsync.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * What can this machine do with {@code sizeMb} of bytes, whatever the format? The limits every
 * checkpoint path is judged against, measured in the same run.
 *
 * <p>{@code memcpy}: copy between two direct buffers (memory bandwidth, read + write).
 * {@code fileChannelRead}: sequential read of a file of the same size into a direct buffer
 * (warm page cache: the kernel's copy from cache, no format, no parsing).
 *
 * <p>HOW TO RUN: {@code java -jar benchmarks/target/benchmarks.jar MachineLimitsBenchmark -p sizeMb=256}.
 * Read the {@code :bytes} rows: bytes per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx2g"})
@State(Scope.Benchmark)
public class MachineLimitsBenchmark {

    @Param({"16", "256"})
    public int sizeMb;

    private ByteBuffer source;
    private ByteBuffer target;
    private Path file;

    @Setup(Level.Trial)
    public void allocate() throws IOException {
        int bytes = sizeMb << 20;
        source = ByteBuffer.allocateDirect(bytes);
        target = ByteBuffer.allocateDirect(bytes);
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        while (source.remaining() >= 8) {
            source.putLong(r.nextLong());
        }
        source.flip();
        file = Files.createTempFile("weightsync-limits-", ".bin");
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer view = source.duplicate();
            while (view.hasRemaining()) {
                out.write(view);
            }
        }
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        Files.deleteIfExists(file);
    }

    @Benchmark
    public ByteBuffer memcpy(Throughput t) {
        target.clear();
        target.put(source.duplicate());
        t.bytes += source.remaining();
        return target;
    }

    @Benchmark
    public ByteBuffer fileChannelRead(Throughput t) throws IOException {
        target.clear();
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            while (target.hasRemaining() && in.read(target) >= 0) {
                // keep reading
            }
        }
        t.bytes += target.position();
        return target;
    }
}
