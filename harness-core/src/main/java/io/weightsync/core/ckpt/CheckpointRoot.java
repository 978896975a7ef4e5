package io.weightsync.core.ckpt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weightsync.core.safetensors.TensorEntry;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The trainer/orchestrator folder protocol (prime-rl's): {@code <root>/step_<N>/} holds
 * {@code config.json} and the weights; a {@code STABLE} marker, written last, says the step is
 * complete. Readers consider only steps with {@code STABLE}; a folder without it is a write in
 * progress (or a crashed one) and may be rewritten.
 */
public final class CheckpointRoot {

    public static final String STABLE = "STABLE";
    public static final String CONFIG = "config.json";

    private static final Pattern STEP_DIR = Pattern.compile("step_(\\d{1,18})");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;

    public CheckpointRoot(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    public Path stepDir(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0: " + step);
        }
        return root.resolve("step_" + step);
    }

    public boolean isStable(long step) {
        return Files.isRegularFile(stepDir(step).resolve(STABLE));
    }

    /** The step number of a folder named {@code step_<N>}, or empty. */
    public static OptionalLong stepOf(Path dir) {
        Path name = dir.getFileName();
        Matcher m = name == null ? null : STEP_DIR.matcher(name.toString());
        return m != null && m.matches() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }

    /** Published steps, ascending. */
    public List<Long> stableSteps() throws IOException {
        List<Long> steps = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return steps;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path dir : dirs) {
                OptionalLong step = stepOf(dir);
                if (step.isPresent() && Files.isRegularFile(dir.resolve(STABLE))) {
                    steps.add(step.getAsLong());
                }
            }
        }
        steps.sort(null);
        return steps;
    }

    /** The newest step with a STABLE marker, or empty when none is published. */
    public OptionalLong newestStableStep() throws IOException {
        List<Long> steps = stableSteps();
        return steps.isEmpty() ? OptionalLong.empty() : OptionalLong.of(steps.get(steps.size() - 1));
    }

    /**
     * Publishes step {@code step}: config.json, the weights, then STABLE, each atomically.
     *
     * @param configJson a Hugging Face config.json (a JSON object)
     * @throws IllegalStateException when the step is already published
     */
    public CheckpointWriter.Written publish(long step, byte[] configJson, Collection<TensorEntry> tensors,
            Map<String, String> metadata, CheckpointWriter.Options options) throws IOException {
        JsonNode config = JSON.readTree(configJson);
        if (config == null || !config.isObject()) {
            throw new IllegalArgumentException("config.json for step " + step + " is not a JSON object");
        }
        Path dir = stepDir(step);
        if (isStable(step)) {
            throw new IllegalStateException(dir + " is already published (" + STABLE + " exists)");
        }
        Files.createDirectories(dir);
        removeUnpublishedFiles(dir);
        AtomicFiles.write(dir.resolve(CONFIG), configJson);
        CheckpointWriter.Written written = CheckpointWriter.write(dir, tensors, metadata, options);
        AtomicFiles.write(dir.resolve(STABLE), new byte[0]);
        AtomicFiles.fsyncDirectory(root);
        return written;
    }

    /** Leftovers of a crashed write of the same step would confuse readers: weights, index, temp files. */
    private static void removeUnpublishedFiles(Path dir) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (Files.isRegularFile(f) && (name.endsWith(".safetensors") || name.equals(ShardIndex.FILE_NAME)
                        || name.contains(".tmp-"))) {
                    Files.delete(f);
                }
            }
        }
    }
}
