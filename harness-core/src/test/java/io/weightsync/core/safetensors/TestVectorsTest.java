package io.weightsync.core.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The safetensors test vectors: every valid file reads back as its .expect.json says; every invalid one is refused. */
class TestVectorsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The defect each invalid vector carries (its file name) and the words our error must use for it. */
    private static final Map<String, String> DEFECT_WORDS = Map.ofEntries(
            Map.entry("header_len_huge", "exceeds the 100000000-byte limit"),
            Map.entry("header_len_past_eof", "runs past the end of the file"),
            Map.entry("header_not_object", "not a JSON object"),
            Map.entry("hole_in_data", "not covered by any tensor"),
            Map.entry("metadata_not_string", "is not a string"),
            Map.entry("negative_shape", "not a non-negative integer"),
            Map.entry("not_json", "not valid JSON"),
            Map.entry("offsets_out_of_range", "out of range"),
            Map.entry("overlapping_offsets", "data_offsets [32, 80) overlap the tensor before it, which ends at 64"),
            Map.entry("reversed_offsets", "are reversed"),
            Map.entry("shape_offset_mismatch", "shape [4, 5] of F32 needs 80 bytes but data_offsets [0, 64) hold 64"),
            Map.entry("too_short", "too short"),
            Map.entry("truncated_data", "truncated data"),
            Map.entry("unknown_dtype", "unknown dtype 'F33'"));

    static List<Path> validFiles() throws IOException {
        return list("valid");
    }

    static List<Path> invalidFiles() throws IOException {
        return list("invalid");
    }

    private static List<Path> list(String folder) throws IOException {
        try (Stream<Path> s = Files.list(TestVectors.safetensorsDir().resolve(folder))) {
            List<Path> files = s.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
            assertThat(files).as("vectors in " + folder).isNotEmpty();
            return files;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validFiles")
    void validVectorReadsBackAsItsExpectFileSays(Path file) throws Exception {
        Path expectFile = Path.of(file.toString().replace(".safetensors", ".expect.json"));
        JsonNode expect = JSON.readTree(expectFile.toFile());

        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            List<String> expectedNames = new ArrayList<>();
            Map<String, String> expectedMetadata = new HashMap<>();
            for (Map.Entry<String, JsonNode> e : expect.properties()) {
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().properties().forEach(m -> expectedMetadata.put(m.getKey(), m.getValue().textValue()));
                    continue;
                }
                expectedNames.add(e.getKey());
                TensorInfo t = st.tensor(e.getKey());
                assertThat(t).as(e.getKey()).isNotNull();
                assertThat(t.dtype().name()).isEqualTo(e.getValue().get("dtype").textValue());
                long[] shape = new long[e.getValue().get("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = e.getValue().get("shape").get(i).longValue();
                }
                assertThat(t.shape()).isEqualTo(shape);
                assertThat(sha256(st.slice(e.getKey()))).as("sha256 of " + e.getKey())
                        .isEqualTo(e.getValue().get("sha256").textValue());
            }
            assertThat(st.tensors()).extracting(TensorInfo::name).containsExactlyInAnyOrderElementsOf(expectedNames);
            assertThat(st.metadata()).isEqualTo(expectedMetadata);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidFiles")
    void invalidVectorIsRefusedWithOneLineNamingFileAndDefect(Path file) {
        String stem = file.getFileName().toString().replace(".safetensors", "");
        String words = DEFECT_WORDS.get(stem);
        assertThat(words).as("a defect description for the new vector " + stem).isNotNull();

        String prefix = "invalid/" + file.getFileName() + ": ";
        assertThatThrownBy(() -> SafetensorsFile.open(file).close())
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageStartingWith(prefix)
                .satisfies(e -> assertThat(e.getMessage().substring(prefix.length())).as("the defect")
                        .contains(words).doesNotContain("\n"));
    }

    static String sha256(ByteBuffer data) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(data.duplicate());
        return HexFormat.of().formatHex(md.digest());
    }
}
