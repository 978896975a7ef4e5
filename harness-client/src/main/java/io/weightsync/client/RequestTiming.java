package io.weightsync.client;

/**
 * When one HTTP request was meant to go out and when OkHttp really wrote it, all {@link System#nanoTime()}.
 * Attached to the request as its tag and filled by {@link TimingEventListener}, so the client queue
 * time (Dispatcher wait + connection acquisition) is measured from the moment the caller <i>meant</i>
 * to send, not from when a slot freed up (the coordinated-omission trap vLLM's bench fell into).
 */
public final class RequestTiming {

    /** Not yet seen. */
    public static final long UNSET = Long.MIN_VALUE;

    private final long intendedNanos;
    private volatile long headersStartNanos = UNSET;
    private volatile long headersEndNanos = UNSET;

    public RequestTiming(long intendedNanos) {
        this.intendedNanos = intendedNanos;
    }

    /** The caller handed the request to OkHttp (or meant to). */
    public long intendedNanos() {
        return intendedNanos;
    }

    /** OkHttp started writing the request headers: it left the client's queue and had a connection. */
    public long headersStartNanos() {
        return headersStartNanos;
    }

    /** The request headers were written: from here on the server may have the request. */
    public long headersEndNanos() {
        return headersEndNanos;
    }

    /** True once the request may have reached the server (a retry could then apply it twice). */
    public boolean maybeSent() {
        return headersStartNanos != UNSET;
    }

    /** Client queue time in milliseconds, or NaN when the request never left the queue. */
    public double queueMillis() {
        long start = headersStartNanos;
        return start == UNSET ? Double.NaN : (start - intendedNanos) / 1e6;
    }

    void headersStart(long nanos) {
        if (headersStartNanos == UNSET) {
            headersStartNanos = nanos;
        }
    }

    void headersEnd(long nanos) {
        if (headersEndNanos == UNSET) {
            headersEndNanos = nanos;
        }
    }
}
