package io.weightsync.server.model;

import io.weightsync.core.safetensors.Dtype;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Conversion of checkpoint bytes (little-endian F32/BF16/F16) to native-order F32, and F32 to BF16
 * (the trainer simulator writes BF16 checkpoints back).
 *
 * <p>Written by hand because DJL 0.36's PyTorch JNI aborts the process on BFLOAT16 dtypes
 * ({@code GetScalarTypeFromDType} rethrows into std::terminate), and Java 17 has no
 * {@code Float.float16ToFloat} (added in Java 20).
 */
public final class Floats {

    private Floats() {}

    /** Writes {@code elements} values of {@code dtype} from {@code src} as F32 into {@code dst} (native order). */
    public static void toF32(Dtype dtype, ByteBuffer src, ByteBuffer dst, long elements) {
        ByteBuffer in = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = dst.order(ByteOrder.nativeOrder());
        int n = Math.toIntExact(elements);
        switch (dtype) {
            case F32 -> {
                if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
                    out.duplicate().clear().put(in.duplicate().limit(n * 4)); // same bytes: bulk copy
                } else {
                    for (int i = 0; i < n; i++) {
                        out.putFloat(i * 4, in.getFloat(i * 4));
                    }
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out.putInt(i * 4, (in.getShort(i * 2) & 0xFFFF) << 16);
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out.putFloat(i * 4, halfToFloat(in.getShort(i * 2)));
                }
            }
            default -> throw new IllegalArgumentException("cannot convert " + dtype + " to F32");
        }
    }

    /** Writes {@code count} values of {@code dtype} from {@code src} (little-endian) as F32 into {@code dst}. */
    public static void toF32(Dtype dtype, ByteBuffer src, float[] dst, int count) {
        ByteBuffer in = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> in.asFloatBuffer().get(dst, 0, count);
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    dst[i] = Float.intBitsToFloat((in.getShort(i * 2) & 0xFFFF) << 16);
                }
            }
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    dst[i] = halfToFloat(in.getShort(i * 2));
                }
            }
            default -> throw new IllegalArgumentException("cannot convert " + dtype + " to F32");
        }
    }

    /** IEEE 754 binary16 to binary32, including subnormals, infinities and NaN. */
    public static float halfToFloat(short half) {
        int h = half & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            if (mantissa == 0) {
                return Float.intBitsToFloat(sign);
            }
            // subnormal: value = mantissa * 2^-24
            float v = mantissa * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** binary32 to bfloat16 with round-to-nearest-even (for writing checkpoints). */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
