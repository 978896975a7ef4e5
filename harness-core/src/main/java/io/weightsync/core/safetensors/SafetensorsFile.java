package io.weightsync.core.safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One safetensors file, memory-mapped read-only, handing out zero-copy little-endian slices per
 * tensor.
 *
 * <p>A single {@link MappedByteBuffer} addresses at most 2 GiB, so the data section is covered by
 * several mappings: tensors are packed, in offset order, into regions of at most
 * {@code maxMappingBytes}, each tensor wholly inside one region. A tensor larger than a region
 * gets no whole slice; read it in chunks with {@link #slice(String, long, int)}.
 *
 * <p>Mappings live until the garbage collector frees the last slice that refers to them (Java 17
 * cannot unmap safely while a slice, e.g. one wrapped by a DJL NDArray, may still be in use);
 * {@link #close()} closes the file channel.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** The largest region one mapping covers: the most a ByteBuffer can address. */
    public static final long MAX_MAPPING_BYTES = Integer.MAX_VALUE;
    /** How a file that changed under its reader is reported, by this class and by loaders. */
    public static final String CHANGED_WHILE_READ = "changed while it was being loaded";
    private static final String PUBLISH_ANEW = "publish a new step folder instead of changing a published one";

    private final Path path;
    private final FileChannel channel;
    /** The file as opened: its identity (inode), size and modification time, for {@link #checkUnchanged}. */
    private final BasicFileAttributes opened;
    private final SafetensorsHeader header;
    /** Per tensor name: the mapping that holds it and where its bytes start in that mapping. */
    private final Map<String, Placement> placements = new HashMap<>();
    private final int mappingCount;

    private record Placement(MappedByteBuffer region, int offset) {}

    private SafetensorsFile(Path path, FileChannel channel, BasicFileAttributes opened, SafetensorsHeader header,
            long maxMappingBytes) throws IOException {
        this.path = path;
        this.channel = channel;
        this.opened = opened;
        this.header = header;
        this.mappingCount = mapRegions(maxMappingBytes);
    }

    /** Opens, validates and maps {@code path}. */
    public static SafetensorsFile open(Path path) throws IOException {
        return open(path, MAX_MAPPING_BYTES);
    }

    /** As {@link #open(Path)} with a smaller region size, so tests can exercise several mappings. */
    public static SafetensorsFile open(Path path, long maxMappingBytes) throws IOException {
        if (maxMappingBytes < 1 || maxMappingBytes > MAX_MAPPING_BYTES) {
            throw new IllegalArgumentException("maxMappingBytes must be in [1, 2^31-1]: " + maxMappingBytes);
        }
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            BasicFileAttributes opened = Files.readAttributes(path, BasicFileAttributes.class);
            SafetensorsHeader header = SafetensorsHeader.read(displayName(path), channel, channel.size());
            return new SafetensorsFile(path, channel, opened, header, maxMappingBytes);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Reads and validates only the header: what {@code ckpt verify} needs, without mapping data. */
    public static SafetensorsHeader readHeader(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return SafetensorsHeader.read(displayName(path), channel, channel.size());
        }
    }

    /** The last two path elements, e.g. {@code step_12/model.safetensors}: enough to name the culprit. */
    public static String displayName(Path path) {
        Path abs = path.toAbsolutePath().normalize();
        int n = abs.getNameCount();
        return n >= 2 ? abs.subpath(n - 2, n).toString() : abs.toString();
    }

    private int mapRegions(long maxMappingBytes) throws IOException {
        List<TensorInfo> pending = new ArrayList<>();
        long regionBegin = 0;
        int regions = 0;
        for (TensorInfo t : header.tensors()) {
            if (t.byteLength() > maxMappingBytes) {
                continue; // only chunked access; see slice(name, offset, length)
            }
            if (!pending.isEmpty() && t.end() - regionBegin > maxMappingBytes) {
                mapRegion(regionBegin, pending);
                regions++;
                pending.clear();
            }
            if (pending.isEmpty()) {
                regionBegin = t.begin();
            }
            pending.add(t);
        }
        if (!pending.isEmpty()) {
            mapRegion(regionBegin, pending);
            regions++;
        }
        return regions;
    }

    private void mapRegion(long regionBegin, List<TensorInfo> tensors) throws IOException {
        long regionEnd = tensors.get(tensors.size() - 1).end();
        MappedByteBuffer region = channel.map(FileChannel.MapMode.READ_ONLY,
                header.dataStart() + regionBegin, regionEnd - regionBegin);
        for (TensorInfo t : tensors) {
            placements.put(t.name(), new Placement(region, (int) (t.begin() - regionBegin)));
        }
    }

    public Path path() {
        return path;
    }

    public SafetensorsHeader header() {
        return header;
    }

    /** Tensors in file (offset) order. */
    public List<TensorInfo> tensors() {
        return header.tensors();
    }

    public TensorInfo tensor(String name) {
        return header.tensor(name);
    }

    public Map<String, String> metadata() {
        return header.metadata();
    }

    /** How many memory mappings cover the data section. */
    public int mappingCount() {
        return mappingCount;
    }

    /**
     * The tensor's bytes as a read-only, little-endian view of the mapping: no copy is made.
     *
     * @throws IllegalArgumentException when no such tensor exists
     * @throws IllegalStateException when the tensor is larger than one mapping can address
     */
    public ByteBuffer slice(String name) {
        TensorInfo t = require(name);
        Placement p = placements.get(name);
        if (p == null) {
            throw new IllegalStateException(displayName(path) + ": tensor '" + name + "' is " + t.byteLength()
                    + " bytes, more than one ByteBuffer can address; read it with slice(name, offset, length)");
        }
        return p.region.slice(p.offset, (int) t.byteLength()).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * {@code length} bytes of the tensor starting {@code offset} bytes into it, little-endian and
     * read-only. Zero-copy: a slice of the shared mapping, or for a tensor larger than a mapping,
     * a mapping of just this range.
     */
    public ByteBuffer slice(String name, long offset, int length) throws IOException {
        TensorInfo t = require(name);
        if (offset < 0 || length < 0 || offset + length > t.byteLength()) {
            throw new IndexOutOfBoundsException(displayName(path) + ": range [" + offset + ", "
                    + (offset + length) + ") is outside tensor '" + name + "' of " + t.byteLength() + " bytes");
        }
        Placement p = placements.get(name);
        if (p != null) {
            return p.region.slice(p.offset + (int) offset, length).order(ByteOrder.LITTLE_ENDIAN);
        }
        return channel.map(FileChannel.MapMode.READ_ONLY, header.dataStart() + t.begin() + offset, length)
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Copies the tensor's bytes into {@code dst} at its position with positional reads (pread),
     * advancing the position by the tensor's byte length: one kernel copy from the page cache (or
     * the disk) into memory the caller owns, touching no mapping, so no page faults on the file.
     * Works for tensors larger than a mapping.
     *
     * @throws IllegalArgumentException when no such tensor exists or {@code dst} has too little room
     * @throws java.io.EOFException when the file ends before the tensor does
     */
    public void readInto(String name, ByteBuffer dst) throws IOException {
        TensorInfo t = require(name);
        if (dst.remaining() < t.byteLength()) {
            throw new IllegalArgumentException(displayName(path) + ": tensor '" + name + "' is " + t.byteLength()
                    + " bytes, but the buffer has room for " + dst.remaining());
        }
        ByteBuffer target = dst.duplicate().limit(dst.position() + (int) t.byteLength());
        long position = header.dataStart() + t.begin();
        while (target.hasRemaining()) {
            int n = channel.read(target, position);
            if (n < 0) {
                throw new java.io.EOFException(displayName(path) + ": file ends inside tensor '" + name + "'");
            }
            position += n;
        }
        dst.position(target.position());
    }

    /**
     * Fails when the file was written in place since it was opened (its size or modification time
     * moved): bytes read through the mapping before and after such a write may belong to two
     * different versions, so what was read cannot be trusted. A file replaced by rename, or deleted,
     * passes: this object still reads the old inode, which nobody wrote.
     *
     * @throws SafetensorsFormatException naming the file
     */
    public void checkUnchanged() throws IOException {
        BasicFileAttributes now;
        try {
            now = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException gone) {
            return;
        }
        if (!Objects.equals(now.fileKey(), opened.fileKey())) {
            return;
        }
        if (now.size() != opened.size() || !now.lastModifiedTime().equals(opened.lastModifiedTime())) {
            throw new SafetensorsFormatException(displayName(path), CHANGED_WHILE_READ + ": written or truncated in"
                    + " place after it was opened (size " + opened.size() + " -> " + now.size() + " bytes, modified "
                    + opened.lastModifiedTime() + " -> " + now.lastModifiedTime() + "); " + PUBLISH_ANEW);
        }
    }

    /**
     * Fails unless the file still holds the tensor's bytes. A file truncated in place after it was
     * mapped loses pages, and reading one raises SIGBUS, which the JVM throws as an InternalError
     * that may surface anywhere in the reading thread, some instructions later. A loader calls this
     * before reading a tensor through the mapping, so a truncation is reported as the checkpoint
     * defect it is, naming the file, instead.
     *
     * @throws SafetensorsFormatException naming the file and the tensor that is cut off
     */
    public void checkStillHolds(String name) throws IOException {
        TensorInfo t = require(name);
        long endByte = header.dataStart() + t.end();
        long size = channel.size();
        if (size < endByte) {
            throw new SafetensorsFormatException(displayName(path), CHANGED_WHILE_READ + ": truncated in place to "
                    + size + " bytes after it was opened, cutting off tensor '" + name + "' (which ends at byte "
                    + endByte + "); " + PUBLISH_ANEW);
        }
    }

    private TensorInfo require(String name) {
        TensorInfo t = header.tensor(name);
        if (t == null) {
            throw new IllegalArgumentException(displayName(path) + ": no tensor named '" + name + "'");
        }
        return t;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
