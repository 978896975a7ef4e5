package io.weightsync.core.ckpt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreallocationTest {

    @TempDir
    Path dir;

    @Test
    void reservesBlocksWithoutChangingTheLength() throws Exception {
        assumeTrue(Platform.isLinux(), "fallocate is Linux's");
        Path file = Files.createFile(dir.resolve("f"));
        boolean reserved = Preallocation.reserve(file, 8 << 20);
        assumeTrue(reserved, "the temp folder's file system has no fallocate");
        assertThat(Files.size(file)).isZero();
        assertThat(allocatedBytes(file)).isGreaterThanOrEqualTo(8L << 20);
    }

    @Test
    void aFileWrittenIntoReservedBlocksHasExactlyItsBytes() throws Exception {
        byte[] content = new byte[3 << 20];
        new java.util.Random(7).nextBytes(content);
        Path target = dir.resolve("model.bin");
        AtomicFiles.write(target, false, content.length, out -> out.write(java.nio.ByteBuffer.wrap(content)));
        assertThat(Files.readAllBytes(target)).isEqualTo(content);
    }

    @Test
    void whatCannotBeReservedIsSkipped() throws IOException {
        assertThat(Preallocation.reserve(dir.resolve("missing"), 1 << 20)).isFalse();
        assertThat(Preallocation.reserve(Files.createFile(dir.resolve("empty")), 0)).isFalse();
    }

    /** st_blocks x 512, from stat(1): Java has no attribute for a file's allocated size. */
    private static long allocatedBytes(Path file) throws Exception {
        Process p = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).redirectErrorStream(true).start();
        String[] out = new String(p.getInputStream().readAllBytes()).trim().split(" ");
        assertThat(p.waitFor()).isZero();
        return Long.parseLong(out[0]) * Long.parseLong(out[1]);
    }
}
