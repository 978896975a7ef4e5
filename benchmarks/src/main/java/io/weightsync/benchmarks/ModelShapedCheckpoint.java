package io.weightsync.benchmarks;

import io.weightsync.core.ckpt.CheckpointWriter;
import io.weightsync.core.safetensors.Dtype;
import io.weightsync.core.safetensors.TensorEntry;
import io.weightsync.core.safetensors.TensorSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A Llama-shaped BF16 checkpoint of about {@code sizeMb} MiB for benchmarks: per layer the seven
 * projection matrices and two norms, plus embedding, final norm and LM head, with d_model chosen so
 * the total lands near the target. Bytes are pseudo-random (incompressible, nothing for the page
 * cache or the CPU to shortcut).
 */
final class ModelShapedCheckpoint {

    static final int LAYERS = 8;
    static final int VOCAB = 4096;

    private ModelShapedCheckpoint() {}

    static List<TensorEntry> tensors(int sizeMb) {
        // bytes ~= 2 * (LAYERS * 12 d^2 + 2 * VOCAB * d) with the MLP at 8/3 d rounded up to 3d
        long target = (long) sizeMb << 20;
        int d = 64;
        while (bytes(d + 64) <= target) {
            d += 64;
        }
        int ff = 3 * d;
        SplittableRandom random = new SplittableRandom(42);
        List<TensorEntry> t = new ArrayList<>();
        t.add(bf16("model.embed_tokens.weight", random, VOCAB, d));
        for (int l = 0; l < LAYERS; l++) {
            String p = "model.layers." + l + ".";
            for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "o_proj"}) {
                t.add(bf16(p + "self_attn." + proj + ".weight", random, d, d));
            }
            t.add(bf16(p + "mlp.gate_proj.weight", random, ff, d));
            t.add(bf16(p + "mlp.up_proj.weight", random, ff, d));
            t.add(bf16(p + "mlp.down_proj.weight", random, d, ff));
            t.add(bf16(p + "input_layernorm.weight", random, d));
            t.add(bf16(p + "post_attention_layernorm.weight", random, d));
        }
        t.add(bf16("model.norm.weight", random, d));
        t.add(bf16("lm_head.weight", random, VOCAB, d));
        return t;
    }

    private static long bytes(int d) {
        return 2L * (LAYERS * (4L * d * d + 9L * d * d) + 2L * VOCAB * d);
    }

    /** Writes the checkpoint as one model.safetensors in a fresh temp folder. */
    static Path write(int sizeMb) throws IOException {
        Path dir = Files.createTempDirectory("weightsync-bench-" + sizeMb + "mb-");
        CheckpointWriter.write(dir, tensors(sizeMb), Map.of("format", "pt"), new CheckpointWriter.Options(Long.MAX_VALUE, false));
        return dir.resolve(CheckpointWriter.SINGLE_FILE);
    }

    static long dataBytes(List<TensorEntry> tensors) {
        long total = 0;
        for (TensorEntry e : tensors) {
            total += e.byteLength();
        }
        return total;
    }

    private static TensorEntry bf16(String name, SplittableRandom random, long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        ByteBuffer bytes = ByteBuffer.allocateDirect((int) (n * 2));
        while (bytes.remaining() >= 8) {
            bytes.putLong(random.nextLong());
        }
        while (bytes.hasRemaining()) {
            bytes.put((byte) random.nextInt());
        }
        return new TensorEntry(name, Dtype.BF16, shape, TensorSource.of(bytes.flip()));
    }

    /** Reads every byte, 8 at a time: the same work for every path, so rates compare. */
    static long sumLongs(ByteBuffer b) {
        long sum = 0;
        int i = 0;
        int limit = b.limit() - 7;
        for (; i < limit; i += 8) {
            sum += b.getLong(i);
        }
        for (; i < b.limit(); i++) {
            sum += b.get(i);
        }
        return sum;
    }
}
