package io.weightsync.cli.ckpt;

import static io.weightsync.cli.CliRun.harness;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weightsync.cli.CliRun;
import io.weightsync.core.ckpt.CheckpointRoot;
import io.weightsync.core.ckpt.CheckpointWriter;
import io.weightsync.core.safetensors.Dtype;
import io.weightsync.core.safetensors.TestVectors;
import io.weightsync.core.safetensors.TensorEntry;
import io.weightsync.core.safetensors.TensorSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CkptCommandTest {

    @TempDir
    Path dir;

    @Test
    void verifyAcceptsEveryValidVectorAndExitsZero() throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("ckpt", "verify"));
        try (Stream<Path> s = Files.list(TestVectors.safetensorsDir().resolve("valid"))) {
            s.filter(p -> p.toString().endsWith(".safetensors")).forEach(p -> args.add(p.toString()));
        }
        CliRun run = harness(args.toArray(String[]::new));
        assertThat(run.exit()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out().lines()).hasSize(args.size() - 2).allMatch(l -> l.startsWith("ok "));
    }

    @Test
    void verifyRefusesEachInvalidVectorWithOneLineAndExitsOne() throws Exception {
        try (Stream<Path> s = Files.list(TestVectors.safetensorsDir().resolve("invalid"))) {
            for (Path p : s.filter(f -> f.toString().endsWith(".safetensors")).toList()) {
                CliRun run = harness("ckpt", "verify", p.toString());
                assertThat(run.exit()).as(p.toString()).isEqualTo(1);
                assertThat(run.out()).isEmpty();
                assertThat(run.err().lines()).as(p.toString()).singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                        .startsWith("invalid/" + p.getFileName() + ": ");
            }
        }
    }

    @Test
    void verifyRefusesAStepFolderWithoutStable() throws Exception {
        CheckpointRoot root = new CheckpointRoot(dir);
        root.publish(4, "{}".getBytes(StandardCharsets.UTF_8), List.of(tensor()), Map.of(), CheckpointWriter.Options.DEFAULT);
        assertThat(harness("ckpt", "verify", dir.resolve("step_4").toString()).exit()).isZero();

        Files.delete(dir.resolve("step_4/STABLE"));
        CliRun run = harness("ckpt", "verify", dir.resolve("step_4").toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).startsWith(dir.getFileName() + "/step_4: no STABLE marker");
    }

    @Test
    void verifyRefusesAConfigThatIsNotAJsonObject() throws Exception {
        CheckpointWriter.write(dir, List.of(tensor()), Map.of(), CheckpointWriter.Options.DEFAULT);
        Files.writeString(dir.resolve("config.json"), "{\"hidden_size\": ");
        CliRun run = harness("ckpt", "verify", dir.toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).startsWith(dir.getFileName() + "/config.json: not valid JSON");
    }

    @Test
    void inspectPrintsNamesDtypesShapesBytesAndMetadata() throws Exception {
        Path file = TestVectors.safetensorsDir().resolve("valid/with_metadata.safetensors");
        CliRun run = harness("ckpt", "inspect", file.toString());
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("__metadata__ format = pt", "__metadata__ step = 42")
                .containsPattern("w\\s+F16\\s+\\[4, 4\\]\\s+32\\s+\\[0, 32\\)")
                .contains("total: 1 tensors, 32 B of data in 1 file");
    }

    @Test
    void inspectJsonDescribesEveryShard() throws Exception {
        CheckpointWriter.write(dir, List.of(tensor(), new TensorEntry("b", Dtype.BF16, new long[] {4},
                TensorSource.of(new byte[8]))), Map.of(), new CheckpointWriter.Options(10, false));
        CliRun run = harness("ckpt", "inspect", "--json", dir.toString());
        assertThat(run.exit()).isZero();
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(json.get("tensors").asInt()).isEqualTo(2);
        assertThat(json.get("data_bytes").asLong()).isEqualTo(24);
        assertThat(json.get("files")).hasSize(2);
        assertThat(json.get("files").get(0).get("tensors").get(0).get("name").asText()).isEqualTo("a");
        assertThat(json.get("files").get(0).get("tensors").get(0).get("shape").toString()).isEqualTo("[2,2]");
    }

    @Test
    void badFlagsAreAUsageErrorWithExitTwo() {
        assertThat(harness("ckpt", "verify", "--frobnicate", "x").exit()).isEqualTo(2);
        assertThat(harness("ckpt").exit()).isEqualTo(2);
        assertThat(harness().exit()).isEqualTo(2);
        assertThat(harness("no-such-command").exit()).isEqualTo(2);
        assertThat(harness("ckpt", "verify").exit()).isEqualTo(2);
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] args : new String[][] {{"--help"}, {"ckpt", "--help"}, {"ckpt", "inspect", "--help"}, {"ckpt", "verify", "--help"}}) {
            CliRun run = harness(args);
            assertThat(run.exit()).isZero();
            assertThat(run.out()).startsWith("Usage: harness");
        }
    }

    private static TensorEntry tensor() {
        return new TensorEntry("a", Dtype.F32, new long[] {2, 2}, TensorSource.of(new byte[16]));
    }
}
