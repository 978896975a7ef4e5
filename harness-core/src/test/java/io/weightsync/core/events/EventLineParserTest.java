package io.weightsync.core.events;

import static io.weightsync.core.events.ContractLines.TRACE;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class EventLineParserTest {

    private static final String LOGURU = "2025-10-14 12:00:01.234 | INFO     | prime_rl.orchestrator:update:88 - ";
    private static final String VLLM = "(APIServer pid=1234) INFO 10-14 12:00:01 [api_server.py:99] ";

    @ParameterizedTest
    @FieldSource("io.weightsync.core.events.ContractLines#ALL")
    void parsesEveryContractLineBare(ContractLines.Example example) {
        assertParsesTo(example.line(), example.event());
    }

    @ParameterizedTest
    @FieldSource("io.weightsync.core.events.ContractLines#ALL")
    void parsesEveryContractLineBehindLoguruPrefix(ContractLines.Example example) {
        assertParsesTo(LOGURU + example.line(), example.event());
    }

    @ParameterizedTest
    @FieldSource("io.weightsync.core.events.ContractLines#ALL")
    void parsesEveryContractLineBehindVllmPrefix(ContractLines.Example example) {
        assertParsesTo(VLLM + example.line(), example.event());
    }

    @ParameterizedTest
    @FieldSource("io.weightsync.core.events.ContractLines#ALL")
    void parsesEveryContractLineWithAnsiColoursAnywhere(ContractLines.Example example) {
        String coloured = "\u001B[32m" + LOGURU + "\u001B[0m\u001B[1m"
                + example.line().replace("=", "=\u001B[33m").replace(" ", "\u001B[0m ") + "\u001B[0m";
        assertParsesTo(coloured, example.event());
    }

    @ParameterizedTest
    @FieldSource("io.weightsync.core.events.ContractLines#ALL")
    void parsesEveryContractLineWithCrlfAndTrailingWhitespace(ContractLines.Example example) {
        assertParsesTo(example.line() + " \t\r\n", example.event());
        assertParsesTo(example.line() + "\r", example.event());
    }

    @ParameterizedTest
    @FieldSource("io.weightsync.core.events.ContractLines#ALL")
    void keepsExtraKeysApartAndIgnoresThem(ContractLines.Example example) {
        ParseResult result = EventLineParser.parse(VLLM + example.line() + " worker=3 note=a=b");

        assertThat(result.event()).contains(example.event());
        assertThat(result.extraFields()).containsExactly(Map.entry("worker", "3"), Map.entry("note", "a=b"));
    }

    @ParameterizedTest
    @FieldSource("io.weightsync.core.events.ContractLines#ALL")
    void acceptsKeysInReverseOrder(ContractLines.Example example) {
        List<String> head = new ArrayList<>();
        List<String> pairs = new ArrayList<>();
        for (String token : example.line().split(" ")) {
            (token.contains("=") ? pairs : head).add(token);
        }
        java.util.Collections.reverse(pairs);

        assertParsesTo(String.join(" ", head) + " " + String.join(" ", pairs), example.event());
    }

    @Test
    void parsesServerRecvBehindVllmPrefix() {
        ParseResult result = EventLineParser.parse(
                "(APIServer pid=1234) INFO 10-14 12:00:01 [api_server.py:99] [weights][3F9A0C21D4E5B6A7] server.recv t=1764345608.701");

        assertThat(result.event()).contains(new WeightsEvent.ServerRecv(TRACE, 1_764_345_608_701L));
    }

    @Test
    void readsEpochSecondsWithZeroToSixDecimalsToTheNearestMillisecond() {
        assertThat(sendMillis("1764345600")).isEqualTo(1_764_345_600_000L);
        assertThat(sendMillis("1764345600.1")).isEqualTo(1_764_345_600_100L);
        assertThat(sendMillis("1764345600.12")).isEqualTo(1_764_345_600_120L);
        assertThat(sendMillis("1764345600.123")).isEqualTo(1_764_345_600_123L);
        assertThat(sendMillis("1764345600.1234")).isEqualTo(1_764_345_600_123L);
        assertThat(sendMillis("1764345600.1235")).isEqualTo(1_764_345_600_124L);
        assertThat(sendMillis("1764345600.123499")).isEqualTo(1_764_345_600_123L);
        assertThat(sendMillis("1764345600.123500")).isEqualTo(1_764_345_600_124L);
        assertThat(sendMillis("1764345600.999999")).isEqualTo(1_764_345_601_000L);
        assertThat(sendMillis("0.000")).isZero();
    }

    @Test
    void readsDurationsAsWrittenIncludingExponentForm() {
        assertThat(rpcMillis("55")).isEqualTo(55.0);
        assertThat(rpcMillis("55.3")).isEqualTo(55.3);
        assertThat(rpcMillis("0.1")).isEqualTo(0.1);
        assertThat(rpcMillis("-0.25")).isEqualTo(-0.25);
        assertThat(rpcMillis("1e-05")).isEqualTo(1e-5);
        assertThat(rpcMillis("1.5E+3")).isEqualTo(1500.0);
        assertThat(rpcMillis("123456789012345678.9")).isEqualTo(123456789012345678.9);
        assertThat(rpcMillis("0.30000000000000004")).isEqualTo(0.30000000000000004);
    }

    @Test
    void roundTripsRandomEventsOfEveryKind() {
        java.util.Random random = new java.util.Random(7);
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            for (Event event : randomEvents(random)) {
                ParseResult result = EventLineParser.parse(event.toLine());
                if (!result.event().equals(java.util.Optional.of(event))) {
                    mismatches.add(event.toLine() + " -> " + result);
                }
            }
        }
        assertThat(mismatches).isEmpty();
    }

    @Test
    void reportsMalformedNumbersWithoutThrowing() {
        ParseResult result = EventLineParser.parse(
                "[weights][3f9a0c21d4e5b6a7] client.done wall_ms=12.5.1 rpc_ms=abc queue_ms=NaN");

        assertThat(result.kind()).contains(EventKind.CLIENT_DONE);
        assertThat(result.event()).isEmpty();
        assertThat(result.problems()).containsExactly(
                "wall_ms: '12.5.1' is not a number",
                "rpc_ms: 'abc' is not a number",
                "queue_ms: 'NaN' is not a number");
    }

    @Test
    void reportsEachKindOfBadValueByKey() {
        assertThat(problems("[ckpt] write.done step=12.0 write_ms=")).containsExactly(
                "step: '12.0' is not a whole number", "write_ms: '' is not a number");
        assertThat(problems("[ckpt] wait.start target_step=99999999999999999999")).containsExactly(
                "target_step: '99999999999999999999' is out of range");
        assertThat(problems("[weights][3f9a0c21d4e5b6a7] rpc.start t=-1.5")).containsExactly(
                "t: '-1.5' is not epoch seconds");
        assertThat(problems("[weights][3f9a0c21d4e5b6a7] rpc.start t=1764345600.")).containsExactly(
                "t: '1764345600.' is not epoch seconds");
        assertThat(problems("[weights][3f9a0c21d4e5b6a7] rpc.start t=1e9")).containsExactly(
                "t: '1e9' is not epoch seconds");
        assertThat(problems("[weights][3f9a0c21d4e5b6a7] rpc.start t=" + "9".repeat(30))).containsExactly(
                "t: '999999999999999999999999999999' is out of range");
        assertThat(problems("[gen] batch.done completions=1 dur_ms=1e400 inflight=0")).containsExactly(
                "dur_ms: '1e400' is out of range");
        assertThat(problems("[gen] batch.done completions=1 dur_ms=" + "9".repeat(400) + " inflight=0"))
                .singleElement().asString().startsWith("dur_ms: '9999").endsWith("...' is out of range");
        assertThat(problems("[rollout] trunc_pct=120 current_step=1 ckpt_step=1 staleness=0")).containsExactly(
                "trunc_pct: '120' is outside 0..100");
    }

    @Test
    void reportsMissingKeys() {
        assertThat(problems("[weights][3f9a0c21d4e5b6a7] rpc.done t=1764345608.757")).containsExactly(
                "rpc_ms: missing");
        assertThat(problems("[gen] batch.start")).containsExactly("inflight: missing", "target_batch: missing");
        assertThat(problems("[rollout] trunc_pct=1.5")).containsExactly(
                "current_step: missing", "ckpt_step: missing", "staleness: missing");
    }

    @Test
    void readsAClientDoneWithoutRpcAndQueueAsNotMeasuredAndOnlyWallMsAsRequired() {
        ParseResult result = EventLineParser.parse("x [weights][3f9a0c21d4e5b6a7] client.done wall_ms=812.5");

        WeightsEvent.ClientDone done = (WeightsEvent.ClientDone) result.event().orElseThrow();
        assertThat(done.wallMillis()).isEqualTo(812.5);
        assertThat(done.rpcMillis()).isNaN();
        assertThat(done.queueMillis()).isNaN();
        assertThat(EventLineParser.parse(done.toLine()).event()).contains(done);
        assertThat(problems("[weights][3f9a0c21d4e5b6a7] client.done rpc_ms=1 queue_ms=2")).containsExactly(
                "wall_ms: missing");
    }

    @Test
    void reportsATraceIdThatIsNotSixteenHexDigits() {
        assertThat(problems("[weights][abc] client.send t=1764345600.123")).containsExactly(
                "trace: 'abc' is not 16 hex digits");
        assertThat(problems("[weights][] rpc.done t=x rpc_ms=1")).containsExactly(
                "trace: '' is not 16 hex digits", "t: 'x' is not epoch seconds");
    }

    @Test
    void firstValueWinsWhenAKeyRepeats() {
        assertThat(EventLineParser.parse("[ckpt] wait.start target_step=3 target_step=4").event())
                .contains(new CkptEvent.WaitStart(3));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            "INFO: Started server process [1234]",
            "(APIServer pid=1234) INFO 10-14 12:00:01 [api_server.py:99] Route: /update_weights",
            "[weights]",
            "[weights] loading from /tmp/weights/step_12",
            "[weights][3f9a0c21d4e5b6a7]",
            "[weights][3f9a0c21d4e5b6a7] client.retry t=1764345600.123",
            "[weights][3f9a0c21d4e5b6a7] client.sendx t=1764345600.123",
            "[weights][3f9a0c21d4e5b6a7 client.send t=1764345600.123",
            "[ckpt] saved checkpoint to /tmp/step_12",
            "[gen] batch.started inflight=1 target_batch=2",
            "[rollout] starting 8 workers",
            "[rollout]",
            "[WEIGHTS][3f9a0c21d4e5b6a7] client.send t=1764345600.123",
            "[", "]", "[]", "[[[[", "\u001B", "\u001B[", "\u001B]0;title"})
    void ignoresLinesThatAreNotEventLines(String line) {
        ParseResult result = EventLineParser.parse(line);

        assertThat(result.isEventLine()).isFalse();
        assertThat(result.event()).isEmpty();
        assertThat(result.problems()).isEmpty();
    }

    @Test
    void findsTheEventTagAfterAnEarlierBracketedTagThatLeadsNowhere() {
        assertThat(EventLineParser.parse("[gen] note: [ckpt] wait.start target_step=5").event())
                .contains(new CkptEvent.WaitStart(5));
    }

    @Test
    void readsTheSampleLogGoldenFile() throws IOException {
        List<ParseResult> results = new ArrayList<>();
        try (InputStream in = Objects.requireNonNull(getClass().getResourceAsStream("/events/sample.log"))) {
            // split on \n only, so the CRLF line reaches the parser with its \r
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1)) {
                results.add(EventLineParser.parse(line));
            }
        }

        List<Event> events = results.stream().flatMap(r -> r.event().stream()).toList();
        assertThat(events).containsExactlyElementsOf(
                ContractLines.ALL.stream().map(ContractLines.Example::event).toList());
        assertThat(results).filteredOn(ParseResult::isMalformed).singleElement().satisfies(r -> {
            assertThat(r.kind()).contains(EventKind.ROLLOUT);
            assertThat(r.problems()).containsExactly("trunc_pct: 'abc' is not a number");
        });
        assertThat(results).filteredOn(r -> r.event().isPresent() && !r.extraFields().isEmpty())
                .singleElement().satisfies(r -> assertThat(r.extraFields()).containsEntry("bytes", "1234567890"));
    }

    private static void assertParsesTo(String line, Event expected) {
        ParseResult result = EventLineParser.parse(line);
        assertThat(result.problems()).as(line).isEmpty();
        assertThat(result.kind()).as(line).contains(expected.kind());
        assertThat(result.event()).as(line).contains(expected);
    }

    private static List<String> problems(String line) {
        ParseResult result = EventLineParser.parse(line);
        assertThat(result.isEventLine()).as(line).isTrue();
        assertThat(result.event()).as(line).isEmpty();
        return result.problems();
    }

    private static long sendMillis(String t) {
        Event event = EventLineParser.parse("[weights][3f9a0c21d4e5b6a7] client.send t=" + t).event().orElseThrow();
        return ((WeightsEvent.ClientSend) event).epochMillis();
    }

    private static double rpcMillis(String ms) {
        Event event = EventLineParser.parse("[weights][3f9a0c21d4e5b6a7] rpc.done t=1.0 rpc_ms=" + ms)
                .event().orElseThrow();
        return ((WeightsEvent.RpcDone) event).rpcMillis();
    }

    /** One event of every kind; durations in whole microseconds, the formatter's resolution. */
    static List<Event> randomEvents(java.util.Random random) {
        io.weightsync.core.trace.TraceId trace = io.weightsync.core.trace.TraceId.random();
        long t = (long) (random.nextDouble() * 4_000_000_000_000L);
        return List.of(
                new WeightsEvent.ClientSend(trace, t),
                new WeightsEvent.ServerRecv(trace, t + random.nextInt(30_000)),
                new WeightsEvent.RpcStart(trace, t + random.nextInt(30_000)),
                new WeightsEvent.RpcDone(trace, t, micros(random)),
                new WeightsEvent.ClientDone(trace, micros(random), micros(random), micros(random)),
                new CkptEvent.WriteDone(random.nextInt(100_000), micros(random)),
                new CkptEvent.WaitStart(random.nextLong()),
                new CkptEvent.WaitDone(random.nextInt(100_000), micros(random)),
                new GenEvent.BatchStart(random.nextInt(5_000), random.nextInt(5_000)),
                new GenEvent.BatchDone(random.nextInt(5_000), micros(random), random.nextInt(5_000)),
                RolloutEvent.of(random.nextInt(100_001) / 1000.0, random.nextInt(1_000), random.nextInt(1_000)));
    }

    private static double micros(java.util.Random random) {
        long micros = random.nextBoolean() ? random.nextInt(1_000_000_000) : random.nextLong() % 1_000_000_000_000_000L;
        return micros / 1000.0;
    }
}
