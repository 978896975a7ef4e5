package io.weightsync.core.events;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeout;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The parser must never throw, and its result must be one of its three documented shapes. */
class EventLineParserFuzzTest {

    private static final String ALPHABET =
            "[]=.-+eE 0123456789abcdefABCDEF_\t\r\n\u001B\u0007\\;mweightsckptgenrollout\u00e9\u2603\uD83D";

    @Test
    void neverThrowsOnEveryTruncationOfEveryContractLine() {
        for (ContractLines.Example example : ContractLines.ALL) {
            String line = "(APIServer pid=1) INFO [x.py:1] \u001B[1m" + example.line() + " extra=1\u001B[0m\r\n";
            for (int end = 0; end <= line.length(); end++) {
                checkShape(line.substring(0, end));
                checkShape(line.substring(end));
            }
        }
    }

    @Test
    void neverThrowsOnMutatedContractLines() {
        Random random = new Random(1);
        for (int i = 0; i < 10_000; i++) {
            String line = ContractLines.ALL.get(random.nextInt(ContractLines.ALL.size())).line();
            StringBuilder mutated = new StringBuilder(line);
            for (int m = 1 + random.nextInt(4); m > 0; m--) {
                int at = random.nextInt(mutated.length() + 1);
                switch (random.nextInt(4)) {
                    case 0 -> mutated.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                    case 1 -> {
                        if (at < mutated.length()) {
                            mutated.deleteCharAt(at);
                        }
                    }
                    case 2 -> mutated.insert(at, "9".repeat(random.nextInt(40)));
                    default -> mutated.insert(at, randomPiece(random));
                }
            }
            checkShape(mutated.toString());
        }
    }

    @Test
    void neverThrowsOnRandomGarbage() {
        Random random = new Random(2);
        for (int i = 0; i < 10_000; i++) {
            StringBuilder line = new StringBuilder();
            for (int n = random.nextInt(80); n > 0; n--) {
                line.append(random.nextInt(5) == 0 ? randomPiece(random)
                        : String.valueOf(ALPHABET.charAt(random.nextInt(ALPHABET.length()))));
            }
            checkShape(line.toString());
        }
        checkShape("[weights][" + "a".repeat(100_000) + "] client.send t=" + "1".repeat(100_000));
        checkShape("[rollout] trunc_pct=" + "0.".repeat(50_000));
    }

    @Test
    void staysLinearOnLinesStuffedWithTags() {
        String rollouts = "[rollout] x ".repeat(20_000);
        String weights = "[weights][".repeat(20_000);
        String escapes = "\u001B[".repeat(20_000) + "[ckpt] wait.start target_step=1";

        assertTimeout(Duration.ofSeconds(1), () -> {
            checkShape(rollouts);
            checkShape(weights);
            checkShape(escapes);
        });
    }

    private static String randomPiece(Random random) {
        String[] pieces = {"[weights]", "[ckpt]", "[gen]", "[rollout]", "[3f9a0c21d4e5b6a7]", " client.send",
                " rpc.done", " wait.done", " batch.done", " t=", " rpc_ms=", " trunc_pct=", "=", "\u001B[31m",
                "\u001B]8;;x\u0007", "1e400", "-", ".", "9223372036854775808", "NaN", "Infinity", "0x1p3", "1d"};
        return pieces[random.nextInt(pieces.length)];
    }

    /** Plain checks (no AssertJ per line) keep 40k lines fast; the first bad line fails the test. */
    private static void checkShape(String line) {
        ParseResult result = EventLineParser.parse(line);
        boolean ok;
        if (!result.isEventLine()) {
            ok = result.event().isEmpty() && result.problems().isEmpty();
        } else if (result.isMalformed()) {
            ok = result.event().isEmpty();
        } else {
            ok = result.event().isPresent() && result.event().get().kind() == result.kind().orElseThrow();
        }
        if (!ok) {
            fail("inconsistent " + result + " for line: " + line);
        }
    }
}
