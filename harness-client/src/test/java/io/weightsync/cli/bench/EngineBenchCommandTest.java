package io.weightsync.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weightsync.cli.CliRun;
import io.weightsync.server.model.TinyModel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineBenchCommandTest {

    @TempDir
    Path dir;

    @Test
    void shortBenchWritesTheTableAndTheJsonTheIssueNames() throws Exception {
        Path model = TinyModel.ensure(dir.resolve("tiny"));
        Path json = dir.resolve("engine.json");
        CliRun run = CliRun.harness("bench", "engine", "--model", model.toString(), "--batches", "1,4",
                "--warmup-steps", "1", "--steps", "4", "--update-streams", "2", "--json", json.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("DJL fp32 matmul 1024x1024:", "| 1 |", "| 4 |", "| pause | 2 |", "| overlap | 2 |");

        JsonNode r = new ObjectMapper().readTree(json.toFile());
        assertThat(r.get("matmul_gflops").asDouble()).isPositive();
        assertThat(r.get("batches")).hasSize(2);
        for (JsonNode b : r.get("batches")) {
            assertThat(b.get("step_ms").asDouble()).isPositive();
            assertThat(b.get("tokens_per_s").asDouble()).isPositive();
            assertThat(b.get("gflops").asDouble()).isPositive();
        }
        assertThat(r.get("batches").get(1).get("batch").asInt()).isEqualTo(4);
        assertThat(r.get("updates")).hasSize(2);
        assertThat(r.get("updates").get(0).get("mode").asText()).isEqualTo("pause");
        for (JsonNode u : r.get("updates")) {
            assertThat(u.get("no_update_stall_ms").asDouble()).as(u.toString()).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void badFlagsAreUsageErrors() {
        assertThat(CliRun.harness("bench", "engine", "--batches", "0").exit()).isEqualTo(2);
        CliRun rounds = CliRun.harness("bench", "engine", "--warmup-rounds", "-1");
        assertThat(rounds.exit()).isEqualTo(2);
        assertThat(rounds.err()).contains("--warmup-rounds must be >= 0");
        assertThat(CliRun.harness("bench", "engine", "--device", "tpu").exit()).isEqualTo(2);
        CliRun gpu = CliRun.harness("bench", "engine", "--device", "gpu");
        assertThat(gpu.exit()).isEqualTo(2);
        assertThat(gpu.err()).contains("sees no CUDA device");
        assertThat(CliRun.harness("bench").exit()).isEqualTo(2);
    }
}
