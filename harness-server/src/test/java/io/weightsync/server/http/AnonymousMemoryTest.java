package io.weightsync.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnonymousMemoryTest {

    @Test
    void readsRssAnonInKilobytesFromAStatusFile(@TempDir Path dir) throws Exception {
        Path status = dir.resolve("status");
        Files.writeString(status, "Name:\tjava\nVmRSS:\t 1800000 kB\nRssAnon:\t 1536000 kB\nRssFile:\t  264000 kB\n");
        assertThat(AnonymousMemory.ofStatus(status)).isEqualTo(OptionalLong.of(1_536_000L * 1024));
        Files.writeString(status, "Name:\tjava\nVmRSS:\t 1800000 kB\n");
        assertThat(AnonymousMemory.ofStatus(status)).as("an old kernel without RssAnon").isEmpty();
        assertThat(AnonymousMemory.ofStatus(dir.resolve("missing"))).isEmpty();
    }
}
