package io.weightsync.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Native memory stays flat over many requests and weight updates: every step's temporaries are
 * freed with the step, every replaced weight set with its swap.
 */
class NativeMemoryTest {

    @TempDir
    Path dir;

    private static final int WARMUP_UPDATES = 6;

    @Test
    void nativeArraysAndRssStayFlatOverThousandsOfRequestsAndManyUpdates() throws Exception {
        EngineFixture f = new EngineFixture(dir);
        Path[] steps = {f.publish(1), f.publish(2)};
        try (Engine engine = f.engine(32, UpdateMode.OVERLAP)) {
            // warm-up: the allocator's arenas grow to their working set over the first updates
            // (an overlapped load allocates and frees on the engine and the updater thread; RSS
            // levelled off after 4-5 updates in a probe of 30), so the baseline is taken after six
            runRequests(engine, 300, 0);
            for (int u = 0; u < WARMUP_UPDATES; u++) {
                runRequests(engine, 50, 100 + u);
                engine.updateWeights(steps[u % 2]).join();
            }
            System.gc();
            int arraysBefore = engine.rootManager().getManagedArrays().size();
            long rssBefore = rssKiB();

            for (int round = 0; round < 8; round++) {
                runRequests(engine, 200, round);
                engine.updateWeights(steps[round % 2]).join();
            }
            System.gc();
            int arraysAfter = engine.rootManager().getManagedArrays().size();
            long rssAfter = rssKiB();
            System.out.printf("native arrays %d -> %d, RSS %d -> %d MiB over 1600 requests and 8 updates%n",
                    arraysBefore, arraysAfter, rssBefore >> 10, rssAfter >> 10);
            assertThat(arraysAfter).as("NDArrays alive in the engine").isEqualTo(arraysBefore);
            assertThat(rssAfter - rssBefore).as("RSS growth, KiB").isLessThan(64 * 1024);
            assertThat(engine.stats().running()).isZero();
        }
    }

    private static void runRequests(Engine engine, int count, int round) throws Exception {
        List<CollectingSink> sinks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            CollectingSink sink = new CollectingSink();
            GenerationRequest r = new GenerationRequest("m" + round + "-" + i, EngineFixture.prompt("mem " + i),
                    new SamplingParams(3 + i % 4, 1.0, 1, -1, (long) i, List.of(), true), sink);
            engine.submit(r);
            if (i % 10 == 0) {
                r.cancel();
            }
            sinks.add(sink);
        }
        for (CollectingSink s : sinks) {
            s.await();
        }
    }

    private static long rssKiB() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
