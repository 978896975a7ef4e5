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
 * to a multiple of 8 bytes so every tensor's data is 8-byte aligned. The file's blocks are
 * reserved first; tensors held in direct memory go out in gathering writes, streamed ones tensor by
 * tensor (small writes through a staging buffer); the file is published atomically (see
 * {@link AtomicFiles}).
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
        long fileBytes = 8L + header.length;
        for (TensorEntry t : ordered) {
            fileBytes += t.byteLength();
        }
        long[] total = new long[1];
        AtomicFiles.write(target, fsync, fileBytes, out -> total[0] = writeTo(out, header, ordered));
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

    /**
     * Header, then tensors. Runs of in-memory tensors go to the kernel as gathering writes, one
     * syscall for many buffers: a write per tensor cost ~17 us each at 16 MB here (75 tensors: 7.1 ms
     * against 5.6 ms for the same bytes in one write; with the header, every tensor after it also
     * starts mid-page), and one gathering write brought it back to within ~10% of a single buffer.
     * Only direct buffers are gathered: the JDK copies every heap buffer of a gathering write into a
     * temporary direct buffer first, all of them at once.
     */
    private static long writeTo(FileChannel file, byte[] header, List<TensorEntry> ordered) throws IOException {
        try (CountingChannel out = new CountingChannel(file)) {
            List<ByteBuffer> run = new ArrayList<>();
            run.add(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
            run.add(ByteBuffer.wrap(header));
            for (TensorEntry t : ordered) {
                if (t.source() instanceof TensorSource.InMemory bytes && bytes.data().isDirect()) {
                    ByteBuffer view = bytes.view();
                    checkLength(t, view.remaining());
                    run.add(view);
                    continue;
                }
                out.writeAll(run);
                run.clear();
                long before = out.count;
                t.source().writeTo(out);
                checkLength(t, out.count - before);
            }
            out.writeAll(run);
            out.flush();
            return out.count;
        }
    }

    private static void checkLength(TensorEntry t, long written) throws IOException {
        if (written != t.byteLength()) {
            throw new IOException("tensor '" + t.name() + "': its source wrote " + written
                    + " bytes but " + t.dtype() + t.shapeString() + " needs " + t.byteLength());
        }
    }

    /** Counts bytes, stages small writes, passes large ones through. */
    private static final class CountingChannel implements WritableByteChannel {
        private final FileChannel file;
        /**
         * Made on the first small write: a file of in-memory tensors needs none, and a direct buffer
         * per file is a zeroed MiB plus a reservation that only a GC gives back (a 16 MB checkpoint
         * took 5.2-6.3 ms without it, 5.9-7.5 ms with it, in alternating probe runs).
         */
        private ByteBuffer staging;
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
                if (staging == null) {
                    staging = ByteBuffer.allocateDirect(STAGING_BYTES);
                } else if (n > staging.remaining()) {
                    flush();
                }
                staging.put(src);
            }
            count += n;
            return n;
        }

        /** Everything remaining in {@code buffers}, in order, in as few gathering writes as the kernel takes. */
        void writeAll(List<ByteBuffer> buffers) throws IOException {
            if (buffers.isEmpty()) {
                return;
            }
            flush();
            ByteBuffer[] array = buffers.toArray(new ByteBuffer[0]);
            int first = 0;
            while (first < array.length) {
                count += file.write(array, first, array.length - first);
                while (first < array.length && !array[first].hasRemaining()) {
                    first++;
                }
            }
        }

        void flush() throws IOException {
            if (staging == null) {
                return;
            }
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
