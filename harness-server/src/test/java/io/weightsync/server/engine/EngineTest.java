package io.weightsync.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineTest {

    @TempDir
    static Path dir;
    static EngineFixture fixture;
    static Engine engine;

    @BeforeAll
    static void start() throws Exception {
        fixture = new EngineFixture(dir);
        engine = fixture.engine(4, UpdateMode.PAUSE);
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    @Test
    void theEngineThreadAndThePyTorchThreadsItStartsRunAtTheEngineNiceValue() throws Exception {
        assumeTrue(Platform.isLinux(), "nice values are per thread on Linux only");
        int nice = engine.engineConfig().engineNice();
        assertThat(nice).isEqualTo(EngineConfig.DEFAULT_ENGINE_NICE).isPositive();
        assumeTrue(ThreadNice.currentThread().orElseThrow() < nice,
                "the test JVM runs below the engine's nice value");
        // a long prompt: a forward over >= 32 tokens runs on every intra-op thread, so the OpenMP
        // workers of the engine thread exist after it
        EngineFixture.run(engine, "x".repeat(200), SamplingParams.greedy(2).withIgnoreEos(true));
        List<Integer> engineThreads = new ArrayList<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                String comm = Files.readString(task.resolve("comm")).strip();
                if (comm.equals("engine")) { // OpenMP workers inherit the name of the thread that starts them
                    engineThreads.add(ThreadNice.ofStat(task.resolve("stat"), ThreadNice.NICE_FIELD).orElse(-1));
                }
            }
        }
        assertThat(engineThreads).as("nice values of the threads named engine").contains(nice);
        if (Runtime.getRuntime().availableProcessors() >= 2) {
            assertThat(engineThreads.stream().filter(n -> n == nice).count())
                    .as("the engine thread and at least one OpenMP worker: %s", engineThreads).isGreaterThanOrEqualTo(2);
        }
        assertThat(ThreadNice.currentThread().orElseThrow()).as("the test's own thread, unchanged").isLessThan(nice);
    }

    @Test
    void engineNiceOutsideZeroToNineteenIsRefused() {
        assertThatThrownBy(() -> EngineConfig.defaults().withEngineNice(20)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--engine-nice");
        assertThat(EngineConfig.defaults().withEngineNice(0).engineNice()).isZero();
    }

    @Test
    void greedyGenerationIsDeterministicAndEndsWithLengthAtMaxTokens() throws Exception {
        SamplingParams greedy = SamplingParams.greedy(12).withIgnoreEos(true);
        CollectingSink a = EngineFixture.run(engine, "The weights are", greedy);
        CollectingSink b = EngineFixture.run(engine, "The weights are", greedy);
        assertThat(a.await()).isEqualTo(FinishReason.LENGTH);
        assertThat(a.tokens()).hasSize(12).isEqualTo(b.tokens());
        assertThat(a.completionTokens).isEqualTo(12);
    }

    @Test
    void sameSeedGivesTheSameTokensAndAnotherSeedOthers() throws Exception {
        SamplingParams seeded = new SamplingParams(24, 1.0, 0.95, 50, 1234L, List.of(), true);
        CollectingSink a = EngineFixture.run(engine, "Sample", seeded);
        CollectingSink b = EngineFixture.run(engine, "Sample", seeded);
        CollectingSink c = EngineFixture.run(engine, "Sample", new SamplingParams(24, 1.0, 0.95, 50, 99L, List.of(), true));
        assertThat(a.tokens()).isEqualTo(b.tokens()).isNotEqualTo(c.tokens());
    }

    @Test
    void moreRequestsThanSlotsWaitTheirTurnAndAllFinish() throws Exception {
        List<CollectingSink> sinks = new ArrayList<>();
        for (int i = 0; i < 12; i++) { // max batch is 4
            CollectingSink sink = new CollectingSink();
            engine.submit(new GenerationRequest("q" + i, EngineFixture.prompt("request " + i),
                    new SamplingParams(5 + i % 3, 0.8, 1, -1, (long) i, List.of(), true), sink));
            sinks.add(sink);
        }
        for (int i = 0; i < sinks.size(); i++) {
            assertThat(sinks.get(i).await()).isEqualTo(FinishReason.LENGTH);
            assertThat(sinks.get(i).tokenCount()).isEqualTo(5 + i % 3);
        }
        // FIFO: the first request got its first token before the last one did
        assertThat(sinks.get(0).tokenNanos.get(0)).isLessThan(sinks.get(11).tokenNanos.get(0));
    }

    @Test
    void stopStringEndsTheCompletionWithoutItself() throws Exception {
        SamplingParams greedy = SamplingParams.greedy(40).withIgnoreEos(true);
        String full = EngineFixture.run(engine, "stop here", greedy).text.toString();
        // pick a stop string from the middle of what greedy decoding produces
        String stop = full.substring(10, 12);
        int cut = full.indexOf(stop);
        CollectingSink stopped = EngineFixture.run(engine, "stop here",
                new SamplingParams(40, 0, 1, -1, null, List.of(stop), true));
        assertThat(stopped.await()).isEqualTo(FinishReason.STOP);
        assertThat(stopped.text.toString()).isEqualTo(full.substring(0, cut));
    }

    @Test
    void cancelledRequestLeavesAndFreesItsSlot() throws Exception {
        List<CollectingSink> longOnes = new ArrayList<>();
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            CollectingSink sink = new CollectingSink();
            GenerationRequest r = new GenerationRequest("long" + i, EngineFixture.prompt("long"),
                    SamplingParams.greedy(200).withIgnoreEos(true), sink);
            engine.submit(r);
            requests.add(r);
            longOnes.add(sink);
        }
        CollectingSink shortOne = new CollectingSink();
        engine.submit(new GenerationRequest("short", EngineFixture.prompt("short"), SamplingParams.greedy(3).withIgnoreEos(true), shortOne));
        requests.forEach(GenerationRequest::cancel);
        for (CollectingSink s : longOnes) {
            assertThat(s.await()).isEqualTo(FinishReason.ABORT);
            assertThat(s.tokenCount()).isLessThan(200);
        }
        assertThat(shortOne.await()).isEqualTo(FinishReason.LENGTH);
        assertThat(shortOne.tokenCount()).isEqualTo(3);
    }

    @Test
    void requestsBeyondTheContextOrWithBadTokensAreRefusedUpFront() {
        assertThatThrownBy(() -> engine.submit(new GenerationRequest("big", EngineFixture.prompt("x"),
                SamplingParams.greedy(400), new CollectingSink())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maximum context length is 256 tokens")
                .hasMessageContaining("you requested 402 tokens");
        assertThatThrownBy(() -> engine.submit(new GenerationRequest("bad", new int[] {1, 999},
                SamplingParams.greedy(4), new CollectingSink())))
                .hasMessage("prompt token id 999 is outside the vocabulary [0, 258)");
        assertThatThrownBy(() -> engine.submit(new GenerationRequest("empty", new int[0],
                SamplingParams.greedy(4), new CollectingSink())))
                .hasMessage("prompt is empty");
    }
}
