package io.weightsync.benchmarks;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.weightsync.core.ckpt.Checkpoint;
import io.weightsync.core.ckpt.CheckpointWriter;
import io.weightsync.core.ckpt.Folders;
import io.weightsync.core.safetensors.SafetensorsFile;
import io.weightsync.core.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * How fast does a checkpoint on disk become DJL NDArrays holding its data, by each path, and how
 * does that compare with DJL's own {@code NDList.decode} and with the machine's limits
 * ({@link MachineLimitsBenchmark}, same run)?
 *
 * <p>Every invocation opens the checkpoint afresh (header parsed and validated), produces one F32
 * NDArray per tensor in a manager closed at the end of the invocation, and charges the same
 * checksum: a torch sum over every element ({@link TensorPaths#checksum}). Paths:
 * <ul>
 *   <li>{@code mmapZeroCopy}: the project reader's mapped slices wrapped zero-copy; the checksum's
 *       reads fault the pages in.
 *   <li>{@code preadDirect}: the project reader's positional reads into a direct buffer (allocated
 *       once per trial, as a loader keeps its staging memory), wrapped zero-copy.
 *   <li>{@code preadShardsParallel}: the same checkpoint written as about {@value #SHARDS}
 *       shards, one thread per shard reading into its region of the buffer.
 *   <li>{@code djlDecode}: DJL's baseline, {@code NDList.decode(manager, Files.newInputStream(file))}.
 *   <li>{@code inMemoryBaseline}: the same bytes already in memory, wrapped: the checksum alone, the
 *       ceiling for any path.
 * </ul>
 * Without a suffix a benchmark reads a <b>warm page cache</b> (the file was just written or read);
 * the {@code ...Cold} variants drop the page cache before every invocation ({@link ColdCache}, root
 * only) and so read from the disk.
 *
 * <p>HOW TO RUN: {@code java -jar benchmarks/target/benchmarks.jar CheckpointLoadBenchmark -p sizeMb=256}.
 * Read the {@code :bytes} rows: checkpoint bytes per second. Expect mmapZeroCopy and preadDirect
 * within a small factor of inMemoryBaseline and several times djlDecode (which copies every byte
 * twice and allocates as it goes); cold reads at the disk's rate.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx4g", "-XX:MaxDirectMemorySize=4g", Djl.OFFLINE})
@State(Scope.Benchmark)
public class CheckpointLoadBenchmark {

    /**
     * Shards of at most 1/SHARDS of the data each: about this many shards (tensors are not split,
     * so a few more or fewer; setup prints the count).
     */
    static final int SHARDS = 4;

    @Param({"16", "256", "1024"})
    public int sizeMb;

    /** Holds model.safetensors, the checkpoint every single-file path reads. */
    Path dir;
    Path file;
    long dataBytes;
    /** Each invocation's arrays live in a sub-manager of this one, closed at the end of the invocation. */
    NDManager root;

    @Setup(Level.Trial)
    public void writeCheckpoint() throws IOException {
        Djl.pytorch();
        root = NDManager.newBaseManager();
        dir = Files.createTempDirectory("weightsync-load-" + sizeMb + "mb-");
        CheckpointWriter.Written written = ModelShapedCheckpoint.write(dir, sizeMb, 1);
        file = written.files().get(0);
        dataBytes = written.dataBytes();
    }

    @TearDown(Level.Trial)
    public void deleteCheckpoint() throws IOException {
        root.close();
        Folders.deleteRecursively(dir);
    }

    /** A direct buffer as large as the checkpoint's data, for the pread paths. */
    @State(Scope.Benchmark)
    public static class Staging {
        ByteBuffer buffer;

        @Setup(Level.Trial)
        public void allocate(CheckpointLoadBenchmark b) {
            buffer = ByteBuffer.allocateDirect(Math.toIntExact(b.dataBytes));
        }
    }

    /** The same checkpoint as about {@value #SHARDS} shards plus the index, and a thread per shard. */
    @State(Scope.Benchmark)
    public static class Sharded {
        Path dir;
        ExecutorService pool;

        @Setup(Level.Trial)
        public void write(CheckpointLoadBenchmark b) throws IOException {
            dir = Files.createTempDirectory("weightsync-shards-" + b.sizeMb + "mb-");
            int shards = ModelShapedCheckpoint.write(dir, b.sizeMb, SHARDS).files().size();
            System.out.println("sharded copy: " + shards + " shards, one reader thread each");
            pool = Executors.newFixedThreadPool(shards, r -> {
                Thread t = new Thread(r, "shard-reader");
                t.setDaemon(true);
                return t;
            });
        }

        @TearDown(Level.Trial)
        public void delete() throws IOException {
            pool.shutdownNow();
            Folders.deleteRecursively(dir);
        }
    }

    /** The checkpoint's data section already in memory, and its tensor table. */
    @State(Scope.Benchmark)
    public static class InMemory {
        ByteBuffer data;
        List<TensorInfo> tensors;

        @Setup(Level.Trial)
        public void read(CheckpointLoadBenchmark b) throws IOException {
            try (SafetensorsFile f = SafetensorsFile.open(b.file)) {
                tensors = f.tensors();
                data = ByteBuffer.allocateDirect(Math.toIntExact(b.dataBytes));
                for (TensorInfo t : tensors) {
                    f.readInto(t.name(), data);
                }
            }
        }
    }

    @Benchmark
    public double mmapZeroCopy(Throughput t) throws IOException {
        return mmapZeroCopy(t, file);
    }

    @Benchmark
    public double mmapZeroCopyCold(ColdCache cold, Throughput t) throws IOException {
        return mmapZeroCopy(t, file);
    }

    @Benchmark
    public double preadDirect(Staging staging, Throughput t) throws IOException {
        return pread(t, file, staging);
    }

    @Benchmark
    public double preadDirectCold(Staging staging, ColdCache cold, Throughput t) throws IOException {
        return pread(t, file, staging);
    }

    @Benchmark
    public double preadShardsParallel(Staging staging, Sharded sharded, Throughput t) throws IOException {
        return preadShards(t, staging, sharded);
    }

    @Benchmark
    public double preadShardsParallelCold(Staging staging, Sharded sharded, ColdCache cold, Throughput t)
            throws IOException {
        return preadShards(t, staging, sharded);
    }

    @Benchmark
    public double djlDecode(Throughput t) {
        return djlDecode(t, file);
    }

    @Benchmark
    public double djlDecodeCold(ColdCache cold, Throughput t) {
        return djlDecode(t, file);
    }

    @Benchmark
    public double inMemoryBaseline(InMemory memory, Throughput t) {
        try (NDManager m = root.newSubManager()) {
            return counted(t, TensorPaths.checksum(TensorPaths.wrap(memory.data, memory.tensors, m)));
        }
    }

    private double mmapZeroCopy(Throughput t, Path location) throws IOException {
        try (NDManager m = root.newSubManager(); Checkpoint c = Checkpoint.open(location)) {
            return counted(t, TensorPaths.checksum(TensorPaths.mmapZeroCopy(c, m)));
        }
    }

    private double pread(Throughput t, Path location, Staging staging) throws IOException {
        try (NDManager m = root.newSubManager(); Checkpoint c = Checkpoint.open(location)) {
            return counted(t, TensorPaths.checksum(TensorPaths.pread(c, staging.buffer, m)));
        }
    }

    private double preadShards(Throughput t, Staging staging, Sharded sharded) throws IOException {
        try (NDManager m = root.newSubManager(); Checkpoint c = Checkpoint.open(sharded.dir)) {
            return counted(t, TensorPaths.checksum(TensorPaths.preadShardsParallel(c, staging.buffer, m, sharded.pool)));
        }
    }

    private double djlDecode(Throughput t, Path location) {
        try (NDManager m = root.newSubManager()) {
            NDList arrays = TensorPaths.djlDecode(location, m);
            return counted(t, TensorPaths.checksum(arrays));
        }
    }

    private double counted(Throughput t, double checksum) {
        t.bytes += dataBytes;
        return checksum;
    }
}
