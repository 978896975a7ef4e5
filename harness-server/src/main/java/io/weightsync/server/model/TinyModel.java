package io.weightsync.server.model;

import io.weightsync.core.ckpt.CheckpointRoot;
import io.weightsync.core.ckpt.CheckpointWriter;
import io.weightsync.core.safetensors.Dtype;
import io.weightsync.core.safetensors.TensorEntry;
import io.weightsync.core.safetensors.TensorSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The built-in model {@code tiny}: a 4-layer, d_model 256 Llama with grouped-query attention and a
 * byte-level vocabulary (bytes 0-255, BOS 256, EOS 257). Its seeded random BF16 weights are
 * published as a real checkpoint folder ({@code step_0} with config.json and STABLE) on first use,
 * so the server loads them through the same path as any Hugging Face model.
 */
public final class TinyModel {

    public static final String NAME = "tiny";
    public static final int BOS = 256;
    public static final int EOS = 257;
    /** Weights are N(0, 0.02) as in Hugging Face's Llama init; norms start at 1. */
    private static final double INIT_STD = 0.02;
    private static final long SEED = 20241111L;

    private TinyModel() {}

    public static ModelConfig config() {
        return new ModelConfig("llama", 258, 256, 688, 4, 8, 4, 32, 1e-5, 10000.0, 2048, false, BOS, List.of(EOS));
    }

    /** The default home of the tiny checkpoint: {@code $XDG_CACHE_HOME/weightsync-harness/tiny} or {@code ~/.cache/...}. */
    public static Path defaultRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("weightsync-harness").resolve(NAME);
    }

    /**
     * Makes sure {@code root/step_0} holds the tiny checkpoint, writing it when absent.
     *
     * @return the step_0 folder
     */
    public static Path ensure(Path root) throws IOException {
        return publishStep(root, config(), 0, SEED);
    }

    /**
     * Publishes {@code root/step_<step>} (unless already published) with seeded random weights of
     * {@code config}'s shape: "new weights" that really change the outputs, for tests and
     * benchmarks that update a live engine.
     *
     * @return the step folder
     */
    public static Path publishStep(Path root, ModelConfig config, long step, long seed) throws IOException {
        CheckpointRoot checkpoints = new CheckpointRoot(root);
        if (!checkpoints.isStable(step)) {
            Files.createDirectories(root);
            checkpoints.publish(step, config.toJson(), tensors(config, seed), Map.of("format", "pt"),
                    CheckpointWriter.Options.DEFAULT);
        }
        return checkpoints.stepDir(step);
    }

    /** Seeded random BF16 tensors for every weight {@code config} needs, in spec order. */
    public static List<TensorEntry> tensors(ModelConfig config, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<TensorEntry> tensors = new ArrayList<>();
        for (Map.Entry<String, long[]> e : new WeightSpec(config).required().entrySet()) {
            boolean norm = e.getKey().endsWith("norm.weight");
            long[] shape = e.getValue();
            long n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(n * 2)).order(ByteOrder.LITTLE_ENDIAN);
            for (long i = 0; i < n; i++) {
                float value = norm ? 1f : (float) (random.nextGaussian() * INIT_STD);
                bytes.putShort(Floats.floatToBf16(value));
            }
            tensors.add(new TensorEntry(e.getKey(), Dtype.BF16, shape, TensorSource.of(bytes.flip())));
        }
        return tensors;
    }
}
