package io.weightsync.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.weightsync.server.engine.UpdateMode;
import io.weightsync.server.http.GreedyStreams.Outcome;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bad checkpoints pushed to a live server while greedy streams decode. Each is refused with a 400
 * whose one-line message names the file and the defect, the old weights keep serving (the step in
 * /metrics does not move), every stream running through the refusal ends with all its tokens and
 * exactly the text it has with no update at all, and a good update afterwards succeeds.
 *
 * <p>Static faults run against a pause-mode server (serve's default), where the refusal happens
 * with the engine frozen. Faults that race the load run against an overlap-mode server, where
 * streams keep decoding through it: a {@link LoadGate} holds the load after the server opened,
 * mapped and verified the file and before it reads a tensor byte, while the file is changed: a
 * real race, made deterministic.
 *
 * <p>Each case prints one {@code [reliability]} line for the README's reliability table.
 */
class CheckpointFaultHttpTest {

    private static final int STREAMS = 8;
    private static final int MAX_TOKENS = 64;

    @TempDir
    static Path pauseRoot;
    @TempDir
    static Path overlapRoot;
    static ServerFixture pauseServer;
    static ServerFixture overlapServer;
    /** Per server: what the greedy streams produce with no update at all. */
    static List<Outcome> pauseReference;
    static List<Outcome> overlapReference;

    @BeforeAll
    static void start() throws Exception {
        pauseServer = new ServerFixture(pauseRoot, STREAMS, 256, UpdateMode.PAUSE, o -> o);
        overlapServer = new ServerFixture(overlapRoot, STREAMS, 256, UpdateMode.OVERLAP, o -> o);
        pauseReference = GreedyStreams.reference(pauseServer, STREAMS, MAX_TOKENS);
        overlapReference = GreedyStreams.reference(overlapServer, STREAMS, MAX_TOKENS);
    }

    @AfterAll
    static void stop() {
        if (pauseServer != null) {
            pauseServer.close();
        }
        if (overlapServer != null) {
            overlapServer.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(CheckpointFault.class)
    void badCheckpointIsRefusedWhileGreedyStreamsRunAndNoStreamNoticesIt(CheckpointFault fault) throws Exception {
        if (fault.racesTheLoad()) {
            assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "needs /proc/self/maps to see the mapping");
        }
        ServerFixture f = fault.racesTheLoad() ? overlapServer : pauseServer;
        List<Outcome> reference = fault.racesTheLoad() ? overlapReference : pauseReference;
        long step = 10 + fault.ordinal();
        Path dir = fault.prepare(f.root, step);
        double stepBefore = f.metric("harness_weight_step");
        double failuresBefore = f.metric("harness_weight_update_failures_total");

        GreedyStreams streams = GreedyStreams.start(f, STREAMS, MAX_TOKENS);
        long sentNanos = System.nanoTime();
        HttpResponse<String> refusal = fault.racesTheLoad() ? updateRacingTheLoad(f, dir, fault::whileLoading)
                : f.post("/update_weights", weightDir(dir));
        long refusalMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentNanos);
        long openAtRefusal = streams.stillOpen();
        List<Outcome> outcomes = streams.await();
        int intact = GreedyStreams.intact(outcomes, reference, MAX_TOKENS);
        double stepAfter = f.metric("harness_weight_step");
        System.out.printf(Locale.ROOT, "[reliability] %s: %d in %d ms, %d/%d streams intact (%d still open at the"
                + " refusal), weights step %d %s%n", fault.figureName, refusal.statusCode(), refusalMillis, intact,
                STREAMS, openAtRefusal, (long) stepAfter, stepAfter == stepBefore ? "kept" : "CHANGED");

        assertThat(refusal.statusCode()).as(refusal.body()).isEqualTo(400);
        assertThat(refusal.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode error = ServerFixture.json(refusal.body()).get("error");
        assertThat(error.get("type").asText()).isEqualTo("BadRequestError");
        assertThat(error.get("code").asInt()).isEqualTo(400);
        String message = error.get("message").asText();
        // names the culprit: the step folder, then the file in it (or the folder itself), then the defect
        assertThat(message).doesNotContain("\n").contains(dir.getFileName() + fault.words.get(0));
        for (String w : fault.words) {
            assertThat(message).contains(w);
        }
        assertThat(stepAfter).as("harness_weight_step").isEqualTo(stepBefore);
        assertThat(f.metric("harness_weight_update_failures_total")).isEqualTo(failuresBefore + 1);
        for (int i = 0; i < STREAMS; i++) {
            assertThat(outcomes.get(i)).as("stream %d against the no-update run", i).isEqualTo(reference.get(i));
        }
        assertThat(intact).isEqualTo(STREAMS);
        assertGoodUpdateStillSucceedsThenReload(f);
    }

    /**
     * A writer that replaces a file by rename (as {@code AtomicFiles} does) while the server loads
     * it does not tear the load: the server mapped the old inode, which lives on until the mapping
     * goes, so the update succeeds with the old file's bytes, consistent from the first tensor to
     * the last. The new file is what the next open of that path reads.
     */
    @Test
    void checkpointReplacedByRenameWhileLoadingLoadsTheBytesItOpened() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "needs /proc/self/maps to see the mapping");
        ServerFixture f = overlapServer;
        long openedSeed = 4242;
        long replacementSeed = 4343;
        Path opened = CheckpointFault.publish(f.root, 30, openedSeed);
        Path sameBytes = CheckpointFault.publish(f.root, 31, openedSeed);
        Path replacementBytes = CheckpointFault.publish(f.root, 32, replacementSeed);
        // the replacement waits beside the target, on the same file system, as a writer's temp file would
        Path replacement = opened.resolve(".model.safetensors.tmp-replacement");
        Files.copy(replacementBytes.resolve("model.safetensors"), replacement);

        GreedyStreams streams = GreedyStreams.start(f, STREAMS, MAX_TOKENS);
        long sentNanos = System.nanoTime();
        HttpResponse<String> update = updateRacingTheLoad(f, opened, dir -> Files.move(replacement,
                dir.resolve("model.safetensors"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING));
        long updateMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentNanos);
        List<Outcome> outcomes = streams.await();
        int complete = GreedyStreams.intact(outcomes, null, MAX_TOKENS);
        assertThat(update.statusCode()).as(update.body()).isEqualTo(200);
        assertThat(ServerFixture.json(update.body()).get("step").asLong()).isEqualTo(30);
        String loaded = greedyProbe(f);

        assertThat(f.post("/update_weights", weightDir(sameBytes)).statusCode()).isEqualTo(200);
        String openedBytesGive = greedyProbe(f);
        assertThat(f.post("/update_weights", weightDir(replacementBytes)).statusCode()).isEqualTo(200);
        String replacementGives = greedyProbe(f);
        boolean oldBytes = loaded.equals(openedBytesGive);
        System.out.printf(Locale.ROOT, "[reliability] checkpoint replaced by rename while loading: %d in %d ms,"
                + " loaded the %s bytes, %d/%d streams complete%n", update.statusCode(), updateMillis,
                oldBytes ? "old (opened) file's" : loaded.equals(replacementGives) ? "replacement's" : "TORN", complete,
                STREAMS);

        assertThat(openedBytesGive).as("the probe tells the two files apart").isNotEqualTo(replacementGives);
        assertThat(loaded).as("the update serves the bytes of the file it opened").isEqualTo(openedBytesGive);
        assertThat(complete).isEqualTo(STREAMS);
        assertThat(f.post("/reload_weights", "{}").statusCode()).isEqualTo(200);
    }

    /**
     * Sends the update, waits until the server holds it at the start of its load (the weights file
     * is open and mapped: {@code /proc/self/maps} shows it; not one tensor byte read), applies
     * {@code change}, then lets the load run.
     */
    private static HttpResponse<String> updateRacingTheLoad(ServerFixture f, Path dir, FileChange change)
            throws Exception {
        CompletableFuture<HttpResponse<String>> pending;
        try (LoadGate held = LoadGate.arm(f.engine)) {
            pending = f.http.sendAsync(HttpRequest.newBuilder(f.uri("/update_weights"))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(weightDir(dir))).build(),
                    HttpResponse.BodyHandlers.ofString());
            held.awaitHolding();
            assertMapped(dir.resolve("model.safetensors"));
            change.apply(dir);
        }
        return pending.get(30, TimeUnit.SECONDS);
    }

    @FunctionalInterface
    private interface FileChange {
        void apply(Path dir) throws IOException;
    }

    /** The server has {@code file} mapped (this process's {@code /proc/self/maps}): it opened and validated it. */
    private static void assertMapped(Path file) throws Exception {
        String real = " " + file.toRealPath();
        assertThat(Files.readAllLines(Path.of("/proc/self/maps"))).as("mappings of this process")
                .anySatisfy(line -> assertThat(line).endsWith(real));
    }

    /** The server keeps serving: a good step loads, and reload brings back step 0 for the next case. */
    private static void assertGoodUpdateStillSucceedsThenReload(ServerFixture f) throws Exception {
        Path good = CheckpointFault.publish(f.root, 1);
        HttpResponse<String> update = f.post("/update_weights", weightDir(good));
        assertThat(update.statusCode()).as(update.body()).isEqualTo(200);
        assertThat(f.metric("harness_weight_step")).isEqualTo(1);
        assertThat(f.post("/reload_weights", "{}").statusCode()).isEqualTo(200);
        assertThat(f.metric("harness_weight_step")).isZero();
    }

    private static String greedyProbe(ServerFixture f) throws Exception {
        HttpResponse<String> r = f.post("/v1/completions",
                "{\"prompt\":\"which weights\",\"max_tokens\":24,\"temperature\":0,\"ignore_eos\":true}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return ServerFixture.json(r.body()).get("choices").get(0).get("text").asText();
    }

    private static String weightDir(Path dir) {
        return "{\"weight_dir\":" + OpenAiShapes.quote(dir.toString()) + "}";
    }
}
