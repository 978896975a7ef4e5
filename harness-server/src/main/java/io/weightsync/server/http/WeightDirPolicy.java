package io.weightsync.server.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Which folders {@code /update_weights} may load: the request names a path on the server's disk, so
 * it is checked before the engine sees it. {@code ..} is refused outright; with {@code --weights-root}
 * the folder must also resolve, symlinks followed, inside the root (a relative weight_dir is read
 * against the root).
 */
final class WeightDirPolicy {

    /** The root's real path; null when any folder is allowed. */
    private final Path realRoot;

    WeightDirPolicy(Path weightsRoot) {
        if (weightsRoot == null) {
            this.realRoot = null;
        } else {
            try {
                this.realRoot = weightsRoot.toRealPath();
            } catch (IOException e) {
                throw new IllegalArgumentException("--weights-root " + weightsRoot + ": " + e.getMessage(), e);
            }
            if (!Files.isDirectory(realRoot)) {
                throw new IllegalArgumentException("--weights-root " + weightsRoot + " is not a folder");
            }
        }
    }

    /**
     * @return the folder's real path
     * @throws ApiError 400 naming the path and what is wrong with it
     */
    Path resolve(String weightDir) {
        if (weightDir == null || weightDir.isBlank()) {
            throw ApiError.badRequest("'weight_dir' must be a non-empty string");
        }
        Path path;
        try {
            path = Path.of(weightDir);
        } catch (InvalidPathException e) {
            throw ApiError.badRequest("weight_dir '" + weightDir + "' is not a valid path: " + e.getReason());
        }
        for (Path part : path) {
            if (part.toString().equals("..")) {
                throw ApiError.badRequest("weight_dir '" + weightDir + "' must not contain '..'");
            }
        }
        if (realRoot != null && !path.isAbsolute()) {
            path = realRoot.resolve(path);
        }
        if (!Files.exists(path)) {
            throw ApiError.badRequest("weight_dir '" + weightDir + "' does not exist");
        }
        if (!Files.isDirectory(path)) {
            throw ApiError.badRequest("weight_dir '" + weightDir + "' is not a folder");
        }
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException e) {
            throw ApiError.badRequest("weight_dir '" + weightDir + "' cannot be resolved: " + e.getMessage());
        }
        if (realRoot != null && !real.startsWith(realRoot)) {
            throw ApiError.badRequest("weight_dir '" + weightDir + "' resolves to " + real
                    + ", outside --weights-root " + realRoot);
        }
        return real;
    }
}
