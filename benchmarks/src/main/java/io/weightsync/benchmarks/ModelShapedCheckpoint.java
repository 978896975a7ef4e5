package io.weightsync.benchmarks;

import io.weightsync.core.ckpt.CheckpointWriter;
import io.weightsync.core.safetensors.Dtype;
import io.weightsync.core.safetensors.TensorEntry;
import io.weightsync.core.safetensors.TensorSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A Llama-shaped F32 checkpoint of about {@code sizeMb} MiB for the checkpoint benchmarks: per layer
 * the seven projection matrices and two norms, plus embedding, final norm and LM head, with d_model
 * (a multiple of 16) chosen so the total lands at or just under the target.
 *
 * <p>F32, not the BF16 of real checkpoints, because DJL 0.36's PyTorch engine terminates the JVM
 * when it creates a BFLOAT16 array (checked here: {@code NDManager.create(buffer, shape, BFLOAT16)}
 * ends in {@code terminate called without an active exception}), so neither DJL's
 * {@code NDList.decode} nor a zero-copy wrap could load BF16. The bytes moved are what count.
 *
 * <p>Values are finite floats in ±[0.5, 1) with random mantissas: incompressible, nothing for the
 * page cache or the CPU to shortcut, and a torch sum over them (the benchmarks' checksum) is a
 * real number rather than NaN.
 */
final class ModelShapedCheckpoint {

    static final int LAYERS = 8;
    static final int VOCAB = 4096;
    static final int ELEMENT_BYTES = 4;
    /** Seeds the values: every run, and every benchmark's copy, holds the same bytes. */
    static final long SEED = 42;

    private ModelShapedCheckpoint() {}

    /** Tensor names and shapes, in the order a Llama checkpoint lists them. */
    static Map<String, long[]> shapes(int sizeMb) {
        long target = (long) sizeMb << 20;
        int d = 16;
        while (bytes(d + 16) <= target) {
            d += 16;
        }
        int ff = 3 * d; // Llama's 8/3 d, rounded up
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("model.embed_tokens.weight", new long[] {VOCAB, d});
        for (int l = 0; l < LAYERS; l++) {
            String p = "model.layers." + l + ".";
            for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "o_proj"}) {
                shapes.put(p + "self_attn." + proj + ".weight", new long[] {d, d});
            }
            shapes.put(p + "mlp.gate_proj.weight", new long[] {ff, d});
            shapes.put(p + "mlp.up_proj.weight", new long[] {ff, d});
            shapes.put(p + "mlp.down_proj.weight", new long[] {d, ff});
            shapes.put(p + "input_layernorm.weight", new long[] {d});
            shapes.put(p + "post_attention_layernorm.weight", new long[] {d});
        }
        shapes.put("model.norm.weight", new long[] {d});
        shapes.put("lm_head.weight", new long[] {VOCAB, d});
        return shapes;
    }

    /** Bytes of tensor data of the checkpoint {@link #tensors(int)} makes: the byte count every benchmark of this size reports. */
    static long dataBytes(int sizeMb) {
        long total = 0;
        for (long[] shape : shapes(sizeMb).values()) {
            total += elements(shape) * ELEMENT_BYTES;
        }
        return total;
    }

    private static long bytes(int d) {
        return (long) ELEMENT_BYTES * (LAYERS * (4L * d * d + 9L * d * d + 2L * d) + 2L * VOCAB * d + d);
    }

    /** The tensors, each backed by its own direct little-endian buffer, seeded so every run writes the same bytes. */
    static List<TensorEntry> tensors(int sizeMb) {
        SplittableRandom random = new SplittableRandom(SEED);
        List<TensorEntry> tensors = new ArrayList<>();
        for (Map.Entry<String, long[]> e : shapes(sizeMb).entrySet()) {
            ByteBuffer data = ByteBuffer.allocateDirect(Math.toIntExact(elements(e.getValue()) * ELEMENT_BYTES))
                    .order(ByteOrder.LITTLE_ENDIAN);
            fill(data, random);
            tensors.add(new TensorEntry(e.getKey(), Dtype.F32, e.getValue(), TensorSource.of(data)));
        }
        return tensors;
    }

    /**
     * Fills {@code data} (little-endian, a whole number of floats) with finite floats in ±[0.5, 1):
     * random sign and mantissa, exponent fixed at 2^-1.
     */
    static void fill(ByteBuffer data, SplittableRandom random) {
        ByteBuffer out = data.duplicate().order(ByteOrder.LITTLE_ENDIAN).clear();
        while (out.remaining() >= 8) {
            out.putLong(random.nextLong() & 0x807FFFFF_807FFFFFL | 0x3F000000_3F000000L);
        }
        if (out.remaining() >= 4) {
            out.putInt(random.nextInt() & 0x807FFFFF | 0x3F000000);
        }
    }

    /** Writes the checkpoint into {@code dir}: one model.safetensors, or {@code shards} shards plus the index. */
    static CheckpointWriter.Written write(Path dir, int sizeMb, int shards) throws IOException {
        long maxShardBytes = shards <= 1 ? Long.MAX_VALUE : dataBytes(sizeMb) / shards + 1;
        return CheckpointWriter.write(dir, tensors(sizeMb), Map.of("format", "pt"),
                new CheckpointWriter.Options(maxShardBytes, false));
    }

    static long elements(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }
}
