package io.weightsync.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weightsync.core.ckpt.CheckpointWriter;
import io.weightsync.core.safetensors.Dtype;
import io.weightsync.core.safetensors.TensorEntry;
import io.weightsync.core.safetensors.TensorSource;
import io.weightsync.server.model.TinyModel;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WeightUpdateTest {

    @TempDir
    Path dir;

    private static final SamplingParams GREEDY = SamplingParams.greedy(16).withIgnoreEos(true);

    @ParameterizedTest
    @EnumSource(UpdateMode.class)
    void afterAnUpdateGreedyOutputEqualsAFreshEngineOnThatStep(UpdateMode mode) throws Exception {
        EngineFixture f = new EngineFixture(dir);
        Path step1 = f.publish(1);
        List<Integer> fresh;
        try (Engine onStep1 = f.engine(step1, 4, mode)) {
            fresh = EngineFixture.run(onStep1, "policy", GREEDY).tokens();
        }
        try (Engine engine = f.engine(4, mode)) {
            List<Integer> base = EngineFixture.run(engine, "policy", GREEDY).tokens();
            UpdateResult r = engine.updateWeights(step1).join();
            assertThat(r.noop()).isFalse();
            assertThat(r.step()).isEqualTo(1);
            assertThat(r.mode()).isEqualTo(mode);
            assertThat(r.loadMillis()).isPositive();
            assertThat(engine.stats().weightStep()).isEqualTo(1);
            List<Integer> updated = EngineFixture.run(engine, "policy", GREEDY).tokens();
            assertThat(updated).isEqualTo(fresh).isNotEqualTo(base);

            // the same step again is a no-op that succeeds; reload goes back to the base weights
            assertThat(engine.updateWeights(step1).join().noop()).isTrue();
            UpdateResult reload = engine.reloadWeights().join();
            assertThat(reload.step()).isZero();
            assertThat(EngineFixture.run(engine, "policy", GREEDY).tokens()).isEqualTo(base);
        }
    }

    @ParameterizedTest
    @EnumSource(UpdateMode.class)
    void streamsKeepRunningThroughAnUpdateAndTheStallIsMeasured(UpdateMode mode) throws Exception {
        EngineFixture f = new EngineFixture(dir);
        Path step1 = f.publish(1);
        try (Engine engine = f.engine(8, mode)) {
            List<CollectingSink> sinks = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                CollectingSink s = new CollectingSink();
                engine.submit(new GenerationRequest("s" + i, EngineFixture.prompt("stream " + i),
                        SamplingParams.greedy(120).withIgnoreEos(true), s));
                sinks.add(s);
            }
            while (sinks.get(7).tokenCount() < 20) {
                Thread.sleep(2);
            }
            UpdateResult r = engine.updateWeights(step1).join();
            for (CollectingSink s : sinks) {
                assertThat(s.await()).isEqualTo(FinishReason.LENGTH);
                assertThat(s.tokenCount()).isEqualTo(120);
            }
            assertThat(r.maxGapMillis()).isPositive();
            assertThat(r.stallMillis()).isGreaterThanOrEqualTo(0).isLessThanOrEqualTo(r.maxGapMillis());
        }
    }

    @Test
    void badCheckpointsAreRefusedWithOneLineAndTheOldWeightsKeepServing() throws Exception {
        EngineFixture f = new EngineFixture(dir);
        try (Engine engine = f.engine(4, UpdateMode.OVERLAP)) {
            List<Integer> base = EngineFixture.run(engine, "keep", GREEDY).tokens();

            Path notStable = Files.createDirectories(dir.resolve("step_5"));
            assertUpdateFails(engine, notStable, "step_5: no STABLE marker");

            Path truncated = f.publish(2);
            try (RandomAccessFile raf = new RandomAccessFile(truncated.resolve("model.safetensors").toFile(), "rw")) {
                raf.setLength(raf.length() - 100);
            }
            assertUpdateFails(engine, truncated, "step_2/model.safetensors: truncated data");

            Path wrongShape = dir.resolve("wrong_shape");
            Files.createDirectories(wrongShape);
            List<TensorEntry> tensors = new ArrayList<>(TinyModel.tensors(TinyModel.config(), 3));
            tensors.replaceAll(t -> t.name().equals("model.norm.weight")
                    ? new TensorEntry(t.name(), Dtype.F32, new long[] {128}, TensorSource.of(new byte[512])) : t);
            CheckpointWriter.write(wrongShape, tensors, Map.of(), CheckpointWriter.Options.DEFAULT);
            assertUpdateFails(engine, wrongShape, "wrong_shape: tensor 'model.norm.weight' has shape [128], the model needs [256]");

            Path missing = dir.resolve("missing_tensor");
            Files.createDirectories(missing);
            List<TensorEntry> fewer = new ArrayList<>(TinyModel.tensors(TinyModel.config(), 3));
            fewer.removeIf(t -> t.name().equals("lm_head.weight"));
            CheckpointWriter.write(missing, fewer, Map.of(), CheckpointWriter.Options.DEFAULT);
            assertUpdateFails(engine, missing, "missing_tensor: missing tensor 'lm_head.weight'");

            assertUpdateFails(engine, dir.resolve("nope"), "not a checkpoint folder");

            assertThat(EngineFixture.run(engine, "keep", GREEDY).tokens()).isEqualTo(base);
            assertThat(engine.stats().updatesFailed()).isEqualTo(5);
            assertThat(engine.stats().weightStep()).isZero();
        }
    }

    private static void assertUpdateFails(Engine engine, Path weightDir, String words) {
        assertThatThrownBy(() -> engine.updateWeights(weightDir).join())
                .isInstanceOf(CompletionException.class)
                .cause()
                .hasMessageContaining(words)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void pauseKeepFreezesStreamsAbortEndsThemAndWaitDrainsThem() throws Exception {
        EngineFixture f = new EngineFixture(dir);
        try (Engine engine = f.engine(4, UpdateMode.PAUSE)) {
            CollectingSink kept = new CollectingSink();
            engine.submit(new GenerationRequest("kept", EngineFixture.prompt("kept"), SamplingParams.greedy(200).withIgnoreEos(true), kept));
            while (kept.tokenCount() < 5) {
                Thread.sleep(1);
            }
            engine.pause(PauseMode.KEEP).join();
            assertThat(engine.isPaused()).isTrue();
            int frozenAt = kept.tokenCount();
            Thread.sleep(100);
            assertThat(kept.tokenCount()).isEqualTo(frozenAt);
            engine.resume().join();
            assertThat(kept.await()).isEqualTo(FinishReason.LENGTH);
            assertThat(kept.tokenCount()).isEqualTo(200);

            CollectingSink aborted = new CollectingSink();
            engine.submit(new GenerationRequest("aborted", EngineFixture.prompt("x"), SamplingParams.greedy(200).withIgnoreEos(true), aborted));
            while (aborted.tokenCount() < 2) {
                Thread.sleep(1);
            }
            engine.pause(PauseMode.ABORT).join();
            assertThat(aborted.await()).isEqualTo(FinishReason.ABORT);
            engine.resume().join();

            CollectingSink drained = new CollectingSink();
            engine.submit(new GenerationRequest("drained", EngineFixture.prompt("y"), SamplingParams.greedy(60).withIgnoreEos(true), drained));
            while (drained.tokenCount() < 2) {
                Thread.sleep(1);
            }
            engine.pause(PauseMode.WAIT).join();
            assertThat(drained.finished).isDone();
            assertThat(drained.tokenCount()).isEqualTo(60);
            assertThat(engine.isPaused()).isTrue();
            // requests that arrive while paused wait for resume
            CollectingSink later = new CollectingSink();
            engine.submit(new GenerationRequest("later", EngineFixture.prompt("z"), SamplingParams.greedy(3).withIgnoreEos(true), later));
            Thread.sleep(50);
            assertThat(later.tokenCount()).isZero();
            engine.resume().join();
            assertThat(later.await()).isEqualTo(FinishReason.LENGTH);
        }
    }
}
