package io.weightsync.server.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resolves {@code --model tiny|DIR} to a model folder holding config.json and weights. */
public final class ModelLocator {

    private ModelLocator() {}

    /**
     * @param model {@code tiny} for the built-in model (written on first use), or a folder
     */
    public static Path resolve(String model) throws IOException {
        if (model.equals(TinyModel.NAME)) {
            return TinyModel.ensure(TinyModel.defaultRoot());
        }
        Path dir = Path.of(model);
        if (!Files.isDirectory(dir)) {
            throw new IOException("--model " + model + ": not 'tiny' and not a folder");
        }
        if (!Files.isRegularFile(dir.resolve("config.json"))) {
            throw new IOException("--model " + model + ": no config.json in the folder");
        }
        return dir;
    }
}
