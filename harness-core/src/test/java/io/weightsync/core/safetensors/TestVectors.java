package io.weightsync.core.safetensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The safetensors test vectors ({@code valid/} with their {@code .expect.json}, {@code invalid/} with one
 * defect each), kept in this module's test resources under {@code testdata/safetensors}.
 *
 * <p>Other modules see them through harness-core's test-jar; tests hand the vectors to code that
 * memory-maps files, so a jar's entries are copied once into a temporary folder (deleted at exit).
 */
public final class TestVectors {

    /** A file every copy of the vectors has; its grandparent is the vectors' root. */
    private static final String MARKER = "/testdata/safetensors/invalid/README.md";

    private TestVectors() {}

    /** The folder holding {@code valid/} and {@code invalid/}. */
    public static Path safetensorsDir() {
        return Holder.DIR;
    }

    private static final class Holder {
        static final Path DIR = locate();
    }

    private static Path locate() {
        URL marker = TestVectors.class.getResource(MARKER);
        if (marker == null) {
            throw new IllegalStateException("test resource " + MARKER + " is not on the classpath");
        }
        try {
            URI uri = marker.toURI();
            if (uri.getScheme().equals("file")) {
                return Path.of(uri).getParent().getParent();
            }
            return copyOutOfJar(uri);
        } catch (URISyntaxException | IOException e) {
            throw new IllegalStateException("cannot read the test vectors at " + marker + ": " + e, e);
        }
    }

    private static Path copyOutOfJar(URI markerInJar) throws IOException {
        Path target = Files.createTempDirectory("safetensors-vectors");
        try (FileSystem jar = FileSystems.newFileSystem(markerInJar, Map.of());
                Stream<Path> entries = Files.walk(jar.getPath(MARKER).getParent().getParent())) {
            Path root = jar.getPath(MARKER).getParent().getParent();
            for (Path entry : (Iterable<Path>) entries::iterator) {
                Path copy = target.resolve(root.relativize(entry).toString());
                if (Files.isDirectory(entry)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(entry, copy);
                }
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(target), "delete-test-vectors"));
        return target;
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
