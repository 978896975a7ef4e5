package io.weightsync.core.safetensors;

import java.util.Arrays;
import java.util.Objects;

/** A tensor to write: its name, dtype, shape and where its bytes come from. */
public record TensorEntry(String name, Dtype dtype, long[] shape, TensorSource source) {

    public TensorEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(source, "source");
        if (name.equals(SafetensorsHeader.METADATA_KEY)) {
            throw new IllegalArgumentException("a tensor cannot be named " + SafetensorsHeader.METADATA_KEY);
        }
        shape = shape.clone();
        long bytes = dtype.byteSize;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension: " + Arrays.toString(shape));
            }
            bytes = Math.multiplyExact(bytes, d);
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Bytes of data: elements times the dtype's size. */
    /** Shape as text, e.g. [4, 4]. */
    public String shapeString() {
        return Arrays.toString(shape);
    }

    public long byteLength() {
        long bytes = dtype.byteSize;
        for (long d : shape) {
            bytes *= d;
        }
        return bytes;
    }
}
