package io.weightsync.core.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A second, deliberately separate reading of the format used to check the writer: it shares no
 * code with {@link SafetensorsHeader} and walks the JSON with Jackson's token stream, keeping the
 * header's key order (which the writer must get right). Throws AssertionError on any rule broken.
 */
public final class IndependentSafetensorsParser {

    public record Entry(String name, String dtype, List<Long> shape, long begin, long end) {}

    public record Parsed(long headerLength, String headerText, List<String> keyOrder, Map<String, String> metadata,
                  List<Entry> entries, byte[] data) {}

    private static final Map<String, Integer> SIZES = Map.ofEntries(
            Map.entry("BOOL", 1), Map.entry("U8", 1), Map.entry("I8", 1), Map.entry("F8_E5M2", 1),
            Map.entry("F8_E4M3", 1), Map.entry("F8_E8M0", 1), Map.entry("I16", 2), Map.entry("U16", 2),
            Map.entry("F16", 2), Map.entry("BF16", 2), Map.entry("I32", 4), Map.entry("U32", 4),
            Map.entry("F32", 4), Map.entry("F64", 8), Map.entry("I64", 8), Map.entry("U64", 8));

    public static Parsed parse(byte[] file) throws IOException {
        check(file.length >= 8, "shorter than 8 bytes");
        long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        check(n % 8 == 0, "header length " + n + " not a multiple of 8");
        check(8 + n <= file.length, "header past EOF");
        String text = new String(file, 8, (int) n, StandardCharsets.UTF_8);
        String trimmed = text.stripTrailing();
        check(text.substring(trimmed.length()).chars().allMatch(c -> c == ' '), "padding is not spaces");
        check(text.length() - trimmed.length() < 8, "more padding than alignment needs");

        List<String> keys = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        try (JsonParser p = new JsonFactory().createParser(trimmed)) {
            check(p.nextToken() == JsonToken.START_OBJECT, "header not an object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                keys.add(key);
                p.nextToken();
                if (key.equals("__metadata__")) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String k = p.currentName();
                        check(p.nextToken() == JsonToken.VALUE_STRING, "metadata value not a string");
                        metadata.put(k, p.getText());
                    }
                    continue;
                }
                String dtype = null;
                List<Long> shape = new ArrayList<>();
                long[] offsets = new long[2];
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    switch (field) {
                        case "dtype" -> dtype = p.getText();
                        case "shape" -> {
                            while (p.nextToken() == JsonToken.VALUE_NUMBER_INT) {
                                shape.add(p.getLongValue());
                            }
                        }
                        case "data_offsets" -> {
                            p.nextToken();
                            offsets[0] = p.getLongValue();
                            p.nextToken();
                            offsets[1] = p.getLongValue();
                            check(p.nextToken() == JsonToken.END_ARRAY, "data_offsets longer than 2");
                        }
                        default -> throw new AssertionError("unexpected field " + field);
                    }
                }
                entries.add(new Entry(key, dtype, shape, offsets[0], offsets[1]));
            }
            check(p.nextToken() == null, "trailing content after the header object");
        }

        long dataStart = 8 + n;
        long cursor = 0;
        for (Entry e : entries) { // the writer emits entries in data order
            check(SIZES.containsKey(e.dtype()), "dtype " + e.dtype());
            long elements = 1;
            for (long d : e.shape()) {
                elements *= d;
            }
            check(e.begin() == cursor, e.name() + " does not start where the previous ended");
            check(e.end() - e.begin() == elements * SIZES.get(e.dtype()), e.name() + " size mismatch");
            check((dataStart + e.begin()) % 8 == 0 || SIZES.get(e.dtype()) < 8 && (dataStart + e.begin()) % SIZES.get(e.dtype()) == 0,
                    e.name() + " misaligned");
            cursor = e.end();
        }
        check(dataStart + cursor == file.length, "data section is not exactly covered");
        byte[] data = new byte[(int) cursor];
        System.arraycopy(file, (int) dataStart, data, 0, data.length);
        return new Parsed(n, text, keys, metadata, entries, data);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError("independent parser: " + what);
        }
    }

    private IndependentSafetensorsParser() {}
}
