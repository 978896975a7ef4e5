package io.weightsync.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weightsync.client.EventLog;
import io.weightsync.core.ckpt.CheckpointRoot;
import io.weightsync.core.ckpt.CheckpointVerifier;
import io.weightsync.server.model.TinyModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {

    @TempDir
    Path tmp;

    private Trainer trainer(Path root, long seed, Path log) throws Exception {
        Path base = TinyModel.ensure(tmp.resolve("tiny"));
        return new Trainer(new Trainer.Config(base, root, Duration.ZERO, 2, seed, 0.02, false),
                log == null ? EventLog.discard() : EventLog.toFile(log));
    }

    @Test
    void publishesEachStepWithStableLastAndLogsWriteDone() throws Exception {
        Path root = tmp.resolve("weights");
        Path log = tmp.resolve("trainer.log");
        trainer(root, 1, log).run();
        CheckpointRoot checkpoints = new CheckpointRoot(root);
        assertThat(checkpoints.stableSteps()).containsExactly(1L, 2L);
        for (long step : new long[] {1, 2}) {
            assertThat(CheckpointVerifier.verify(checkpoints.stepDir(step)).tensors()).isGreaterThan(10);
            assertThat(checkpoints.stepDir(step).resolve("config.json")).exists();
        }
        assertThat(Files.readAllLines(log)).hasSize(2)
                .allMatch(l -> l.contains("trainer [ckpt] write.done step="))
                .anyMatch(l -> l.contains("step=2 write_ms="));
    }

    @Test
    void theSameSeedWritesTheSameBytesAndEveryStepChangesTheWeights() throws Exception {
        trainer(tmp.resolve("a"), 7, null).run();
        trainer(tmp.resolve("b"), 7, null).run();
        trainer(tmp.resolve("c"), 8, null).run();
        Path a2 = tmp.resolve("a/step_2/model.safetensors");
        assertThat(Files.readAllBytes(a2)).isEqualTo(Files.readAllBytes(tmp.resolve("b/step_2/model.safetensors")));
        assertThat(Files.readAllBytes(a2)).isNotEqualTo(Files.readAllBytes(tmp.resolve("c/step_2/model.safetensors")));
        assertThat(Files.readAllBytes(a2)).isNotEqualTo(Files.readAllBytes(tmp.resolve("a/step_1/model.safetensors")));
        assertThat(CheckpointVerifier.verify(tmp.resolve("a/step_2")).dataBytes())
                .isEqualTo(CheckpointVerifier.verify(tmp.resolve("tiny/step_0")).dataBytes()); // same dtypes and shapes
    }

    @Test
    void aStepMovesEveryFloatTensorBySmallNoise() throws Exception {
        Trainer t = trainer(tmp.resolve("w"), 3, null);
        Map<String, Float> before = t.policy().firstValues();
        t.policy().step(1, 3, 0.02);
        Map<String, Float> after = t.policy().firstValues();
        assertThat(after.keySet()).isEqualTo(before.keySet());
        before.forEach((name, v) -> {
            assertThat(after.get(name)).as(name).isNotEqualTo(v);
            assertThat(Math.abs(after.get(name) - v)).as(name).isLessThan(0.1f);
        });
    }

    @Test
    void aFolderWithoutConfigIsRefusedNamingIt() {
        assertThatThrownBy(() -> new Trainer(new Trainer.Config(tmp, tmp.resolve("w"), Duration.ZERO, 1, 1, 0.02, false),
                EventLog.discard()))
                .hasMessageContaining(tmp.toString()).hasMessageContaining("no config.json");
    }
}
