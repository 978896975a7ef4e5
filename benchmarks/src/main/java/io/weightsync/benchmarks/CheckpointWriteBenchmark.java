package io.weightsync.benchmarks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.weightsync.core.ckpt.CheckpointWriter;
import io.weightsync.core.safetensors.Dtype;
import io.weightsync.core.safetensors.TensorEntry;
import io.weightsync.core.safetensors.TensorSource;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * How fast does a trainer holding its weights as DJL NDArrays get them into a safetensors
 * checkpoint on disk, with the project's writer and with DJL's own encoder, and how close is that
 * to a raw {@code FileChannel} write of the same byte count ({@link MachineLimitsBenchmark}, same
 * run)?
 *
 * <p>The fixture is a model-shaped F32 weight set ({@link ModelShapedCheckpoint}) as named
 * NDArrays, built once per trial. Every invocation writes the whole checkpoint as a new
 * {@code model.safetensors} into a folder emptied beforehand ({@link ScratchOutput}, not timed).
 * <ul>
 *   <li>{@code writeStreaming}: {@link CheckpointWriter} writes each tensor from a direct view of
 *       its NDArray's memory ({@code toByteBuffer(true)}, no copy) into the file, all of them in
 *       one gathering write; atomic publish (temp file + rename), no fsync: the bytes reach the
 *       page cache.
 *   <li>{@code writeStreamingFsync}: the same, with fsync of the file and its folder: the bytes
 *       reach the disk.
 *   <li>{@code djlEncode}: DJL's baseline, {@code NDList.encode(stream, SAFETENSORS)} into a
 *       {@code BufferedOutputStream} over {@code Files.newOutputStream} (DJL's streaming form,
 *       rather than {@code encode()} which builds the whole file in a {@code byte[]} first); no
 *       fsync, so it compares with {@code writeStreaming}.
 * </ul>
 *
 * <p>HOW TO RUN: {@code java -jar benchmarks/target/benchmarks.jar CheckpointWriteBenchmark -p sizeMb=256}.
 * Read the {@code :bytes} rows: checkpoint bytes per second. Expect writeStreaming at or above
 * {@code MachineLimitsBenchmark.fileChannelWrite} (the writer reserves the file's blocks first and
 * gathers the tensors into one write; the raw write does neither), djlEncode well below it (it
 * copies every tensor to a {@code byte[]} before writing), and the fsync variants at the disk's rate.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx4g", "-XX:MaxDirectMemorySize=4g", Djl.OFFLINE})
@State(Scope.Benchmark)
public class CheckpointWriteBenchmark {

    @Param({"16", "256", "1024"})
    public int sizeMb;

    private NDManager manager;
    /** The trainer's weights: one named F32 NDArray per tensor, in checkpoint order. */
    private NDList weights;
    private long dataBytes;

    @Setup(Level.Trial)
    public void createWeights() {
        Djl.pytorch();
        manager = NDManager.newBaseManager();
        weights = new NDList();
        SplittableRandom random = new SplittableRandom(ModelShapedCheckpoint.SEED);
        for (Map.Entry<String, long[]> e : ModelShapedCheckpoint.shapes(sizeMb).entrySet()) {
            long bytes = ModelShapedCheckpoint.elements(e.getValue()) * ModelShapedCheckpoint.ELEMENT_BYTES;
            ByteBuffer data = ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
            ModelShapedCheckpoint.fill(data, random);
            NDArray wrapped = manager.create(data, new Shape(e.getValue()), DataType.FLOAT32);
            NDArray owned = wrapped.duplicate(); // torch-owned memory, as a trainer's tensors are
            wrapped.close();
            owned.setName(e.getKey());
            weights.add(owned);
            dataBytes += bytes;
        }
    }

    @TearDown(Level.Trial)
    public void closeWeights() {
        manager.close();
    }

    @Benchmark
    public long writeStreaming(ScratchOutput out, Throughput t) throws IOException {
        return write(out, t, false);
    }

    @Benchmark
    public long writeStreamingFsync(ScratchOutput out, Throughput t) throws IOException {
        return write(out, t, true);
    }

    @Benchmark
    public long djlEncode(ScratchOutput out, Throughput t) throws IOException {
        try (OutputStream stream = new BufferedOutputStream(Files.newOutputStream(out.dir.resolve(CheckpointWriter.SINGLE_FILE)))) {
            weights.encode(stream, NDList.Encoding.SAFETENSORS);
        }
        t.bytes += dataBytes;
        return dataBytes;
    }

    private long write(ScratchOutput out, Throughput t, boolean fsync) throws IOException {
        CheckpointWriter.Written written = CheckpointWriter.write(out.dir, entries(weights), Map.of("format", "pt"),
                new CheckpointWriter.Options(Long.MAX_VALUE, fsync));
        t.bytes += written.dataBytes();
        return written.fileBytes();
    }

    /** Each array as a tensor to write, its bytes streamed from a direct view of the array's memory. */
    static List<TensorEntry> entries(NDList arrays) {
        List<TensorEntry> entries = new ArrayList<>(arrays.size());
        for (NDArray a : arrays) {
            if (a.getDataType() != DataType.FLOAT32) {
                throw new IllegalArgumentException("array '" + a.getName() + "' is " + a.getDataType() + "; F32 only here");
            }
            ByteBuffer memory = a.toByteBuffer(true); // the tensor's own memory on the CPU: no copy
            entries.add(new TensorEntry(a.getName(), Dtype.F32, a.getShape().getShape(), TensorSource.of(memory)));
        }
        return entries;
    }
}
