package io.weightsync.benchmarks;

import io.weightsync.core.ckpt.Folders;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
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
 * What can this machine do with the byte count of a {@code sizeMb} checkpoint, whatever the
 * format? The limits every checkpoint path is judged against, measured in the same run, with the
 * exact byte count of {@link ModelShapedCheckpoint#dataBytes(int)}.
 *
 * <ul>
 *   <li>{@code memcpy}: one copy between two direct buffers (memory bandwidth, read + write, one
 *       thread).
 *   <li>{@code fileChannelRead}: a sequential read of a file of that size into a direct buffer,
 *       <b>warm page cache</b> (the kernel's copy out of the cache; no format, no parsing).
 *   <li>{@code fileChannelReadCold}: the same after dropping the page cache ({@link ColdCache},
 *       root only): the disk's sequential read rate.
 *   <li>{@code fileChannelWrite}: a sequential write of that many bytes into a new file, no fsync
 *       (the bytes reach the page cache); {@code fileChannelWriteFsync} adds {@code force(true)}
 *       (they reach the disk).
 * </ul>
 *
 * <p>HOW TO RUN: {@code java -jar benchmarks/target/benchmarks.jar MachineLimitsBenchmark -p sizeMb=256}.
 * Read the {@code :bytes} rows: bytes per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx2g", "-XX:MaxDirectMemorySize=3g"})
@State(Scope.Benchmark)
public class MachineLimitsBenchmark {

    @Param({"16", "256", "1024"})
    public int sizeMb;

    private ByteBuffer source;
    private ByteBuffer target;
    private Path dir;
    private Path file;

    @Setup(Level.Trial)
    public void allocate() throws IOException {
        int bytes = Math.toIntExact(ModelShapedCheckpoint.dataBytes(sizeMb));
        source = ByteBuffer.allocateDirect(bytes);
        target = ByteBuffer.allocateDirect(bytes);
        ModelShapedCheckpoint.fill(source, new SplittableRandom(ModelShapedCheckpoint.SEED));
        dir = Files.createTempDirectory("weightsync-limits-");
        file = dir.resolve("limits.bin");
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer view = source.duplicate();
            while (view.hasRemaining()) {
                out.write(view);
            }
        }
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        Folders.deleteRecursively(dir);
    }

    @Benchmark
    public ByteBuffer memcpy(Throughput t) {
        target.clear();
        target.put(source.duplicate());
        t.bytes += source.capacity();
        return target;
    }

    @Benchmark
    public ByteBuffer fileChannelRead(Throughput t) throws IOException {
        return read(t);
    }

    @Benchmark
    public ByteBuffer fileChannelReadCold(ColdCache cold, Throughput t) throws IOException {
        return read(t);
    }

    @Benchmark
    public long fileChannelWrite(ScratchOutput out, Throughput t) throws IOException {
        return write(out, t, false);
    }

    @Benchmark
    public long fileChannelWriteFsync(ScratchOutput out, Throughput t) throws IOException {
        return write(out, t, true);
    }

    private ByteBuffer read(Throughput t) throws IOException {
        target.clear();
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            while (target.hasRemaining() && in.read(target) >= 0) {
                // keep reading
            }
        }
        t.bytes += target.position();
        return target;
    }

    private long write(ScratchOutput out, Throughput t, boolean fsync) throws IOException {
        ByteBuffer view = source.duplicate();
        try (FileChannel ch = FileChannel.open(out.dir.resolve("limits.bin"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            while (view.hasRemaining()) {
                ch.write(view);
            }
            if (fsync) {
                ch.force(true);
            }
        }
        t.bytes += view.position();
        return view.position();
    }
}
