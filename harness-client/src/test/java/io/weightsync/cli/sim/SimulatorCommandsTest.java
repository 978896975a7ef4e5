package io.weightsync.cli.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.weightsync.cli.CliRun;
import io.weightsync.cli.NotTheHarnessServer;
import io.weightsync.core.ckpt.CheckpointRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two halves of the RL loop as separate commands, sharing a checkpoint folder. */
class SimulatorCommandsTest {

    @TempDir
    Path tmp;

    @Test
    void trainerThenOrchestratorShareTheWeightsFolder() throws Exception {
        Path weights = tmp.resolve("weights");
        Path trainerLog = tmp.resolve("trainer.log");
        CliRun trainer = CliRun.harness("trainer", "--weights-root", weights.toString(), "--steps", "2",
                "--step-interval", "0", "--log", trainerLog.toString());
        assertThat(trainer.exit()).as(trainer.err()).isZero();
        assertThat(new CheckpointRoot(weights).stableSteps()).containsExactly(1L, 2L);
        assertThat(Files.readAllLines(trainerLog)).hasSize(2).allMatch(l -> l.contains("[ckpt] write.done step="));

        Path log = tmp.resolve("orchestrator.log");
        try (NotTheHarnessServer server = new NotTheHarnessServer()) {
            CliRun orchestrator = CliRun.harness("orchestrator", "--base-url", server.baseUrl(), "--weights-root",
                    weights.toString(), "--model", "other-model", "--streams", "4", "--queued", "2", "--batch-size", "4",
                    "--steps", "5", "--warmup-batches", "0", "--poll-interval", "0.05", "--log", log.toString());
            assertThat(orchestrator.exit()).as(orchestrator.err()).isZero();
            assertThat(orchestrator.out()).contains("requests=").contains("updates=0 updates_failed=1");
        }
        List<String> lines = Files.readAllLines(log);
        assertThat(lines).filteredOn(l -> l.contains("[gen] batch.done completions=4")).hasSize(5);
        assertThat(lines).filteredOn(l -> l.contains("[rollout] trunc_pct=100")).hasSize(5);
        assertThat(lines).anyMatch(l -> l.contains("[ckpt] wait.done target_step=1 wait_ms="))
                .anyMatch(l -> l.contains("client.send t="))
                .anyMatch(l -> l.contains("WARN 404 on /update_weights"));
        // after the 404 no further update is attempted: staleness grows past async_level
        assertThat(lines).anyMatch(l -> l.contains("current_step=4 ckpt_step=0 staleness=4"));
    }

    @Test
    void aTrainerBaseWithoutConfigIsOneLineAndExitOne() {
        CliRun run = CliRun.harness("trainer", "--weights-root", tmp.resolve("w").toString(), "--base", tmp.toString(),
                "--steps", "1");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err().strip()).startsWith("harness trainer: " + tmp).contains("no config.json").doesNotContain("\n");
    }

    @Test
    void badFlagsAreUsageErrors() {
        assertThat(CliRun.harness("trainer", "--steps", "1").exit()).isEqualTo(2); // --weights-root missing
        assertThat(CliRun.harness("trainer", "--weights-root", "w", "--scale", "0").exit()).isEqualTo(2);
        assertThat(CliRun.harness("orchestrator", "--weights-root", "w", "--mode", "both").exit()).isEqualTo(2);
        assertThat(CliRun.harness("orchestrator", "--weights-root", "w", "--streams", "0").exit()).isEqualTo(2);
    }
}
