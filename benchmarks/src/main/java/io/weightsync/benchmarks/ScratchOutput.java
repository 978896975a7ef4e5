package io.weightsync.benchmarks;

import io.weightsync.core.ckpt.Folders;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * An empty folder for a benchmark that writes: emptied before every invocation (not timed), so
 * every write creates its files anew rather than overwriting the last one's, the same for every
 * writer; removed with everything in it after the trial.
 */
@State(Scope.Thread)
public class ScratchOutput {

    public Path dir;

    @Setup(Level.Trial)
    public void create() throws IOException {
        dir = Files.createTempDirectory("weightsync-write-");
    }

    @Setup(Level.Invocation)
    public void empty() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                Files.delete(f);
            }
        }
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        Folders.deleteRecursively(dir);
    }
}
