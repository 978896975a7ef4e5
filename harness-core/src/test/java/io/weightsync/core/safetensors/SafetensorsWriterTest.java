package io.weightsync.core.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {

    @TempDir
    Path dir;

    @Test
    void writesTheReferenceWritersBytesForOneTensor() throws IOException {
        // The reference implementation's own serialization vector: attn.0, F32 [1,2,3] = 0..5
        ByteBuffer data = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) {
            data.putFloat(i);
        }
        data.flip();
        Path file = dir.resolve("one.safetensors");
        SafetensorsWriter.write(file, List.of(new TensorEntry("attn.0", Dtype.F32, new long[] {1, 2, 3},
                TensorSource.of(data))), Map.of(), false);

        byte[] bytes = Files.readAllBytes(file);
        String header = "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}";
        assertThat(header).hasSize(64); // already 8-aligned: no padding
        assertThat(HexFormat.of().formatHex(bytes, 0, 8)).isEqualTo("4000000000000000");
        assertThat(new String(bytes, 8, 64)).isEqualTo(header);
        assertThat(HexFormat.of().formatHex(bytes, 72, 96))
                .isEqualTo("000000000000803f0000004000004040000080400000a040");
    }

    @Test
    void padsHeaderWithSpacesAndPutsMetadataFirst() throws IOException {
        Path empty = dir.resolve("empty.safetensors");
        SafetensorsWriter.write(empty, List.of(), Map.of(), true);
        assertThat(Files.readAllBytes(empty)).isEqualTo(new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '});

        Path meta = dir.resolve("meta.safetensors");
        SafetensorsWriter.write(meta, List.of(), Map.of("framework", "pt"), true);
        byte[] bytes = Files.readAllBytes(meta);
        assertThat(bytes[0]).isEqualTo((byte) 40);
        assertThat(new String(bytes, 8, 40)).isEqualTo("{\"__metadata__\":{\"framework\":\"pt\"}}     ");
    }

    @Test
    void ordersTensorsByDescendingAlignmentThenNameAndAlignsEveryTensor() throws IOException {
        Random random = new Random(7);
        List<TensorEntry> tensors = new ArrayList<>();
        Map<String, byte[]> contents = new LinkedHashMap<>();
        Dtype[] dtypes = {Dtype.U8, Dtype.F32, Dtype.BF16, Dtype.I64, Dtype.BOOL, Dtype.F16, Dtype.F64, Dtype.I32};
        for (int i = 0; i < 24; i++) {
            Dtype dt = dtypes[random.nextInt(dtypes.length)];
            long[] shape = {1 + random.nextInt(5), 1 + random.nextInt(7)};
            byte[] bytes = new byte[(int) (shape[0] * shape[1] * dt.byteSize)];
            random.nextBytes(bytes);
            String name = "model.layers." + random.nextInt(100) + ".w" + i;
            contents.put(name, bytes);
            tensors.add(new TensorEntry(name, dt, shape, TensorSource.of(bytes)));
        }
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, tensors, Map.of("format", "pt", "step", "3"), true);

        IndependentSafetensorsParser.Parsed parsed = IndependentSafetensorsParser.parse(Files.readAllBytes(file));
        assertThat(parsed.keyOrder().get(0)).isEqualTo("__metadata__");
        assertThat(parsed.metadata()).containsEntry("format", "pt").containsEntry("step", "3");
        List<String> expectedOrder = tensors.stream().sorted((a, b) -> {
            int byDtype = Integer.compare(b.dtype().ordinal(), a.dtype().ordinal());
            return byDtype != 0 ? byDtype : a.name().compareTo(b.name());
        }).map(TensorEntry::name).toList();
        assertThat(parsed.entries()).extracting(IndependentSafetensorsParser.Entry::name).isEqualTo(expectedOrder);
        for (IndependentSafetensorsParser.Entry e : parsed.entries()) {
            byte[] got = java.util.Arrays.copyOfRange(parsed.data(), (int) e.begin(), (int) e.end());
            assertThat(got).as(e.name()).isEqualTo(contents.get(e.name()));
        }
        // and our own reader agrees
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.tensors()).hasSize(24);
            assertThat(st.metadata()).isEqualTo(parsed.metadata());
        }
    }

    @Test
    void streamsASourceThatWritesInManySmallPieces() throws IOException {
        int floats = 300_000; // 1.2 MB, written 12 bytes at a time: crosses the staging buffer
        TensorSource dribble = out -> {
            ByteBuffer piece = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < floats; i += 3) {
                piece.clear();
                piece.putFloat(i).putFloat(i + 1).putFloat(i + 2).flip();
                out.write(piece);
            }
        };
        Path file = dir.resolve("big.safetensors");
        SafetensorsWriter.write(file, List.of(new TensorEntry("w", Dtype.F32, new long[] {floats}, dribble),
                new TensorEntry("b", Dtype.F32, new long[] {3}, TensorSource.of(new byte[12]))), Map.of(), false);

        IndependentSafetensorsParser.parse(Files.readAllBytes(file));
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            ByteBuffer w = st.slice("w");
            for (int i = 0; i < floats; i += 9973) {
                assertThat(w.getFloat(i * 4)).isEqualTo((float) i);
            }
        }
    }

    @Test
    void gathersDirectBuffersAroundHeapAndStreamedTensorsInFileOrder() throws IOException {
        // direct buffers go out in gathering writes; a heap buffer or a streamed source ends a run
        Random random = new Random(11);
        List<TensorEntry> tensors = new ArrayList<>();
        Map<String, byte[]> expected = new LinkedHashMap<>();
        for (int i = 0; i < 40; i++) {
            byte[] bytes = new byte[4 * (1 + random.nextInt(i % 3 == 0 ? 100_000 : 300))];
            random.nextBytes(bytes);
            String name = String.format("t%02d", i);
            expected.put(name, bytes);
            TensorSource source = switch (i % 4) {
                case 0, 1 -> TensorSource.of(ByteBuffer.allocateDirect(bytes.length).put(bytes).flip());
                case 2 -> TensorSource.of(bytes);
                default -> out -> out.write(ByteBuffer.wrap(bytes)); // streamed
            };
            tensors.add(new TensorEntry(name, Dtype.F32, new long[] {bytes.length / 4}, source));
        }
        Path file = dir.resolve("mixed.safetensors");
        long fileBytes = SafetensorsWriter.write(file, tensors, Map.of(), false);

        assertThat(Files.size(file)).isEqualTo(fileBytes);
        IndependentSafetensorsParser.parse(Files.readAllBytes(file));
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            for (Map.Entry<String, byte[]> e : expected.entrySet()) {
                ByteBuffer slice = st.slice(e.getKey());
                byte[] read = new byte[slice.remaining()];
                slice.get(read);
                assertThat(read).as(e.getKey()).isEqualTo(e.getValue());
            }
        }
    }

    @Test
    void aDirectBufferOfTheWrongLengthFailsBeforeAnythingIsGathered() throws IOException {
        Path file = dir.resolve("model.safetensors");
        TensorEntry shortOne = new TensorEntry("w", Dtype.F32, new long[] {4}, TensorSource.of(ByteBuffer.allocateDirect(12)));
        assertThatThrownBy(() -> SafetensorsWriter.write(file, List.of(shortOne), Map.of(), false))
                .isInstanceOf(IOException.class)
                .hasMessage("tensor 'w': its source wrote 12 bytes but F32[4] needs 16");
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void sourceWritingTheWrongByteCountFailsAndLeavesNoFile() throws IOException {
        Path file = dir.resolve("model.safetensors");
        TensorEntry shortOne = new TensorEntry("w", Dtype.F32, new long[] {4}, TensorSource.of(new byte[12]));
        assertThatThrownBy(() -> SafetensorsWriter.write(file, List.of(shortOne), Map.of(), true))
                .isInstanceOf(IOException.class)
                .hasMessage("tensor 'w': its source wrote 12 bytes but F32[4] needs 16");
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void refusesDuplicateNames() {
        TensorEntry a = new TensorEntry("w", Dtype.U8, new long[] {1}, TensorSource.of(new byte[1]));
        assertThatThrownBy(() -> SafetensorsWriter.write(dir.resolve("x.safetensors"), List.of(a, a), Map.of(), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("duplicate tensor name 'w'");
    }

    @Test
    void replacesAnExistingFileAtomically() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, List.of(new TensorEntry("old", Dtype.U8, new long[] {2}, TensorSource.of(new byte[2]))), Map.of(), true);
        try (SafetensorsFile before = SafetensorsFile.open(file)) {
            SafetensorsWriter.write(file, List.of(new TensorEntry("new", Dtype.U8, new long[] {3}, TensorSource.of(new byte[] {1, 2, 3}))), Map.of(), true);
            // the reader that opened the old file keeps reading the old bytes
            assertThat(before.slice("old").remaining()).isEqualTo(2);
        }
        try (SafetensorsFile after = SafetensorsFile.open(file)) {
            assertThat(after.tensors()).extracting(TensorInfo::name).containsExactly("new");
        }
    }
}
