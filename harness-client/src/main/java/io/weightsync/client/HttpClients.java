package io.weightsync.client;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

/**
 * The OkHttp clients of the RL loop. One rollout client carries every streaming generation; its
 * Dispatcher admits at most {@code streams} calls to the host (as httpx's {@code max_connections}
 * bounds prime-rl's pool) and queues the rest, first in first out. The admin client is either that
 * same client (shared: same Dispatcher, same queue, same pool) or a separate one.
 */
public final class HttpClients {

    /** prime-rl's admin timeouts: 300 s for admin calls, 720 s for a weight update. */
    public static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(300);
    public static final Duration UPDATE_TIMEOUT = Duration.ofSeconds(720);

    private HttpClients() {}

    /**
     * @param streams concurrent calls to the host (Dispatcher maxRequests and maxRequestsPerHost)
     * @param readTimeout longest silence within a stream before it fails
     */
    public static OkHttpClient rollouts(int streams, Duration readTimeout) {
        if (streams < 1) {
            throw new IllegalArgumentException("streams must be >= 1, was " + streams);
        }
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(streams);
        dispatcher.setMaxRequestsPerHost(streams);
        return new OkHttpClient.Builder()
                .dispatcher(dispatcher)
                .connectionPool(new ConnectionPool(streams, 5, TimeUnit.MINUTES))
                .eventListener(TimingEventListener.INSTANCE)
                .readTimeout(readTimeout)
                .callTimeout(Duration.ZERO)
                .retryOnConnectionFailure(false)
                .build();
    }

    /**
     * The admin client for {@code mode}. Shared: {@code rollouts.newBuilder()}, which keeps the
     * Dispatcher and the pool (only the timeouts differ). Dedicated: its own Dispatcher and a pool
     * that keeps no idle connection, so every call opens a fresh one and closes it.
     */
    public static OkHttpClient admin(AdminMode mode, OkHttpClient rollouts) {
        OkHttpClient.Builder builder = switch (mode) {
            case SHARED -> rollouts.newBuilder();
            case DEDICATED -> new OkHttpClient.Builder()
                    .connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS))
                    .addInterceptor(chain -> chain.proceed(chain.request().newBuilder().header("Connection", "close").build()))
                    .eventListener(TimingEventListener.INSTANCE);
        };
        return builder.readTimeout(UPDATE_TIMEOUT)
                .callTimeout(UPDATE_TIMEOUT)
                .retryOnConnectionFailure(false)
                .build();
    }

    /** Stops a client's threads and closes its idle connections (running calls are cancelled). */
    public static void shutdown(OkHttpClient client) {
        client.dispatcher().cancelAll();
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}
