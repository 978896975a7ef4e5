package io.weightsync.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogScannerTest {

    @TempDir
    Path dir;

    private static List<String> lines(LogScanner scanner, Path file, List<LogScanner.FileStats> stats) throws Exception {
        List<String> lines = new ArrayList<>();
        stats.add(scanner.scan(file, (line, n) -> lines.add(n + ":" + line)));
        return lines;
    }

    @Test
    void deliversALastLineWithoutNewlineAndKeepsCarriageReturnsForTheParser() throws Exception {
        Path log = Files.writeString(dir.resolve("a.log"), "one\r\ntwo\n\nthree");
        List<LogScanner.FileStats> stats = new ArrayList<>();

        assertThat(lines(new LogScanner(), log, stats)).containsExactly("1:one\r", "2:two", "3:", "4:three");
        assertThat(stats.get(0).bytes()).isEqualTo(Files.size(log));
        assertThat(stats.get(0).gzip()).isFalse();
    }

    @Test
    void skipsALineLongerThanTheLimitWhereverTheReadBufferCutsIt() throws Exception {
        char[] giant = new char[1_000_000];
        Arrays.fill(giant, 'x');
        Path log = Files.writeString(dir.resolve("big.log"), "before\n" + new String(giant) + "\nafter\n" + new String(giant));
        List<LogScanner.FileStats> stats = new ArrayList<>();

        assertThat(lines(new LogScanner(256), log, stats)).containsExactly("1:before", "3:after");
        assertThat(stats.get(0).oversizedLines()).isEqualTo(2);
        assertThat(stats.get(0).lines()).isEqualTo(2);
    }

    @Test
    void joinsALineSplitAcrossReadBuffers() throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 40_000; i++) {
            text.append("line ").append(i).append(" [weights][00000000000000aa] client.send t=1.0\n");
        }
        Path log = Files.writeString(dir.resolve("many.log"), text);
        List<String> lines = lines(new LogScanner(), log, new ArrayList<>());

        assertThat(lines).hasSize(40_000);
        assertThat(lines).allMatch(l -> l.endsWith("client.send t=1.0"));
        assertThat(lines.get(39_999)).isEqualTo("40000:line 39999 [weights][00000000000000aa] client.send t=1.0");
    }

    @Test
    void readsGzipByItsMagicBytesAndReportsATruncatedStreamInsteadOfThrowing() throws Exception {
        Path gz = dir.resolve("server.log.1");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            for (int i = 0; i < 5000; i++) {
                out.write(("line " + i + " some text to make the stream long enough\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        List<LogScanner.FileStats> stats = new ArrayList<>();
        assertThat(lines(new LogScanner(), gz, stats)).hasSize(5000);
        assertThat(stats.get(0).gzip()).isTrue();
        assertThat(stats.get(0).error()).isNull();

        byte[] bytes = Files.readAllBytes(gz);
        Path cut = Files.write(dir.resolve("cut.gz"), Arrays.copyOf(bytes, bytes.length / 2));
        List<String> partial = lines(new LogScanner(), cut, stats);
        assertThat(partial).isNotEmpty().hasSizeLessThan(5000);
        assertThat(stats.get(1).error()).contains("gzip stream ends early");
    }
}
