package io.weightsync.server.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.weightsync.core.ckpt.Checkpoint;
import io.weightsync.core.ckpt.CheckpointWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A load is cut into pieces of bounded size, and how it is cut does not change a single weight. */
class WeightPiecesTest {

    @TempDir
    Path dir;

    /** Large enough that gate|up (2 x 1376 x 512 F32, 5.6 MB) and the head need several pieces. */
    private static final ModelConfig WIDE =
            new ModelConfig("llama", 2048, 512, 1376, 2, 16, 8, 32, 1e-5, 1e4, 64, false, 1, List.of(2));

    @Test
    void everyPieceStaysUnderTheByteBoundAndTogetherTheyWriteEveryWeightOnce() throws IOException {
        Path folder = publish(WIDE);
        List<Weights.Piece> seen = new ArrayList<>();
        try (Checkpoint ckpt = Checkpoint.open(folder);
                NDManager root = NDManager.newBaseManager();
                Weights w = Weights.load(ckpt, new WeightSpec(WIDE), root, folder, "wide", pieces -> {
                    for (Weights.Piece p : pieces) {
                        seen.add(p);
                        p.run();
                    }
                })) {
            assertThat(seen).allSatisfy(p -> assertThat(p.bytes()).as(p.what()).isPositive()
                    .isLessThanOrEqualTo(Weights.PIECE_BYTES));
            assertThat(seen.stream().mapToLong(Weights.Piece::bytes).sum()).isEqualTo(f32Bytes(w));
            long rowsPerPiece = Weights.PIECE_BYTES / (WIDE.hiddenSize() * Float.BYTES);
            long gateUpPieces = 2 * ((WIDE.intermediateSize() + rowsPerPiece - 1) / rowsPerPiece); // gate's, then up's
            assertThat(seen.stream().filter(p -> p.what().startsWith("model.layers.0.gate_up"))).hasSize((int) gateUpPieces)
                    .hasSizeGreaterThan(2);
        }
    }

    @Test
    void smallPiecesBuildTheSameWeightsBitForBitAsOnePiecePerTensor() throws IOException {
        for (ModelConfig config : List.of(TinyModel.config(),
                new ModelConfig("qwen3", 64, 32, 48, 2, 4, 2, 16, 1e-6, 1e6, 64, true, 1, List.of(2)),
                new ModelConfig("qwen2", 64, 32, 48, 2, 4, 1, 8, 1e-6, 1e4, 64, false, 1, List.of(2)))) {
            Path folder = publish(config);
            try (Checkpoint ckpt = Checkpoint.open(folder);
                    NDManager root = NDManager.newBaseManager();
                    // 200 bytes: pieces of 1-2 rows at d = 32..256, splitting the query rows, the
                    // repeated q/k norm rows and the biases
                    Weights small = Weights.load(ckpt, new WeightSpec(config), root, folder, "small",
                            Weights.IN_ORDER, 200);
                    Weights whole = Weights.load(ckpt, new WeightSpec(config), root, folder, "whole",
                            Weights.IN_ORDER, Long.MAX_VALUE / 8)) {
                List<NDArray> a = arrays(small);
                List<NDArray> b = arrays(whole);
                assertThat(a).hasSameSizeAs(b);
                for (int i = 0; i < a.size(); i++) {
                    assertThat(a.get(i).getShape()).isEqualTo(b.get(i).getShape());
                    // Arrays.equals compares floatToIntBits: bit for bit
                    assertThat(Arrays.equals(a.get(i).toFloatArray(), b.get(i).toFloatArray()))
                            .as(config.modelType() + " array " + i + " " + a.get(i).getShape()).isTrue();
                }
            }
        }
    }

    @Test
    void piecesRunOnTwoThreadsAtOnceBuildTheSameWeightsBitForBit() throws Exception {
        Path folder = publish(WIDE);
        // two threads take pieces from one counter, as an overlapped load's updater and engine do
        Weights.PieceRunner twoThreads = pieces -> {
            AtomicInteger next = new AtomicInteger();
            Runnable worker = () -> {
                for (int i = next.getAndIncrement(); i < pieces.size(); i = next.getAndIncrement()) {
                    pieces.get(i).run();
                }
            };
            Thread other = new Thread(worker);
            other.start();
            worker.run();
            try {
                other.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        };
        try (Checkpoint ckpt = Checkpoint.open(folder);
                NDManager root = NDManager.newBaseManager();
                // 16 KiB pieces: hundreds of them, so the two threads interleave within every array
                Weights concurrent = Weights.load(ckpt, new WeightSpec(WIDE), root, folder, "two", twoThreads, 16 << 10);
                Weights inOrder = Weights.load(ckpt, new WeightSpec(WIDE), root, folder, "one", Weights.IN_ORDER,
                        Long.MAX_VALUE / 8)) {
            List<NDArray> a = arrays(concurrent);
            List<NDArray> b = arrays(inOrder);
            assertThat(a).hasSameSizeAs(b);
            for (int i = 0; i < a.size(); i++) {
                assertThat(Arrays.equals(a.get(i).toFloatArray(), b.get(i).toFloatArray())).as("array " + i).isTrue();
            }
        }
    }

    private Path publish(ModelConfig config) throws IOException {
        Path folder = Files.createDirectories(dir.resolve(config.modelType() + "-" + config.hiddenSize()));
        CheckpointWriter.write(folder, TinyModel.tensors(config, 7), Map.of(), CheckpointWriter.Options.DEFAULT);
        return folder;
    }

    private static List<NDArray> arrays(Weights w) {
        List<NDArray> all = new ArrayList<>(List.of(w.embed(), w.lmHead()));
        for (int l = 0; l < w.layerCount(); l++) {
            Weights.Layer layer = w.layer(l);
            for (NDArray a : new NDArray[] {layer.qkv(), layer.qkvBias(), layer.qkNorm(), layer.o(), layer.gateUp(),
                    layer.down()}) {
                if (a != null) {
                    all.add(a);
                }
            }
        }
        return all;
    }

    private static long f32Bytes(Weights w) {
        return arrays(w).stream().mapToLong(a -> a.size() * Float.BYTES).sum();
    }
}
