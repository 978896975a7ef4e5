package io.weightsync.core.safetensors;

import java.util.Arrays;

/**
 * One tensor as a header describes it. Offsets are relative to the start of the data section,
 * half-open: {@code [begin, end)}. Invariant once validated: {@code end - begin == elementCount() * dtype.byteSize}.
 */
public record TensorInfo(String name, Dtype dtype, long[] shape, long begin, long end) {

    public TensorInfo {
        shape = shape.clone();
    }

    /** A copy of the shape; row-major, empty for a scalar. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int axis) {
        return shape[axis];
    }

    public long byteLength() {
        return end - begin;
    }

    /** Product of the dimensions (1 for a scalar); the header validation guarantees it fits a long. */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype
                && Arrays.equals(shape, t.shape) && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + shapeString() + " [" + begin + ", " + end + ")";
    }
}
