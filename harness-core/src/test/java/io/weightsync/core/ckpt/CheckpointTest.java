package io.weightsync.core.ckpt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weightsync.core.safetensors.Dtype;
import io.weightsync.core.safetensors.SafetensorsFormatException;
import io.weightsync.core.safetensors.TensorEntry;
import io.weightsync.core.safetensors.TensorSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    private static final byte[] CONFIG = "{\"model_type\":\"llama\",\"hidden_size\":8}".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    /** Four layers of 8x8 F32 (256 bytes each) plus a norm; tensor i's floats all equal i. */
    static List<TensorEntry> smallModel() {
        List<TensorEntry> tensors = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            tensors.add(filled("model.layers." + i + ".mlp.up_proj.weight", new long[] {8, 8}, i));
        }
        tensors.add(filled("model.norm.weight", new long[] {8}, 9));
        return tensors;
    }

    private static TensorEntry filled(String name, long[] shape, float value) {
        int n = (int) (shape.length == 1 ? shape[0] : shape[0] * shape[1]);
        ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putFloat(value);
        }
        return new TensorEntry(name, Dtype.F32, shape, TensorSource.of(b.flip()));
    }

    @Test
    void singleFileCheckpointOpensFromItsFolderOrItsFile() throws IOException {
        CheckpointWriter.Written w = CheckpointWriter.write(dir, smallModel(), Map.of("format", "pt"),
                CheckpointWriter.Options.DEFAULT);
        assertThat(w.files()).containsExactly(dir.resolve("model.safetensors"));
        assertThat(w.dataBytes()).isEqualTo(4 * 256 + 32);
        for (Path location : List.of(dir, dir.resolve("model.safetensors"))) {
            try (Checkpoint c = Checkpoint.open(location)) {
                assertThat(c.names()).hasSize(5);
                assertThat(c.slice("model.layers.3.mlp.up_proj.weight").getFloat(252)).isEqualTo(3f);
                assertThat(c.metadata()).containsEntry("format", "pt");
            }
        }
    }

    @Test
    void shardedCheckpointIsSplitIndexedAndReadBackByName() throws IOException {
        CheckpointWriter.Written w = CheckpointWriter.write(dir, smallModel(), Map.of(),
                new CheckpointWriter.Options(520, true));
        assertThat(w.files()).extracting(p -> p.getFileName().toString()).containsExactly(
                "model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors");
        ShardIndex index = ShardIndex.read(dir.resolve(ShardIndex.FILE_NAME));
        assertThat(index.totalSize()).isEqualTo(4 * 256 + 32);
        assertThat(index.weightMap()).hasSize(5);

        try (Checkpoint c = Checkpoint.open(dir, 300)) {
            assertThat(c.files()).hasSize(3);
            assertThat(c.dataBytes()).isEqualTo(index.totalSize());
            for (int i = 0; i < 4; i++) {
                assertThat(c.slice("model.layers." + i + ".mlp.up_proj.weight").getFloat(0)).isEqualTo(i);
            }
            assertThat(c.tensor("model.norm.weight").shape()).containsExactly(8);
        }
    }

    @Test
    void missingShardIsNamed() throws IOException {
        CheckpointWriter.write(dir, smallModel(), Map.of(), new CheckpointWriter.Options(520, false));
        Files.delete(dir.resolve("model-00002-of-00003.safetensors"));
        assertThatThrownBy(() -> Checkpoint.open(dir))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageEndingWith("model.safetensors.index.json: names shard 'model-00002-of-00003.safetensors', which is missing");
    }

    @Test
    void indexThatDisagreesWithTheShardsIsRefused() throws IOException {
        CheckpointWriter.write(dir, smallModel(), Map.of(), new CheckpointWriter.Options(520, false));
        Path index = dir.resolve(ShardIndex.FILE_NAME);
        String json = Files.readString(index);
        Files.writeString(index, json.replaceFirst("\"model.norm.weight\" : \"model-0000(\\d)", "\"model.norm.weight\" : \"model-00001"));
        assertThatThrownBy(() -> Checkpoint.open(dir))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining("maps tensor 'model.norm.weight' to model-00001-of-00003.safetensors, which does not hold it");

        Files.writeString(index, json.replace("\"model.norm.weight\"", "\"model.other.weight\""));
        assertThatThrownBy(() -> Checkpoint.open(dir)).hasMessageContaining("does not hold it");
    }

    @Test
    void folderWithSeveralFilesAndNoIndexOrNoFileIsRefused() throws IOException {
        assertThatThrownBy(() -> Checkpoint.open(dir)).hasMessageEndingWith("holds no .safetensors file");
        CheckpointWriter.write(dir, smallModel(), Map.of(), new CheckpointWriter.Options(520, false));
        Files.delete(dir.resolve(ShardIndex.FILE_NAME));
        assertThatThrownBy(() -> Checkpoint.open(dir))
                .hasMessageEndingWith("holds 3 .safetensors files and no model.safetensors.index.json to say how they fit together");
    }

    @Test
    void publishedStepHasConfigWeightsAndStableWrittenLast() throws IOException {
        CheckpointRoot root = new CheckpointRoot(dir);
        assertThat(root.newestStableStep()).isEmpty();
        root.publish(0, CONFIG, smallModel(), Map.of(), CheckpointWriter.Options.DEFAULT);

        Path step = dir.resolve("step_0");
        assertThat(step.resolve("config.json")).hasBinaryContent(CONFIG);
        assertThat(step.resolve("STABLE")).exists();
        assertThat(Files.getLastModifiedTime(step.resolve("STABLE")))
                .isGreaterThanOrEqualTo(Files.getLastModifiedTime(step.resolve("model.safetensors")));
        try (Stream<Path> files = Files.list(step)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("config.json", "model.safetensors", "STABLE");
        }
        try (Checkpoint c = Checkpoint.open(step)) {
            assertThat(c.names()).hasSize(5);
        }
    }

    @Test
    void newestStableStepIgnoresUnfinishedStepsAndSortsNumerically() throws IOException {
        CheckpointRoot root = new CheckpointRoot(dir);
        for (long s : new long[] {2, 9, 10}) {
            root.publish(s, CONFIG, smallModel(), Map.of(), new CheckpointWriter.Options(1 << 20, false));
        }
        Files.createDirectories(dir.resolve("step_11")); // a write in progress: no STABLE
        Files.createDirectories(dir.resolve("step_x"));
        Files.createDirectories(dir.resolve("other"));
        assertThat(root.stableSteps()).containsExactly(2L, 9L, 10L);
        assertThat(root.newestStableStep()).hasValue(10);
        assertThat(root.isStable(11)).isFalse();
    }

    @Test
    void publishingAPublishedStepIsRefusedAndACrashedOneIsRewritten() throws IOException {
        CheckpointRoot root = new CheckpointRoot(dir);
        root.publish(1, CONFIG, smallModel(), Map.of(), CheckpointWriter.Options.DEFAULT);
        assertThatThrownBy(() -> root.publish(1, CONFIG, smallModel(), Map.of(), CheckpointWriter.Options.DEFAULT))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageEndingWith("step_1 is already published (STABLE exists)");

        // a crashed sharded write of step 2 left shards and a temp file, no STABLE
        Path step2 = root.stepDir(2);
        CheckpointWriter.write(Files.createDirectories(step2), smallModel(), Map.of(), new CheckpointWriter.Options(520, false));
        Files.write(step2.resolve(".model.safetensors.tmp-1234"), new byte[10]);
        root.publish(2, CONFIG, smallModel(), Map.of(), CheckpointWriter.Options.DEFAULT);
        try (Stream<Path> files = Files.list(step2)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("config.json", "model.safetensors", "STABLE");
        }
        assertThat(root.newestStableStep()).hasValue(2);
    }

    @Test
    void configMustBeAJsonObject() {
        CheckpointRoot root = new CheckpointRoot(dir);
        assertThatThrownBy(() -> root.publish(0, "[1]".getBytes(StandardCharsets.UTF_8), smallModel(), Map.of(),
                CheckpointWriter.Options.DEFAULT)).hasMessage("config.json for step 0 is not a JSON object");
        assertThat(dir.resolve("step_0")).doesNotExist();
    }
}
