package io.weightsync.gatling;

import io.weightsync.core.ckpt.CheckpointRoot;
import io.weightsync.server.model.TinyModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * What each injected update asks for: {@code POST /update_weights {"weight_dir"}} or
 * {@code POST /reload_weights {}}.
 */
final class WeightTargets {

    /** One admin call: its path and JSON body. */
    record Target(String path, String body, String describe) {}

    private final Path weightDir;
    private final CheckpointRoot root;
    private final Path alternate;
    private long calls;

    private WeightTargets(Path weightDir, CheckpointRoot root, Path alternate) {
        this.weightDir = weightDir;
        this.root = root;
        this.alternate = alternate;
    }

    /**
     * From the settings: a fixed folder, the newest STABLE step under a root, or (neither given)
     * /reload_weights; on the embedded server with neither, a published tiny step_1 alternating with
     * /reload_weights, so every update loads different weights.
     */
    static WeightTargets of(Settings s, boolean embedded, Path scratch) throws IOException {
        if (s.weightDir() != null) {
            if (!Files.isDirectory(s.weightDir())) {
                throw new IllegalArgumentException("-DweightDir " + s.weightDir() + " is not a folder");
            }
            return new WeightTargets(s.weightDir(), null, null);
        }
        if (s.checkpointRoot() != null) {
            if (!Files.isDirectory(s.checkpointRoot())) {
                throw new IllegalArgumentException("-DcheckpointRoot " + s.checkpointRoot() + " is not a folder");
            }
            return new WeightTargets(null, new CheckpointRoot(s.checkpointRoot()), null);
        }
        if (embedded) {
            Path step1 = TinyModel.publishStep(scratch, TinyModel.config(), 1, 4242);
            return new WeightTargets(null, null, step1);
        }
        return new WeightTargets(null, null, null);
    }

    synchronized Target next() {
        calls++;
        if (weightDir != null) {
            return update(weightDir);
        }
        if (root != null) {
            OptionalLong newest;
            try {
                newest = root.newestStableStep();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + root.root() + ": " + e.getMessage(), e);
            }
            if (newest.isEmpty()) {
                throw new IllegalStateException("no step_N with STABLE under -DcheckpointRoot " + root.root());
            }
            return update(root.stepDir(newest.getAsLong()));
        }
        if (alternate != null && calls % 2 == 1) {
            return update(alternate);
        }
        return new Target("/reload_weights", "{}", "reload_weights");
    }

    private static Target update(Path dir) {
        String json = "{\"weight_dir\":\"" + dir.toAbsolutePath().toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
        return new Target("/update_weights", json, dir.getFileName().toString());
    }
}
