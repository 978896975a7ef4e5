package io.weightsync.core.safetensors;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the team's shared test vectors: {@code shared/} sits beside the repository checkout. */
public final class SharedTestData {

    private SharedTestData() {}

    /** {@code shared/testdata/safetensors}, searched upward from the working directory. */
    public static Path safetensorsDir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared/testdata/safetensors");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("shared/testdata/safetensors not found above " + Path.of("").toAbsolutePath()
                + " (the shared/ folder must sit beside the checkout)");
    }
}
