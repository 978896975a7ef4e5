package io.weightsync.sim;

import io.weightsync.core.ckpt.Checkpoint;
import io.weightsync.core.safetensors.Dtype;
import io.weightsync.core.safetensors.TensorEntry;
import io.weightsync.core.safetensors.TensorInfo;
import io.weightsync.core.safetensors.TensorSource;
import io.weightsync.server.model.Floats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The trainer's policy: every tensor of a base checkpoint held in memory, floating-point ones as F32
 * (BF16/F16 widened), and a deterministic "training step" that perturbs them so the served outputs
 * really change from step to step.
 *
 * <p>A step adds to every element of every floating-point tensor uniform noise in
 * {@code [-scale, +scale] x rms(base tensor)}, drawn from a generator seeded by (seed, step, tensor
 * name): the same seed gives byte-identical checkpoints. Integer tensors are carried unchanged. The
 * checkpoint is written back in each tensor's own dtype (F32 or BF16; an F16 base is refused: Java
 * 17 has no float-to-half conversion and the harness's models are BF16 or F32).
 */
final class PolicyWeights {

    private record Tensor(String name, Dtype dtype, long[] shape, float[] values, float rms, byte[] raw) {}

    private final List<Tensor> tensors = new ArrayList<>();
    private final byte[] configJson;

    private PolicyWeights(byte[] configJson) {
        this.configJson = configJson;
    }

    /** Reads every tensor of {@code baseDir} (a checkpoint folder with config.json). */
    static PolicyWeights load(Path baseDir) throws IOException {
        Path config = baseDir.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw new IOException(baseDir + ": no config.json (the trainer needs a Hugging Face checkpoint folder)");
        }
        PolicyWeights weights = new PolicyWeights(Files.readAllBytes(config));
        try (Checkpoint ckpt = Checkpoint.open(baseDir)) {
            for (String name : ckpt.names()) {
                TensorInfo info = ckpt.tensor(name);
                ByteBuffer data = ckpt.slice(name);
                if (info.dtype() == Dtype.F32 || info.dtype() == Dtype.BF16) {
                    int n = Math.toIntExact(info.elementCount());
                    ByteBuffer f32 = ByteBuffer.allocate(n * 4).order(ByteOrder.nativeOrder());
                    Floats.toF32(info.dtype(), data, f32, n);
                    float[] values = new float[n];
                    f32.asFloatBuffer().get(values);
                    weights.tensors.add(new Tensor(name, info.dtype(), info.shape(), values, rms(values), null));
                } else if (info.dtype() == Dtype.F16) {
                    throw new IOException(baseDir + ": tensor " + name
                            + " is F16; the trainer perturbs F32 and BF16 checkpoints only");
                } else {
                    byte[] raw = new byte[data.remaining()];
                    data.duplicate().get(raw);
                    weights.tensors.add(new Tensor(name, info.dtype(), info.shape(), null, 0, raw));
                }
            }
        }
        return weights;
    }

    /** One training step: perturbs the floating-point tensors in place, deterministically. */
    void step(long step, long seed, double scale) {
        for (Tensor t : tensors) {
            if (t.values() == null) {
                continue;
            }
            SplittableRandom random = new SplittableRandom(seed * 1_000_003L + step * 31L + t.name().hashCode());
            float amplitude = (float) (scale * (t.rms() > 0 ? t.rms() : 1));
            float[] v = t.values();
            for (int i = 0; i < v.length; i++) {
                v[i] += amplitude * (float) (2 * random.nextDouble() - 1);
            }
        }
    }

    byte[] configJson() {
        return configJson.clone();
    }

    /** The tensors as the checkpoint writer takes them, each in its own dtype. */
    List<TensorEntry> entries() {
        List<TensorEntry> out = new ArrayList<>();
        for (Tensor t : tensors) {
            out.add(new TensorEntry(t.name(), t.dtype(), t.shape(), source(t)));
        }
        return out;
    }

    /** Floating-point elements held (as F32 in memory). */
    long floatCount() {
        long n = 0;
        for (Tensor t : tensors) {
            n += t.values() == null ? 0 : t.values().length;
        }
        return n;
    }

    /** Names and first values, for tests that check determinism and change. */
    Map<String, Float> firstValues() {
        Map<String, Float> firsts = new LinkedHashMap<>();
        for (Tensor t : tensors) {
            if (t.values() != null && t.values().length > 0) {
                firsts.put(t.name(), t.values()[0]);
            }
        }
        return firsts;
    }

    private static TensorSource source(Tensor t) {
        if (t.values() == null) {
            return TensorSource.of(t.raw());
        }
        float[] v = t.values();
        return out -> {
            int chunk = 1 << 16; // elements per write
            ByteBuffer buf = ByteBuffer.allocate(chunk * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int from = 0; from < v.length; from += chunk) {
                buf.clear();
                int to = Math.min(v.length, from + chunk);
                for (int i = from; i < to; i++) {
                    if (t.dtype() == Dtype.BF16) {
                        buf.putShort(Floats.floatToBf16(v[i]));
                    } else {
                        buf.putFloat(v[i]);
                    }
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    out.write(buf);
                }
            }
        };
    }

    private static float rms(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        return v.length == 0 ? 0 : (float) Math.sqrt(sum / v.length);
    }
}
