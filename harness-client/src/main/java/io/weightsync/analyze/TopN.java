package io.weightsync.analyze;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The {@code capacity} items with the largest keys seen so far, in O(capacity) memory: the evidence
 * ("the worst traces") of a log of any size.
 */
final class TopN<T> {

    private record Entry<T>(double key, long order, T item) {}

    private final int capacity;
    /** Smallest key at the head, so the head is what a larger key evicts. */
    private final PriorityQueue<Entry<T>> heap;
    private long offered;

    TopN(int capacity) {
        this.capacity = capacity;
        this.heap = new PriorityQueue<>(Comparator.<Entry<T>>comparingDouble(Entry::key)
                .thenComparing(Comparator.<Entry<T>>comparingLong(Entry::order).reversed()));
    }

    /** Offers an item; NaN keys are ignored. */
    void offer(double key, T item) {
        if (Double.isNaN(key) || capacity == 0) {
            return;
        }
        Entry<T> entry = new Entry<>(key, offered++, item);
        if (heap.size() < capacity) {
            heap.add(entry);
        } else if (key > heap.peek().key()) {
            heap.poll();
            heap.add(entry);
        }
    }

    /** Largest key first; ties in the order offered. */
    List<T> largestFirst() {
        List<Entry<T>> entries = new ArrayList<>(heap);
        entries.sort(Comparator.<Entry<T>>comparingDouble(Entry::key).reversed().thenComparingLong(Entry::order));
        List<T> items = new ArrayList<>(entries.size());
        for (Entry<T> e : entries) {
            items.add(e.item());
        }
        return items;
    }
}
