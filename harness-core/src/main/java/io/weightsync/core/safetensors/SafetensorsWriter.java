package io.weightsync.core.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.weightsync.core.ckpt.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes safetensors files the way the reference writer does: tensors sorted by dtype alignment
 * (descending) then name, compact JSON header with {@code __metadata__} first, padded with spaces
 * to a multiple of 8 bytes so every tensor's data is 8-byte aligned. Data is streamed tensor by
 * tensor through a small staging buffer; the file is published atomically (see {@link AtomicFiles}).
 */
public final class SafetensorsWriter {

    /** Staging for small writes; a source's large writes go straight to the file. */
    private static final int STAGING_BYTES = 1 << 20;

    private static final JsonFactory JSON = new JsonFactory();

    /** The reference writer's order: larger alignment first, then name. */
    public static final Comparator<TensorEntry> REFERENCE_ORDER =
            Comparator.comparing(TensorEntry::dtype, Comparator.reverseOrder()).thenComparing(TensorEntry::name);

    private SafetensorsWriter() {}

    /**
     * Writes {@code tensors} and {@code metadata} to {@code target} atomically.
     *
     * @param fsync whether to fsync the file and its folder before and after the rename
     * @return bytes in the file
     */
    public static long write(Path target, Collection<TensorEntry> tensors, Map<String, String> metadata,
            boolean fsync) throws IOException {
        List<TensorEntry> ordered = inReferenceOrder(tensors);
        byte[] header = header(ordered, metadata);
        long[] total = new long[1];
        AtomicFiles.write(target, fsync, out -> total[0] = writeTo(out, header, ordered));
        return total[0];
    }

    /** The tensors sorted as the reference writer sorts them; duplicate names are refused. */
    public static List<TensorEntry> inReferenceOrder(Collection<TensorEntry> tensors) {
        Set<String> names = new HashSet<>();
        for (TensorEntry t : tensors) {
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("duplicate tensor name '" + t.name() + "'");
            }
        }
        List<TensorEntry> ordered = new ArrayList<>(tensors);
        ordered.sort(REFERENCE_ORDER);
        return ordered;
    }

    /** The header JSON for tensors already in file order, padded with spaces to a multiple of 8. */
    public static byte[] header(List<TensorEntry> ordered, Map<String, String> metadata) {
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(json)) {
            g.writeStartObject();
            if (metadata != null && !metadata.isEmpty()) {
                g.writeObjectFieldStart(SafetensorsHeader.METADATA_KEY);
                for (Map.Entry<String, String> e : metadata.entrySet()) {
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            long offset = 0;
            for (TensorEntry t : ordered) {
                g.writeObjectFieldStart(t.name());
                g.writeStringField("dtype", t.dtype().name());
                g.writeArrayFieldStart("shape");
                for (long d : t.shape()) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(offset);
                offset += t.byteLength();
                g.writeNumber(offset);
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory stream: cannot happen
        }
        int pad = (8 - json.size() % 8) % 8;
        for (int i = 0; i < pad; i++) {
            json.write(' ');
        }
        return json.toByteArray();
    }

    private static long writeTo(FileChannel file, byte[] header, List<TensorEntry> ordered) throws IOException {
        try (CountingChannel out = new CountingChannel(file)) {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            out.write(length);
            out.write(ByteBuffer.wrap(header));
            for (TensorEntry t : ordered) {
                long before = out.count;
                t.source().writeTo(out);
                long written = out.count - before;
                if (written != t.byteLength()) {
                    throw new IOException("tensor '" + t.name() + "': its source wrote " + written
                            + " bytes but " + t.dtype() + t.shapeString() + " needs " + t.byteLength());
                }
            }
            out.flush();
            return out.count;
        }
    }

    /** Counts bytes, stages small writes, passes large ones through. */
    private static final class CountingChannel implements WritableByteChannel {
        private final FileChannel file;
        private final ByteBuffer staging = ByteBuffer.allocateDirect(STAGING_BYTES);
        long count;

        CountingChannel(FileChannel file) {
            this.file = file;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = src.remaining();
            if (n >= STAGING_BYTES / 4) {
                flush();
                while (src.hasRemaining()) {
                    file.write(src);
                }
            } else {
                if (n > staging.remaining()) {
                    flush();
                }
                staging.put(src);
            }
            count += n;
            return n;
        }

        void flush() throws IOException {
            staging.flip();
            while (staging.hasRemaining()) {
                file.write(staging);
            }
            staging.clear();
        }

        @Override
        public boolean isOpen() {
            return file.isOpen();
        }

        @Override
        public void close() {
            // the file channel belongs to AtomicFiles
        }
    }
}
