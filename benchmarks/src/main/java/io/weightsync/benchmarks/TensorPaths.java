package io.weightsync.benchmarks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.weightsync.core.ckpt.Checkpoint;
import io.weightsync.core.safetensors.Dtype;
import io.weightsync.core.safetensors.SafetensorsFile;
import io.weightsync.core.safetensors.TensorInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * The ways a checkpoint on disk becomes DJL NDArrays holding its data, as the load benchmarks
 * measure them, and the one checksum every path is charged for.
 *
 * <ul>
 *   <li>{@link #mmapZeroCopy}: the project reader maps the file; each tensor's mapped slice is
 *       wrapped as an NDArray without a copy ({@code torch::from_blob} over the mapping). Nothing is
 *       read until the checksum touches the data: page faults are paid there.
 *   <li>{@link #pread}: the project reader copies each tensor with positional reads into its region
 *       of a direct buffer the caller owns (one kernel copy), wrapped without a further copy.
 *   <li>{@link #preadShardsParallel}: as {@link #pread}, one shard per thread.
 *   <li>{@link #djlDecode}: DJL's own {@code NDList.decode} over a file stream (reads the data
 *       section into a {@code byte[]}, then copies each tensor into a new direct buffer).
 *   <li>{@link #wrap}: the same bytes already in memory, wrapped: no load at all, the ceiling.
 * </ul>
 *
 * <p>{@link #checksum}: a torch {@code sum()} over every element of every array, read back as a
 * float. Every path, the in-memory ceiling included, pays it the same way; it proves each array
 * holds the file's data (the unit test compares checksums across paths) and it is what makes the
 * zero-copy path actually read its bytes, so no path wins by not loading.
 */
final class TensorPaths {

    private TensorPaths() {}

    /** Zero-copy NDArrays over the checkpoint's mapped slices. The checkpoint may be closed after; the mappings live on. */
    static NDList mmapZeroCopy(Checkpoint checkpoint, NDManager manager) {
        NDList arrays = new NDList();
        for (String name : checkpoint.names()) {
            arrays.add(wrap(checkpoint.slice(name), checkpoint.tensor(name), manager));
        }
        return arrays;
    }

    /**
     * Copies every tensor by positional reads into {@code staging} (file order, shard after
     * shard), then wraps each region as an NDArray without a copy.
     */
    static NDList pread(Checkpoint checkpoint, ByteBuffer staging, NDManager manager) throws IOException {
        long offset = 0;
        for (SafetensorsFile file : checkpoint.files()) {
            readShard(file, staging, offset);
            offset += file.header().dataBytes();
        }
        return wrapAll(checkpoint, staging, manager);
    }

    /** As {@link #pread}, each shard read by its own task on {@code pool}; the arrays are wrapped once all are in. */
    static NDList preadShardsParallel(Checkpoint checkpoint, ByteBuffer staging, NDManager manager,
            ExecutorService pool) throws IOException {
        List<Future<?>> reads = new ArrayList<>();
        long offset = 0;
        for (SafetensorsFile file : checkpoint.files()) {
            long at = offset;
            reads.add(pool.submit(() -> {
                readShard(file, staging, at);
                return null;
            }));
            offset += file.header().dataBytes();
        }
        for (Future<?> read : reads) {
            try {
                read.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while reading shards of " + checkpoint.location(), e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            }
        }
        return wrapAll(checkpoint, staging, manager);
    }

    /** DJL's baseline: {@code NDList.decode(manager, Files.newInputStream(file))}, as a DJL user writes it. */
    static NDList djlDecode(Path file, NDManager manager) {
        try (InputStream in = Files.newInputStream(file)) {
            return NDList.decode(manager, in);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": DJL decode failed", e);
        }
    }

    /** {@code tensors} (in data order) over {@code data}, a buffer holding a data section, wrapped without a copy. */
    static NDList wrap(ByteBuffer data, List<TensorInfo> tensors, NDManager manager) {
        NDList arrays = new NDList();
        for (TensorInfo t : tensors) {
            arrays.add(wrap(data.slice((int) t.begin(), (int) t.byteLength()), t, manager));
        }
        return arrays;
    }

    /** Sum of every element of every array, computed by torch: the same work for every path. */
    static double checksum(NDList arrays) {
        double total = 0;
        for (NDArray a : arrays) {
            try (NDArray sum = a.sum()) {
                total += sum.getFloat();
            }
        }
        return total;
    }

    private static void readShard(SafetensorsFile file, ByteBuffer staging, long offset) throws IOException {
        ByteBuffer region = staging.duplicate().position(Math.toIntExact(offset));
        for (TensorInfo t : file.tensors()) {
            file.readInto(t.name(), region);
        }
    }

    private static NDList wrapAll(Checkpoint checkpoint, ByteBuffer staging, NDManager manager) {
        NDList arrays = new NDList();
        long offset = 0;
        for (SafetensorsFile file : checkpoint.files()) {
            for (TensorInfo t : file.tensors()) {
                arrays.add(wrap(staging.slice(Math.toIntExact(offset + t.begin()), (int) t.byteLength()), t, manager));
            }
            offset += file.header().dataBytes();
        }
        return arrays;
    }

    /**
     * One tensor's bytes as an F32 NDArray. On the CPU, DJL wraps a direct buffer in place and
     * keeps a reference to it; the slice starts at the tensor (DJL takes the buffer's base address).
     */
    private static NDArray wrap(ByteBuffer bytes, TensorInfo t, NDManager manager) {
        if (t.dtype() != Dtype.F32) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' is " + t.dtype()
                    + "; these load paths wrap F32 only (DJL 0.36 aborts the JVM on BFLOAT16 arrays)");
        }
        NDArray array = manager.create(bytes.slice().order(ByteOrder.nativeOrder()), new Shape(t.shape()),
                DataType.FLOAT32);
        array.setName(t.name());
        return array;
    }
}
