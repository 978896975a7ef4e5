package io.weightsync.server.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of every running sequence, one slot per sequence, preallocated for
 * {@code slots x maxContext} positions.
 *
 * <p>Layout per layer: {@code (slots, kv_heads, max_context, head_dim)}, so that the caches of the
 * first B slots, cut to the longest context L, are a view {@code [:B, :, :L, :]} that batched
 * attention reads without a gather or copy. The engine keeps running sequences in slots 0..B-1
 * (moving the last one into a hole when a sequence retires) to make that true.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final int slots;
    private final int kvHeads;
    private final int maxContext;
    private final int headDim;
    private final NDArray[] keys;       // per layer (slots, kv_heads, max_context, head_dim)
    private final NDArray[] values;     // per layer, same
    private final NDArray[] flatKeys;   // per layer view (slots * kv_heads * max_context, head_dim)
    private final NDArray[] flatValues;

    public KvCache(NDManager parent, ModelConfig config, int slots, int maxContext) {
        this.manager = parent.newSubManager();
        this.slots = slots;
        this.kvHeads = config.numKeyValueHeads();
        this.maxContext = maxContext;
        this.headDim = config.headDim();
        int layers = config.numHiddenLayers();
        keys = new NDArray[layers];
        values = new NDArray[layers];
        flatKeys = new NDArray[layers];
        flatValues = new NDArray[layers];
        Shape shape = new Shape(slots, kvHeads, maxContext, headDim);
        for (int l = 0; l < layers; l++) {
            keys[l] = manager.zeros(shape, DataType.FLOAT32);
            values[l] = manager.zeros(shape, DataType.FLOAT32);
            flatKeys[l] = keys[l].reshape(-1, headDim);
            flatValues[l] = values[l].reshape(-1, headDim);
        }
    }

    public int slots() {
        return slots;
    }

    public int maxContext() {
        return maxContext;
    }

    /** Bytes the cache holds, keys and values of every layer. */
    public long bytes() {
        return 2L * keys.length * slots * kvHeads * (long) maxContext * headDim * 4;
    }

    /**
     * The flat cache rows this decode step writes: slot i, every kv head, position {@code positions[i]}.
     * Computed once per step and shared by all layers.
     */
    NDIndex decodeRows(NDManager step, long[] positions) {
        int batch = positions.length;
        long[] rows = new long[batch * kvHeads];
        for (int i = 0; i < batch; i++) {
            for (int h = 0; h < kvHeads; h++) {
                rows[i * kvHeads + h] = ((long) i * kvHeads + h) * maxContext + positions[i];
            }
        }
        return new NDIndex("{}", step.create(rows));
    }

    /**
     * Writes one new position per sequence at {@link #decodeRows}.
     *
     * @param k (B, kv_heads, head_dim) for slots 0..B-1
     * @param v (B, kv_heads * head_dim)
     */
    void writeDecode(int layer, NDIndex rows, NDArray k, NDArray v) {
        flatKeys[layer].set(rows, k.reshape(-1, headDim));
        flatValues[layer].set(rows, v.reshape(-1, headDim));
    }

    /**
     * Writes N prompts' keys and values at positions 0..P-1 of slots firstSlot..firstSlot+N-1.
     *
     * @param k (N, kv_heads, P, head_dim)
     */
    void writePrefill(int layer, int firstSlot, NDArray k, NDArray v) {
        long n = k.getShape().get(0);
        long length = k.getShape().get(2);
        NDIndex at = new NDIndex("{}:{}, :, :{}, :", firstSlot, firstSlot + n, length);
        keys[layer].set(at, k);
        values[layer].set(at, v);
    }

    /** Keys of slots 0..batch-1 up to {@code length} positions: (B, kv_heads, L, head_dim), a view in {@code step}. */
    NDArray keys(NDManager step, int layer, int batch, long length) {
        return keys[layer].get(step, new NDIndex(":{}, :, :{}, :", batch, length));
    }

    NDArray values(NDManager step, int layer, int batch, long length) {
        return values[layer].get(step, new NDIndex(":{}, :, :{}, :", batch, length));
    }

    /** Moves the first {@code length} positions of slot {@code from} into slot {@code to} (compaction). */
    public void move(NDManager step, int from, int to, long length) {
        if (length == 0 || from == to) {
            return;
        }
        NDIndex src = new NDIndex("{}, :, :{}, :", from, length);
        NDIndex dst = new NDIndex("{}, :, :{}, :", to, length);
        for (int l = 0; l < keys.length; l++) {
            keys[l].set(dst, keys[l].get(step, src).duplicate());
            values[l].set(dst, values[l].get(step, src).duplicate());
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
