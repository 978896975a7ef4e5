package io.weightsync.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The {@code --out} folder of a command that runs for minutes: refused before the run, not after it. */
public final class OutFolder {

    private OutFolder() {}

    /** Creates {@code dir} and writes a probe file into it; one line naming the folder when that fails. */
    public static void checkWritable(Path dir) throws IOException {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-check", "");
            Files.delete(probe);
        } catch (AccessDeniedException e) {
            throw new IOException("--out " + dir + " is not writable (permission denied on " + e.getFile() + ")");
        } catch (FileSystemException e) {
            throw new IOException("--out " + dir + " cannot be written: " + e.getReason() + " (" + e.getFile() + ")");
        }
    }
}
