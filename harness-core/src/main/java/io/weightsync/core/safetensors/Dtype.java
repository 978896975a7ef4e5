package io.weightsync.core.safetensors;

import java.util.Locale;

/**
 * Element types of the safetensors format, declared in the reference implementation's order of
 * increasing alignment: the writer sorts tensors by this order, descending, then by name.
 * Sub-byte (F4, F6_*) and complex types are not supported.
 */
public enum Dtype {
    BOOL(1),
    U8(1),
    I8(1),
    F8_E5M2(1),
    F8_E4M3(1),
    F8_E8M0(1),
    I16(2),
    U16(2),
    F16(2),
    BF16(2),
    I32(4),
    U32(4),
    F32(4),
    F64(8),
    I64(8),
    U64(8);

    /** Bytes per element; also the alignment the writer gives the tensor's data. */
    public final int byteSize;

    Dtype(int byteSize) {
        this.byteSize = byteSize;
    }

    /** The dtype named exactly as in a header ("F32", "BF16", ...), or null when unknown. */
    public static Dtype fromHeaderName(String name) {
        if (name == null || !name.equals(name.toUpperCase(Locale.ROOT))) {
            return null;
        }
        for (Dtype d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }
}
