package io.weightsync.core.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and validated header of one safetensors file:
 * {@code u64 little-endian N | N bytes of UTF-8 JSON | data}.
 *
 * <p>Validation is strict and every defect becomes one {@link SafetensorsFormatException} naming the
 * file and the defect; nothing here throws IndexOutOfBounds or NullPointer on a hostile file.
 */
public final class SafetensorsHeader {

    /** The reference implementation refuses headers over 100 MB; so do we. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    static final String METADATA_KEY = "__metadata__";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Length of the JSON header in bytes (N), excluding the 8-byte length prefix. */
    private final long headerBytes;
    /** Tensors in data-offset order (the order of their bytes in the file). */
    private final List<TensorInfo> tensors;
    private final Map<String, TensorInfo> byName;
    /** {@code __metadata__}, string to string, in header order; empty when absent. */
    private final Map<String, String> metadata;

    private SafetensorsHeader(long headerBytes, List<TensorInfo> tensors, Map<String, String> metadata) {
        this.headerBytes = headerBytes;
        this.tensors = List.copyOf(tensors);
        Map<String, TensorInfo> names = new LinkedHashMap<>();
        for (TensorInfo t : tensors) {
            names.put(t.name(), t);
        }
        this.byName = Collections.unmodifiableMap(names);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /**
     * Reads and validates the header of a file of {@code fileSize} bytes open on {@code channel}.
     *
     * @param file the name used in error messages (e.g. {@code step_12/model.safetensors})
     */
    public static SafetensorsHeader read(String file, FileChannel channel, long fileSize) throws IOException {
        if (fileSize < 8) {
            throw new SafetensorsFormatException(file, "file is " + fileSize
                    + " bytes, too short for the 8-byte header length");
        }
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, prefix, 0);
        long n = prefix.getLong(0);
        if (Long.compareUnsigned(n, MAX_HEADER_BYTES) > 0) {
            throw new SafetensorsFormatException(file, "header length " + Long.toUnsignedString(n)
                    + " exceeds the " + MAX_HEADER_BYTES + "-byte limit");
        }
        if (8 + n > fileSize) {
            throw new SafetensorsFormatException(file, "header length " + n + " runs past the end of the file ("
                    + fileSize + " bytes)");
        }
        ByteBuffer json = ByteBuffer.allocate((int) n);
        readFully(channel, json, 8);
        json.flip();
        return parse(file, json, n, fileSize - 8 - n);
    }

    /** Validates header JSON bytes against a data section of {@code dataBytes}. */
    static SafetensorsHeader parse(String file, ByteBuffer jsonBytes, long headerBytes, long dataBytes)
            throws SafetensorsFormatException {
        String text;
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(jsonBytes);
            text = chars.toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsFormatException(file, "header is not valid UTF-8");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String why = e.getOriginalMessage();
            if (why != null && why.startsWith("Duplicate field ")) {
                throw new SafetensorsFormatException(file, "duplicate name "
                        + why.substring("Duplicate field ".length()) + " in header");
            }
            throw new SafetensorsFormatException(file, "header is not valid JSON: " + firstLine(why));
        }
        if (root == null || root.isMissingNode()) {
            throw new SafetensorsFormatException(file, "header is empty, not a JSON object");
        }
        if (!root.isObject()) {
            throw new SafetensorsFormatException(file, "header is not a JSON object but a JSON "
                    + root.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }

        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> tensors = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                readMetadata(file, field.getValue(), metadata);
            } else {
                tensors.add(readTensor(file, field.getKey(), field.getValue(), dataBytes));
            }
        }
        tensors.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        // Layout first: a tensor whose offsets overlap another is reported as an overlap even
        // though its size then disagrees with its shape too.
        checkLayout(file, tensors, dataBytes);
        for (TensorInfo t : tensors) {
            long expectedBytes = t.elementCount() * t.dtype().byteSize; // overflow ruled out above
            if (t.byteLength() != expectedBytes) {
                throw new SafetensorsFormatException(file, "tensor '" + t.name() + "' shape " + t.shapeString()
                        + " of " + t.dtype() + " needs " + expectedBytes + " bytes but data_offsets [" + t.begin()
                        + ", " + t.end() + ") hold " + t.byteLength());
            }
        }
        return new SafetensorsHeader(headerBytes, tensors, metadata);
    }

    private static void readMetadata(String file, JsonNode node, Map<String, String> into)
            throws SafetensorsFormatException {
        if (!node.isObject()) {
            throw new SafetensorsFormatException(file, METADATA_KEY + " is not a JSON object");
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new SafetensorsFormatException(file, METADATA_KEY + " value for '" + e.getKey()
                        + "' is not a string: " + e.getValue());
            }
            into.put(e.getKey(), e.getValue().textValue());
        }
    }

    private static TensorInfo readTensor(String file, String name, JsonNode node, long dataBytes)
            throws SafetensorsFormatException {
        String where = "tensor '" + name + "'";
        if (!node.isObject()) {
            throw new SafetensorsFormatException(file, where + " is not a JSON object");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new SafetensorsFormatException(file, where + " has no string dtype");
        }
        Dtype dtype = Dtype.fromHeaderName(dtypeNode.textValue());
        if (dtype == null) {
            throw new SafetensorsFormatException(file, where + " has unknown dtype '" + dtypeNode.textValue() + "'");
        }

        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new SafetensorsFormatException(file, where + " has no shape array");
        }
        long[] shape = new long[shapeNode.size()];
        long elements = 1;
        boolean overflow = false;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 0) {
                throw new SafetensorsFormatException(file, where + " has invalid shape " + shapeNode
                        + ": dimension " + i + " is not a non-negative integer");
            }
            shape[i] = d.longValue();
            try {
                elements = Math.multiplyExact(elements, shape[i]);
            } catch (ArithmeticException e) {
                overflow = true;
            }
        }
        try {
            Math.multiplyExact(elements, (long) dtype.byteSize);
        } catch (ArithmeticException e) {
            overflow = true;
        }
        if (overflow) {
            throw new SafetensorsFormatException(file, where + " shape " + shapeNode
                    + " overflows a 64-bit byte count");
        }

        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2) {
            throw new SafetensorsFormatException(file, where + " has no data_offsets [begin, end]");
        }
        long[] be = new long[2];
        for (int i = 0; i < 2; i++) {
            JsonNode o = offsets.get(i);
            if (!o.isIntegralNumber() || !o.canConvertToLong() || o.longValue() < 0) {
                throw new SafetensorsFormatException(file, where + " has invalid data_offsets " + offsets);
            }
            be[i] = o.longValue();
        }
        if (be[1] < be[0]) {
            throw new SafetensorsFormatException(file, where + " data_offsets [" + be[0] + ", " + be[1]
                    + ") are reversed");
        }
        return new TensorInfo(name, dtype, shape, be[0], be[1]);
    }

    /**
     * Checks that the tensors, sorted by offset, tile the data section exactly: no offsets past its
     * end, no overlaps, no holes, and every byte covered. Out-of-range beats a hole, because a hole
     * in front of an out-of-range tensor is a symptom of the same bad offsets; a layout that is
     * contiguous but ends past the data section is a truncated file.
     */
    private static void checkLayout(String file, List<TensorInfo> sorted, long dataBytes)
            throws SafetensorsFormatException {
        String layoutDefect = null;
        long covered = 0;
        for (TensorInfo t : sorted) {
            if (layoutDefect == null) {
                if (t.begin() < covered) {
                    layoutDefect = "tensor '" + t.name() + "' data_offsets [" + t.begin() + ", " + t.end()
                            + ") overlap the tensor before it, which ends at " + covered;
                } else if (t.begin() > covered) {
                    layoutDefect = "bytes [" + covered + ", " + t.begin()
                            + ") of the data section are not covered by any tensor (hole before '" + t.name() + "')";
                }
            }
            covered = Math.max(covered, t.end());
        }
        if (covered > dataBytes) {
            if (layoutDefect == null) {
                throw new SafetensorsFormatException(file, "truncated data: tensors need " + covered
                        + " bytes after the header but the file holds " + dataBytes);
            }
            for (TensorInfo t : sorted) {
                if (t.end() > dataBytes) {
                    throw new SafetensorsFormatException(file, "tensor '" + t.name() + "' data_offsets ["
                            + t.begin() + ", " + t.end() + ") are out of range: the data section is "
                            + dataBytes + " bytes");
                }
            }
        }
        if (layoutDefect != null) {
            throw new SafetensorsFormatException(file, layoutDefect);
        }
        if (covered < dataBytes) {
            throw new SafetensorsFormatException(file, "bytes [" + covered + ", " + dataBytes
                    + ") of the data section are not covered by any tensor");
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer into, long position) throws IOException {
        long pos = position;
        while (into.hasRemaining()) {
            int n = channel.read(into, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + pos);
            }
            pos += n;
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    public long headerBytes() {
        return headerBytes;
    }

    /** Where the data section starts in the file: after the 8-byte length and the JSON header. */
    public long dataStart() {
        return 8 + headerBytes;
    }

    /** Size of the data section: the sum of all tensors' bytes. */
    public long dataBytes() {
        return tensors.isEmpty() ? 0 : tensors.get(tensors.size() - 1).end();
    }

    public List<TensorInfo> tensors() {
        return tensors;
    }

    public TensorInfo tensor(String name) {
        return byName.get(name);
    }

    public Map<String, String> metadata() {
        return metadata;
    }
}
