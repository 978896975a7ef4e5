package io.weightsync.client;

import okhttp3.Call;
import okhttp3.EventListener;

/**
 * Fills the {@link RequestTiming} tag of each call from OkHttp's event callbacks. Stateless, so one
 * instance serves every call of a client.
 */
final class TimingEventListener extends EventListener {

    static final TimingEventListener INSTANCE = new TimingEventListener();

    private TimingEventListener() {}

    @Override
    public void requestHeadersStart(Call call) {
        RequestTiming timing = call.request().tag(RequestTiming.class);
        if (timing != null) {
            timing.headersStart(System.nanoTime());
        }
    }

    @Override
    public void requestHeadersEnd(Call call, okhttp3.Request request) {
        RequestTiming timing = call.request().tag(RequestTiming.class);
        if (timing != null) {
            timing.headersEnd(System.nanoTime());
        }
    }
}
