package io.weightsync.core.safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * Produces one tensor's bytes (little-endian, row-major) into the writer's channel, in as many
 * writes as it likes, so that a checkpoint is streamed and never held whole in memory.
 * It must write exactly the tensor's byte length; the writer checks.
 */
@FunctionalInterface
public interface TensorSource {

    void writeTo(WritableByteChannel out) throws IOException;

    /** The remaining bytes of {@code data} (not consumed: a duplicate is written). */
    static TensorSource of(ByteBuffer data) {
        return new InMemory(data);
    }

    /**
     * Bytes that sit in memory, unchanged, for the whole write: the writer may hand several of them
     * to the kernel in one gathering write ({@code writev}) instead of one write each.
     *
     * @param data its remaining bytes are the tensor's (not consumed: duplicates are written)
     */
    record InMemory(ByteBuffer data) implements TensorSource {

        /** A view of the bytes, positioned at the first. */
        public ByteBuffer view() {
            return data.duplicate();
        }

        @Override
        public void writeTo(WritableByteChannel out) throws IOException {
            ByteBuffer view = view();
            while (view.hasRemaining()) {
                out.write(view);
            }
        }
    }

    static TensorSource of(byte[] data) {
        return of(ByteBuffer.wrap(data));
    }
}
