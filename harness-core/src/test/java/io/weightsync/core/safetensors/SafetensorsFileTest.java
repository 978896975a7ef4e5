package io.weightsync.core.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {

    private static final long GiB = 1L << 30;

    @TempDir
    Path dir;

    @Test
    void slicesAreLittleEndianReadOnlyViewsAcrossSeveralMappings() throws IOException {
        List<TensorEntry> tensors = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
            for (int j = 0; j < 10; j++) {
                b.putFloat(i * 100 + j);
            }
            tensors.add(new TensorEntry("t" + i, Dtype.F32, new long[] {2, 5}, TensorSource.of(b.flip())));
        }
        Path file = dir.resolve("m.safetensors");
        SafetensorsWriter.write(file, tensors, Map.of(), false);

        try (SafetensorsFile st = SafetensorsFile.open(file, 100)) { // 2 tensors per mapping
            assertThat(st.mappingCount()).isEqualTo(5);
            for (int i = 0; i < 10; i++) {
                ByteBuffer s = st.slice("t" + i);
                assertThat(s.isReadOnly()).isTrue();
                assertThat(s.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
                assertThat(s.remaining()).isEqualTo(40);
                assertThat(s.getFloat(0)).isEqualTo(i * 100f);
                assertThat(s.getFloat(36)).isEqualTo(i * 100f + 9);
                assertThat(st.slice("t" + i, 8, 4).getFloat(0)).isEqualTo(i * 100f + 2);
            }
        }
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.mappingCount()).isEqualTo(1);
        }
    }

    @Test
    void readIntoCopiesTheSliceBytesIntoTheCallersBufferAndAdvancesIt() throws IOException {
        List<TensorEntry> tensors = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            for (int j = 0; j < 6; j++) {
                b.putFloat(i * 10 + j);
            }
            tensors.add(new TensorEntry("t" + i, Dtype.F32, new long[] {6}, TensorSource.of(b.flip())));
        }
        Path file = dir.resolve("m.safetensors");
        SafetensorsWriter.write(file, tensors, Map.of("format", "pt"), false);

        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            ByteBuffer dst = ByteBuffer.allocateDirect(3 * 24 + 4).order(ByteOrder.LITTLE_ENDIAN);
            dst.position(4);
            for (int i = 0; i < 3; i++) {
                st.readInto("t" + i, dst);
            }
            assertThat(dst.position()).isEqualTo(4 + 3 * 24);
            for (int i = 0; i < 3; i++) {
                assertThat(dst.slice(4 + i * 24, 24).order(ByteOrder.LITTLE_ENDIAN)).isEqualTo(st.slice("t" + i));
            }
            assertThatThrownBy(() -> st.readInto("t0", ByteBuffer.allocate(23)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("tensor 't0' is 24 bytes, but the buffer has room for 23");
        }
    }

    @Test
    void readsAFileLargerThanTwoGibibytesThroughSeveralMappings() throws IOException {
        // Sparse file: 1.5 GiB + 1 GiB + 16 bytes of tensors, markers at each tensor's first and last byte.
        long a = 3 * GiB / 2;
        long b = GiB;
        Path file = sparseFile("big.safetensors", new String[] {"a", "b", "c"}, new long[] {a, b, 16});
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.header().dataBytes()).isGreaterThan(2 * GiB);
            assertThat(st.mappingCount()).isEqualTo(2);
            assertMarkers(st.slice("a"), 'a');
            assertMarkers(st.slice("b"), 'b');
            assertMarkers(st.slice("c"), 'c');
        }
    }

    @Test
    void tensorLargerThanOneMappingIsReadInChunks() throws IOException {
        long big = 5 * GiB / 2;
        Path file = sparseFile("huge.safetensors", new String[] {"embed", "norm"}, new long[] {big, 8});
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThatThrownBy(() -> st.slice("embed"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("tensor 'embed' is 2684354560 bytes");
            assertThat(st.slice("embed", 0, 1).get(0)).isEqualTo((byte) 'e');
            assertThat(st.slice("embed", big - 1, 1).get(0)).isEqualTo((byte) 'E');
            assertMarkers(st.slice("norm"), 'n');
        }
    }

    @Test
    void unknownTensorNameIsAClearError() throws IOException {
        Path file = dir.resolve("m.safetensors");
        SafetensorsWriter.write(file, List.of(new TensorEntry("w", Dtype.U8, new long[] {1}, TensorSource.of(new byte[1]))), Map.of(), false);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThatThrownBy(() -> st.slice("nope")).hasMessageEndingWith("no tensor named 'nope'");
        }
    }

    @Test
    void refusesDuplicateNamesOverflowingShapesAndBadUtf8() throws IOException {
        assertRefused("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                + "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", 2, "duplicate name 'a'");
        assertRefused("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}}", 0,
                "overflows a 64-bit byte count");
        assertRefused("{\"a\":{\"dtype\":\"U8\",\"shape\":[1.5],\"data_offsets\":[0,1]}}", 1, "not a non-negative integer");
        assertRefused("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0]}}", 1, "no data_offsets");
        assertRefused("{\"a\":{\"shape\":[1],\"data_offsets\":[0,1]}}", 1, "no string dtype");
        assertRefused("{\"a\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "unknown dtype 'f32'");
        assertRefused("{\"a\":[]}", 0, "tensor 'a' is not a JSON object");
        assertRefused("{} {}", 0, "not valid JSON");
        assertRefused("", 0, "header is empty");
        byte[] badUtf8 = {'{', '"', (byte) 0xC3, '"', ':', '1', '}', ' '};
        assertRefused(badUtf8, 0, "not valid UTF-8");
    }

    private void assertRefused(String header, int dataBytes, String words) throws IOException {
        assertRefused(header.getBytes(StandardCharsets.UTF_8), dataBytes, words);
    }

    private void assertRefused(byte[] header, int dataBytes, String words) throws IOException {
        Path file = dir.resolve("bad.safetensors");
        ByteBuffer buf = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(header.length).put(header);
        Files.write(file, buf.array());
        assertThatThrownBy(() -> SafetensorsFile.open(file).close())
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageStartingWith(dir.getFileName() + "/bad.safetensors: ")
                .hasMessageContaining(words);
    }

    /** U8 tensors of the given sizes over a sparse data section; byte 0 is the name's first letter, the last its capital. */
    private Path sparseFile(String name, String[] names, long[] sizes) throws IOException {
        StringBuilder json = new StringBuilder("{");
        long offset = 0;
        for (int i = 0; i < names.length; i++) {
            json.append(i == 0 ? "" : ",").append('"').append(names[i]).append("\":{\"dtype\":\"U8\",\"shape\":[")
                    .append(sizes[i]).append("],\"data_offsets\":[").append(offset).append(',')
                    .append(offset + sizes[i]).append("]}");
            offset += sizes[i];
        }
        json.append('}');
        while (json.length() % 8 != 0) {
            json.append(' ');
        }
        byte[] header = json.toString().getBytes(StandardCharsets.US_ASCII);
        Path file = dir.resolve(name);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
            raf.write(header);
            long dataStart = 8 + header.length;
            raf.setLength(dataStart + offset);
            long at = 0;
            for (int i = 0; i < names.length; i++) {
                raf.seek(dataStart + at);
                raf.write(names[i].charAt(0));
                raf.seek(dataStart + at + sizes[i] - 1);
                raf.write(Character.toUpperCase(names[i].charAt(0)));
                at += sizes[i];
            }
        }
        return file;
    }

    private static void assertMarkers(ByteBuffer slice, char name) {
        assertThat(slice.get(0)).isEqualTo((byte) name);
        assertThat(slice.get(slice.limit() - 1)).isEqualTo((byte) Character.toUpperCase(name));
    }

    @Test
    void checkUnchangedFailsAfterAnInPlaceWriteButNotAfterAReplaceByRename() throws IOException {
        List<TensorEntry> tensors = List.of(new TensorEntry("t", Dtype.F32, new long[] {4},
                TensorSource.of(new byte[16])));
        Path file = dir.resolve("m.safetensors");
        Path replacement = dir.resolve("replacement.safetensors");
        SafetensorsWriter.write(file, tensors, Map.of(), false);
        SafetensorsWriter.write(replacement, tensors, Map.of(), false);

        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            st.checkUnchanged();
            // another version of the file arrives by rename: the open file is the old inode, untouched
            Files.move(replacement, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            st.checkUnchanged();
        }
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(
                    Files.getLastModifiedTime(file).toMillis() - 1000)); // what a write in place does to mtime
            assertThatThrownBy(st::checkUnchanged)
                    .isInstanceOf(SafetensorsFormatException.class)
                    .hasMessageStartingWith(dir.getFileName() + "/m.safetensors: changed while it was being loaded:"
                            + " written or truncated in place after it was opened");
        }
    }

    @Test
    void aTruncationAfterOpenIsCaughtBeforeTheMappingIsReadAndNamesTheTensorCutOff() throws IOException {
        List<TensorEntry> tensors = List.of(
                new TensorEntry("first", Dtype.F32, new long[] {4}, TensorSource.of(new byte[16])),
                new TensorEntry("second", Dtype.F32, new long[] {4}, TensorSource.of(new byte[16])));
        Path file = dir.resolve("m.safetensors");
        long size = SafetensorsWriter.write(file, tensors, Map.of(), false);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength(size - 4); // into the last tensor
            }
            st.checkStillHolds("first");
            assertThatThrownBy(() -> st.checkStillHolds("second"))
                    .isInstanceOf(SafetensorsFormatException.class)
                    .hasMessage(dir.getFileName() + "/m.safetensors: changed while it was being loaded: truncated in"
                            + " place to " + (size - 4) + " bytes after it was opened, cutting off tensor 'second'"
                            + " (which ends at byte " + size + "); publish a new step folder instead of changing a"
                            + " published one");
            assertThatThrownBy(st::checkUnchanged).hasMessageContaining("(size " + size + " -> " + (size - 4) + " bytes");
        }
    }
}
