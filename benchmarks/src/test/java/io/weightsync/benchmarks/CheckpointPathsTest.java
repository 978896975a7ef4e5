package io.weightsync.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.weightsync.core.ckpt.Checkpoint;
import io.weightsync.core.ckpt.CheckpointWriter;
import io.weightsync.core.safetensors.SafetensorsFile;
import io.weightsync.core.safetensors.TensorEntry;
import io.weightsync.core.safetensors.TensorInfo;
import io.weightsync.server.model.ModelConfig;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The paths the JMH suites time really do what they claim, on a checkpoint small enough to run in
 * a second: every load path yields NDArrays holding the file's bytes, the checksum agrees across
 * them, and both writers produce files the project reader reads back byte for byte.
 */
class CheckpointPathsTest {

    private static final int SIZE_MB = 1;

    @TempDir
    static Path dir;

    static NDManager manager;
    /** Tensor name to its bytes, as the checkpoint's source holds them. */
    static Map<String, byte[]> expected;

    @BeforeAll
    static void loadDjl() throws IOException {
        Djl.pytorch();
        manager = NDManager.newBaseManager();
        expected = new LinkedHashMap<>();
        for (TensorEntry e : ModelShapedCheckpoint.tensors(SIZE_MB)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            e.source().writeTo(Channels.newChannel(bytes));
            expected.put(e.name(), bytes.toByteArray());
        }
    }

    @AfterAll
    static void closeDjl() {
        manager.close();
    }

    @Test
    void everyLoadPathYieldsArraysHoldingTheCheckpointsBytesWithOneChecksum() throws Exception {
        Path single = Files.createDirectory(dir.resolve("single"));
        Path sharded = Files.createDirectory(dir.resolve("sharded"));
        CheckpointWriter.Written one = ModelShapedCheckpoint.write(single, SIZE_MB, 1);
        CheckpointWriter.Written many = ModelShapedCheckpoint.write(sharded, SIZE_MB, CheckpointLoadBenchmark.SHARDS);
        assertThat(one.dataBytes()).isEqualTo(ModelShapedCheckpoint.dataBytes(SIZE_MB));
        assertThat(many.files()).hasSizeGreaterThan(1);

        ByteBuffer staging = ByteBuffer.allocateDirect((int) one.dataBytes());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (NDManager m = manager.newSubManager();
                Checkpoint c = Checkpoint.open(single);
                Checkpoint s = Checkpoint.open(sharded);
                SafetensorsFile f = SafetensorsFile.open(one.files().get(0))) {
            ByteBuffer inMemory = ByteBuffer.allocateDirect((int) one.dataBytes());
            for (TensorInfo t : f.tensors()) {
                f.readInto(t.name(), inMemory);
            }
            Map<String, NDList> paths = new LinkedHashMap<>();
            paths.put("inMemory", TensorPaths.wrap(inMemory, f.tensors(), m));
            paths.put("mmapZeroCopy", TensorPaths.mmapZeroCopy(c, m));
            paths.put("pread", TensorPaths.pread(c, staging, m));
            paths.put("djlDecode", TensorPaths.djlDecode(one.files().get(0), m));
            // the sharded path last: it reuses the staging buffer the pread arrays wrap
            double singleChecksum = TensorPaths.checksum(paths.get("inMemory"));
            for (Map.Entry<String, NDList> path : paths.entrySet()) {
                assertHoldsExpectedBytes(path.getKey(), path.getValue());
                assertThat(TensorPaths.checksum(path.getValue())).as(path.getKey()).isCloseTo(singleChecksum, within(1e-6));
            }
            NDList shards = TensorPaths.preadShardsParallel(s, staging, m, pool);
            assertHoldsExpectedBytes("preadShardsParallel", shards);
            assertThat(singleChecksum).isNotNaN().isNotZero();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void projectWriterAndDjlEncoderBothWriteFilesTheReaderReadsBackByteForByte() throws IOException {
        try (NDManager m = manager.newSubManager()) {
            NDList weights = new NDList();
            for (Map.Entry<String, long[]> e : ModelShapedCheckpoint.shapes(SIZE_MB).entrySet()) {
                ByteBuffer data = ByteBuffer.allocateDirect(expected.get(e.getKey()).length).order(ByteOrder.nativeOrder());
                data.put(expected.get(e.getKey())).flip();
                NDArray a = m.create(data, new Shape(e.getValue()), DataType.FLOAT32).duplicate();
                a.setName(e.getKey());
                weights.add(a);
            }
            Path project = Files.createDirectory(dir.resolve("project"));
            CheckpointWriter.write(project, CheckpointWriteBenchmark.entries(weights), Map.of(),
                    new CheckpointWriter.Options(Long.MAX_VALUE, false));
            Path djl = Files.createDirectory(dir.resolve("djl")).resolve(CheckpointWriter.SINGLE_FILE);
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(djl))) {
                weights.encode(out, NDList.Encoding.SAFETENSORS);
            }
            for (Path file : List.of(project.resolve(CheckpointWriter.SINGLE_FILE), djl)) {
                try (SafetensorsFile f = SafetensorsFile.open(file)) {
                    assertThat(f.tensors()).hasSize(expected.size());
                    for (TensorInfo t : f.tensors()) {
                        byte[] read = new byte[(int) t.byteLength()];
                        f.slice(t.name()).get(read);
                        assertThat(read).as(file + " " + t.name()).isEqualTo(expected.get(t.name()));
                    }
                }
            }
        }
    }

    @Test
    void swapModelIsTheLargestTinyShapedModelWhoseCheckpointFitsTheSize() {
        for (int sizeMb : new int[] {16, 256}) {
            ModelConfig c = WeightSwapBenchmark.config(sizeMb);
            long bytes = WeightSwapBenchmark.checkpointBytes(c);
            assertThat(bytes).isLessThanOrEqualTo((long) sizeMb << 20).isGreaterThan((long) sizeMb << 19);
            assertThat(c.numHiddenLayers()).isEqualTo(4);
            assertThat(c.hiddenSize() % 64).isZero();
        }
    }

    private static void assertHoldsExpectedBytes(String path, NDList arrays) {
        assertThat(arrays).as(path).hasSize(expected.size());
        for (NDArray a : arrays) {
            assertThat(a.getDataType()).isEqualTo(DataType.FLOAT32);
            byte[] bytes = a.toByteArray();
            assertThat(Arrays.equals(bytes, expected.get(a.getName()))).as(path + " " + a.getName()).isTrue();
        }
    }
}
