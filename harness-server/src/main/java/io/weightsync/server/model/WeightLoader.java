package io.weightsync.server.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.weightsync.core.ckpt.Checkpoint;
import io.weightsync.core.safetensors.TensorInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Plans the weight arrays of a {@link Weights} set as pieces of bounded size and runs them. Each
 * array is allocated once (uninitialised, by the first piece that writes it) and filled a row range
 * at a time: the rows are converted from the checkpoint (BF16/F16/F32) into scratch memory, the
 * folds are applied there in Java, and one torch copy moves them into the array's rows. No piece
 * converts more than {@code pieceBytes} of F32 (a piece is at least one row), so each costs about
 * the same bounded time whatever the model size. Nothing references the checkpoint file once the pieces have run.
 *
 * <p>Pieces may run on several threads at once (an overlapped load runs them beside the engine
 * and, when that falls behind, between its steps): each writes only its own rows, an array is
 * allocated once under its own lock, the folded norms exist before any piece runs, and each running
 * piece borrows its own scratch.
 */
final class WeightLoader implements AutoCloseable {

    /**
     * Rows {@code [0, rows)} of a planned array (after the parts before it) come from checkpoint
     * tensor {@code tensor}; its first {@code scaledRows} rows are multiplied by {@code scale}. When
     * {@code repeat}, the tensor is one row (1-D, as wide as the array) written into every row.
     */
    record Part(String tensor, long rows, boolean repeat, float scale, long scaledRows) {
        static Part rows(String tensor, long rows) {
            return new Part(tensor, rows, false, 1f, 0);
        }
    }

    /** An array being built; {@link #array()} is complete once all of its pieces have run. */
    static final class Planned {
        private final NDManager target;
        private final long[] shape;
        /** The column norm folded into every row, as floats, or null. */
        private final float[] norm;
        /** Uninitialised until its pieces run: every row is written once. Guarded by this. */
        private NDArray array;

        private Planned(NDManager target, long[] shape, float[] norm) {
            this.target = target;
            this.shape = shape;
            this.norm = norm;
        }

        /**
         * The array, allocated by the first caller (the first piece that writes it, on whichever
         * thread runs that piece). Not when planned: a whole weight set allocated up front on the
         * updater thread grew this process's RSS by 82-112 MiB over 8 overlapped updates of the tiny
         * model in four runs of five, 6 MiB in the fifth (NativeMemoryTest, bound 64; glibc kept the
         * freed sets in that thread's arena); allocated piece by piece, -186 to +59 MiB in eight.
         */
        synchronized NDArray array() {
            if (array == null) {
                array = target.create(new Shape(shape), DataType.FLOAT32);
            }
            return array;
        }
    }

    private final Checkpoint checkpoint;
    private final NDManager target;
    /** Parent of each piece's own manager, for the views and indexing temporaries of one copy. */
    private final NDManager scratchManager;
    private final long pieceBytes;
    /** Scratch not lent to a running piece: one per thread that has run pieces at the same time. */
    private final ConcurrentLinkedQueue<Scratch> idleScratch = new ConcurrentLinkedQueue<>();

    WeightLoader(Checkpoint checkpoint, NDManager target, long pieceBytes) {
        this.checkpoint = checkpoint;
        this.target = target;
        this.scratchManager = target.newSubManager();
        this.pieceBytes = pieceBytes;
    }

    /**
     * Adds to {@code pieces} the pieces that build an F32 array of {@code shape} (1-D, or 2-D rows
     * by columns) from {@code parts} stacked along its first axis, every row multiplied element by
     * element by the 1-D tensor {@code columnNorm} when it is not null (an RMSNorm weight folded
     * into the projection that reads its output: W diag(g)).
     */
    Planned plan(List<Weights.Piece> pieces, String what, long[] shape, String columnNorm, Part... parts) {
        long rows = Arrays.stream(parts).mapToLong(Part::rows).sum();
        if (rows != shape[0]) {
            throw new IllegalArgumentException(what + ": parts give " + rows + " rows, the array has "
                    + Arrays.toString(shape));
        }
        Planned p = new Planned(target, shape, columnNorm == null ? null : vector(columnNorm));
        long cols = shape.length == 1 ? 1 : shape[1];
        long rowsPerPiece = Math.max(1, pieceBytes / (cols * Float.BYTES));
        long destRow = 0;
        for (Part part : parts) {
            for (long r0 = 0; r0 < part.rows(); r0 += rowsPerPiece) {
                long r1 = Math.min(part.rows(), r0 + rowsPerPiece);
                long base = destRow;
                long from = r0;
                pieces.add(new Weights.Piece(what + " rows " + (base + r0) + ".." + (base + r1),
                        (r1 - r0) * cols * Float.BYTES, () -> fill(p, part, base, from, r1)));
            }
            destRow += part.rows();
        }
        return p;
    }

    /** Rows {@code [r0, r1)} of {@code part}, folded, into rows {@code [destRow + r0, destRow + r1)} of the array. */
    private void fill(Planned p, Part part, long destRow, long r0, long r1) {
        Scratch mine = idleScratch.poll();
        if (mine == null) {
            mine = new Scratch();
        }
        try {
            fill(p, part, destRow, r0, r1, mine);
        } finally {
            idleScratch.add(mine);
        }
    }

    private void fill(Planned p, Part part, long destRow, long r0, long r1, Scratch mine) {
        int cols = Math.toIntExact(p.shape.length == 1 ? 1 : p.shape[1]);
        int rows = Math.toIntExact(r1 - r0);
        int n = rows * cols;
        float[] values = mine.values(n);
        if (part.repeat()) {
            convert(part.tensor(), 0, cols, values);
            for (int r = 1; r < rows; r++) {
                System.arraycopy(values, 0, values, r * cols, cols);
            }
        } else {
            convert(part.tensor(), r0 * cols, n, values);
        }
        // the same products, in the same order, as torch's mul on the whole array: (w * scale) * g
        int scaled = Math.toIntExact(Math.max(0, Math.min(r1, part.scaledRows()) - r0)) * cols;
        float scale = part.scale();
        for (int i = 0; i < scaled; i++) {
            values[i] *= scale;
        }
        if (p.norm != null) {
            float[] g = p.norm;
            for (int at = 0; at < n; at += cols) {
                for (int c = 0; c < cols; c++) {
                    values[at + c] *= g[c];
                }
            }
        }
        ByteBuffer f32 = mine.buffer((long) n * Float.BYTES);
        f32.asFloatBuffer().put(values, 0, n);
        Shape pieceShape = p.shape.length == 1 ? new Shape(rows) : new Shape(rows, cols);
        try (NDManager piece = scratchManager.newSubManager()) {
            NDArray view = piece.create(f32, pieceShape, DataType.FLOAT32); // over the scratch buffer, no copy
            p.array().set(new NDIndex().addSliceDim(destRow + r0, destRow + r1), view); // the one copy
        }
    }

    /** A 1-D tensor (a norm weight) as floats. */
    private float[] vector(String name) {
        float[] v = new float[Math.toIntExact(checkpoint.tensor(name).elementCount())];
        convert(name, 0, v.length, v);
        return v;
    }

    /** Elements {@code [from, from + count)} of a tensor, in row-major order, as F32 into {@code dst}. */
    private void convert(String name, long from, int count, float[] dst) {
        TensorInfo t = checkpoint.tensor(name);
        try {
            checkpoint.checkStillHolds(name); // a read past the end of a truncated file would be a SIGBUS
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int size = t.dtype().byteSize;
        ByteBuffer src = checkpoint.slice(name).slice(Math.toIntExact(from * size), count * size);
        Floats.toF32(t.dtype(), src, dst, count);
    }

    /** Memory one running piece converts and stages its rows in; grown when needed, reused by later pieces. */
    private static final class Scratch {
        /** A piece's values, converted and folded here (loops the JIT vectorizes), then copied into {@link #buffer}. */
        private float[] values = new float[0];
        /** The direct buffer torch reads a piece from. */
        private ByteBuffer buffer = ByteBuffer.allocateDirect(0);

        /** The heap array, at least {@code count} long. */
        float[] values(int count) {
            if (values.length < count) {
                values = new float[count];
            }
            return values;
        }

        /** The direct buffer as {@code bytes} bytes, native order. */
        ByteBuffer buffer(long bytes) {
            if (buffer.capacity() < bytes) {
                buffer = ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
            }
            return buffer.duplicate().clear().limit((int) bytes).slice().order(ByteOrder.nativeOrder());
        }
    }

    @Override
    public void close() {
        scratchManager.close();
    }
}
