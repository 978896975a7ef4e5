package io.weightsync.server.http;

import java.nio.file.Path;

/**
 * How the HTTP front end listens and what it lets through.
 *
 * @param host address to bind; 127.0.0.1 unless told otherwise (the admin endpoints load files)
 * @param port TCP port; 0 picks a free one (tests)
 * @param servedModelName the one model name /v1/models lists and requests may name
 * @param weightsRoot when set, every weight_dir must resolve (symlinks followed) inside it; null allows any folder
 * @param adminToken when set, admin endpoints need {@code Authorization: Bearer <token>}; null leaves them open
 * @param maxConcurrentRequests requests in flight at most (like uvicorn's --limit-concurrency); more are
 *     refused with 503 at once, never queued; 0 means no limit. /health and /metrics are not counted.
 * @param maxBodyBytes request bodies larger than this are refused with 413
 * @param maxPendingChunks per stream: chunks the engine produced that the client has not taken yet;
 *     a reader this far behind is disconnected and its request cancelled, so it cannot hold memory or a slot
 */
public record ServerOptions(String host, int port, String servedModelName, Path weightsRoot, String adminToken,
        int maxConcurrentRequests, long maxBodyBytes, int maxPendingChunks) {

    public ServerOptions {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("--host must not be empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be in [0, 65535], got " + port);
        }
        if (servedModelName == null || servedModelName.isBlank()) {
            throw new IllegalArgumentException("--served-model-name must not be empty");
        }
        if (adminToken != null && adminToken.isBlank()) {
            adminToken = null;
        }
        if (maxConcurrentRequests < 0) {
            throw new IllegalArgumentException("--max-concurrent-requests must be >= 0 (0: no limit), got "
                    + maxConcurrentRequests);
        }
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("max body bytes must be >= 1, got " + maxBodyBytes);
        }
        if (maxPendingChunks < 1) {
            throw new IllegalArgumentException("max pending chunks must be >= 1, got " + maxPendingChunks);
        }
    }

    /** Loopback on port 8000, no auth, no confinement, no admission limit, 1 MiB bodies, 4,096 pending chunks. */
    public static ServerOptions defaults(String servedModelName) {
        return new ServerOptions("127.0.0.1", 8000, servedModelName, null, null, 0, 1 << 20, 4096);
    }

    public ServerOptions withPort(int newPort) {
        return new ServerOptions(host, newPort, servedModelName, weightsRoot, adminToken, maxConcurrentRequests,
                maxBodyBytes, maxPendingChunks);
    }

    public ServerOptions withWeightsRoot(Path root) {
        return new ServerOptions(host, port, servedModelName, root, adminToken, maxConcurrentRequests, maxBodyBytes,
                maxPendingChunks);
    }

    public ServerOptions withAdminToken(String token) {
        return new ServerOptions(host, port, servedModelName, weightsRoot, token, maxConcurrentRequests, maxBodyBytes,
                maxPendingChunks);
    }

    public ServerOptions withMaxConcurrentRequests(int limit) {
        return new ServerOptions(host, port, servedModelName, weightsRoot, adminToken, limit, maxBodyBytes,
                maxPendingChunks);
    }

    public ServerOptions withMaxPendingChunks(int chunks) {
        return new ServerOptions(host, port, servedModelName, weightsRoot, adminToken, maxConcurrentRequests, maxBodyBytes,
                chunks);
    }

    public ServerOptions withMaxBodyBytes(long bytes) {
        return new ServerOptions(host, port, servedModelName, weightsRoot, adminToken, maxConcurrentRequests, bytes,
                maxPendingChunks);
    }
}
