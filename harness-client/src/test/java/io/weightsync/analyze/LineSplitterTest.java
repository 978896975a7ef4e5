package io.weightsync.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LineSplitterTest {

    private static final String TEXT = "one\r\ntwo\n\n" + "x".repeat(600) + "\nfour [weights] ok\nfive";


    @Test
    void piecesOfAnySizeGiveTheSameLinesAsOneReadOnceFinished() {
        byte[] bytes = TEXT.getBytes(StandardCharsets.ISO_8859_1);
        List<String> whole = new ArrayList<>();
        LineSplitter one = new LineSplitter(256, (line, n) -> whole.add(n + ":" + line));
        one.feed(bytes, 0, bytes.length);
        one.finish();
        assertThat(whole).containsExactly("1:one\r", "2:two", "3:", "5:four [weights] ok", "6:five");
        assertThat(one.oversizedLines()).isEqualTo(1);

        SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 200; round++) {
            List<Integer> cuts = new ArrayList<>();
            for (int left = bytes.length; left > 0; ) {
                int n = Math.min(left, 1 + random.nextInt(40));
                cuts.add(n);
                left -= n;
            }
            List<String> lines = new ArrayList<>();
            LineSplitter splitter = new LineSplitter(256, (line, n) -> lines.add(n + ":" + line));
            int at = 0;
            for (int n : cuts) {
                splitter.feed(bytes, at, n);
                at += n;
            }
            splitter.finish();
            assertThat(lines).as("cut as %s", cuts).isEqualTo(whole);
            assertThat(splitter.bytes()).isEqualTo(bytes.length);
        }
    }

    @Test
    void aHeldLineThatPassesTheLimitInThePieceWithItsNewlineCostsOnlyItself() {
        byte[] bytes = ("x".repeat(260) + "\nnext [weights] line\n").getBytes(StandardCharsets.ISO_8859_1);
        List<String> lines = new ArrayList<>();
        LineSplitter splitter = new LineSplitter(256, (line, n) -> lines.add(n + ":" + line));
        splitter.feed(bytes, 0, 250); // held, still under the limit
        splitter.feed(bytes, 250, bytes.length - 250); // passes it, and its \n is here too
        splitter.finish();
        assertThat(lines).containsExactly("2:next [weights] line");
        assertThat(splitter.oversizedLines()).isEqualTo(1);
    }

    @Test
    void aLineWithoutItsNewlineIsHeldUntilItComesOrTheStreamEnds() {
        byte[] bytes = "done queue_ms=80".getBytes(StandardCharsets.ISO_8859_1);
        List<String> lines = new ArrayList<>();
        LineSplitter splitter = new LineSplitter(256, (line, n) -> lines.add(line));
        splitter.feed(bytes, 0, bytes.length);

        assertThat(lines).isEmpty();
        assertThat(splitter.holdsPartialLine()).isTrue();
        byte[] rest = "05\nnext".getBytes(StandardCharsets.ISO_8859_1);
        splitter.feed(rest, 0, rest.length);
        assertThat(lines).containsExactly("done queue_ms=8005");
        splitter.finish();
        assertThat(lines).containsExactly("done queue_ms=8005", "next");
        assertThat(splitter.holdsPartialLine()).isFalse();
        assertThat(Arrays.asList(splitter.lines(), splitter.oversizedLines())).containsExactly(2L, 0L);
    }
}
