package io.weightsync.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weightsync.core.events.WeightsEvent;
import io.weightsync.core.report.MetricNames;
import io.weightsync.core.trace.TraceId;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * The orchestrator's admin calls: {@code POST /update_weights {"weight_dir"}} and
 * {@code POST /reload_weights {}}, through the client {@link HttpClients#admin} made for the mode.
 * Every call is <i>enqueued</i> (OkHttp's {@code execute()} bypasses the Dispatcher's limits, and the
 * point of the shared mode is to wait in that queue like the rollouts), logs
 * {@code [weights][trace] client.send} / {@code client.done wall_ms rpc_ms queue_ms}, sends
 * {@code X-Trace-Id}, and records {@code weights.*} into the client's metrics.
 *
 * <p>Retries are bounded and only where the request certainly did not reach the server: the
 * connection failed before OkHttp started writing it, or the server refused it at the door with 503.
 * A request that may have arrived is never sent again (the server may still be applying it:
 * prime-rl #3599); a timeout then fails the update, and the next step's update (to a newer
 * weight_dir, or the same one, which the server answers as a no-op) carries on.
 */
public final class AdminClient {

    public static final String ROLE = "client";
    private static final MediaType JSON = MediaType.get("application/json");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final long FIRST_BACKOFF_MILLIS = 250;

    private final OkHttpClient client;
    private final HttpUrl baseUrl;
    private final String adminToken;
    private final EventLog log;
    private final ClientMetrics metrics;
    private final int maxAttempts;

    /**
     * @param client from {@link HttpClients#admin}
     * @param adminToken sent as {@code Authorization: Bearer}; null for none
     * @param maxAttempts 1 + retries
     */
    public AdminClient(OkHttpClient client, HttpUrl baseUrl, String adminToken, EventLog log, ClientMetrics metrics,
            int maxAttempts) {
        this.client = Objects.requireNonNull(client, "client");
        this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
        this.adminToken = adminToken;
        this.log = log;
        this.metrics = metrics;
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
    }

    /**
     * Sends one untimed {@code GET /health} through the admin client and returns at once: during
     * warm-up, so the first measured update does not pay for a cold code path (class loading, JIT,
     * TLS-free connection setup). In shared mode it waits in the rollouts' queue like anything else.
     */
    public void warmUp() {
        Request request = new Request.Builder().url(baseUrl.newBuilder().addPathSegment("health").build()).build();
        client.newCall(request).enqueue(new Callback() {
            @Override
            public void onResponse(Call c, Response response) {
                response.close();
            }

            @Override
            public void onFailure(Call c, IOException e) {
                // untimed and unrecorded: a real update will report the problem
            }
        });
    }

    /** Blocks until the server has loaded {@code weightDir} (a folder path the server can read). */
    public UpdateOutcome updateWeights(String weightDir) throws InterruptedException {
        ObjectNode body = MAPPER.createObjectNode().put("weight_dir", weightDir);
        return call("update_weights", body.toString());
    }

    /** Blocks until the server is back on the weights it started with. */
    public UpdateOutcome reloadWeights() throws InterruptedException {
        return call("reload_weights", "{}");
    }

    private UpdateOutcome call(String endpoint, String json) throws InterruptedException {
        TraceId trace = TraceId.random();
        long sendNanos = System.nanoTime();
        long sendEpoch = System.currentTimeMillis();
        log.event(ROLE, new WeightsEvent.ClientSend(trace, sendEpoch));
        UpdateWindow window = metrics.openWindow(sendNanos);
        UpdateOutcome outcome = null;
        for (int attempt = 1; outcome == null; attempt++) {
            RequestTiming timing = new RequestTiming(attempt == 1 ? sendNanos : System.nanoTime());
            Request.Builder request = new Request.Builder()
                    .url(baseUrl.newBuilder().addPathSegment(endpoint).build())
                    .header("X-Trace-Id", trace.toString())
                    .tag(RequestTiming.class, timing)
                    .post(RequestBody.create(json, JSON));
            if (adminToken != null && !adminToken.isEmpty()) {
                request.header("Authorization", "Bearer " + adminToken);
            }
            boolean lastAttempt = attempt >= maxAttempts;
            try (Response response = await(client.newCall(request.build()))) {
                long done = System.nanoTime();
                String text = bodyOf(response);
                if (response.code() == 200) {
                    outcome = ok(trace, sendNanos, sendEpoch, done, text, attempt);
                } else if (response.code() == 404) {
                    outcome = failed(trace, UpdateOutcome.Status.NOT_SUPPORTED, sendNanos, sendEpoch, done, attempt,
                            "404 on /" + endpoint + ": the server has no weight-update endpoint");
                } else if (response.code() == 503 && !lastAttempt) {
                    backoff(trace, attempt, "503 " + errorMessage(text));
                } else {
                    outcome = failed(trace, UpdateOutcome.Status.FAILED, sendNanos, sendEpoch, done, attempt,
                            response.code() + " " + errorMessage(text));
                }
            } catch (IOException e) {
                long done = System.nanoTime();
                if (!timing.maybeSent() && !lastAttempt) {
                    backoff(trace, attempt, "not sent: " + describe(e));
                } else {
                    String why = timing.maybeSent()
                            ? describe(e) + " after the request was sent; not sent again (the server may still be applying it)"
                            : describe(e) + " (" + attempt + " attempts)";
                    outcome = failed(trace, UpdateOutcome.Status.FAILED, sendNanos, sendEpoch, done, attempt, why);
                }
            }
        }
        window.done(System.nanoTime(), outcome.rpcMillis());
        if (outcome.ok()) {
            metrics.updates.incrementAndGet();
            metrics.record(MetricNames.WEIGHTS_WALL_MS, outcome.wallMillis());
            // NaN (rpc not in the body) is not recorded: the report lacks the figure rather than show a 0
            metrics.record(MetricNames.WEIGHTS_RPC_MS, outcome.rpcMillis());
            metrics.record(MetricNames.WEIGHTS_QUEUE_MS, outcome.queueMillis());
            log.event(ROLE, WeightsEvent.ClientDone.of(trace, outcome.wallMillis(), outcome.rpcMillis()));
        } else {
            metrics.updatesFailed.incrementAndGet();
            log.line(ROLE, "[weights][" + trace + "] client.failed wall_ms=" + fmt(outcome.wallMillis())
                    + " attempts=" + outcome.attempts() + " error=\"" + outcome.error().replace('"', '\'') + "\"");
        }
        return outcome;
    }

    private void backoff(TraceId trace, int attempt, String why) throws InterruptedException {
        long millis = FIRST_BACKOFF_MILLIS << (attempt - 1);
        log.line(ROLE, "[weights][" + trace + "] client.retry attempt=" + attempt + " backoff_ms=" + millis
                + " reason=\"" + why.replace('"', '\'') + "\"");
        Thread.sleep(millis);
    }

    private static UpdateOutcome ok(TraceId trace, long sendNanos, long sendEpoch, long doneNanos, String text,
            int attempts) {
        double wall = (doneNanos - sendNanos) / 1e6;
        JsonNode body;
        try {
            body = MAPPER.readTree(text);
        } catch (IOException e) {
            body = null;
        }
        // 200 means the weights are live, whatever the body says. prime-rl's server answers
        // {"status":"ok"} with no rpc_ms: the load's time is then not measured here (NaN, never 0);
        // analyze takes it from the server's rpc.done line when it has the server's log.
        boolean hasRpc = body != null && body.path("rpc_ms").isNumber() && Double.isFinite(body.get("rpc_ms").asDouble());
        double rpc = hasRpc ? body.get("rpc_ms").asDouble() : Double.NaN;
        long step = body == null ? -1 : body.path("step").asLong(-1);
        return new UpdateOutcome(trace, UpdateOutcome.Status.OK, sendEpoch, sendEpoch + Math.round(wall), wall, rpc,
                step, attempts, null);
    }

    private static UpdateOutcome failed(TraceId trace, UpdateOutcome.Status status, long sendNanos, long sendEpoch,
            long doneNanos, int attempts, String error) {
        double wall = (doneNanos - sendNanos) / 1e6;
        return new UpdateOutcome(trace, status, sendEpoch, sendEpoch + Math.round(wall), wall, Double.NaN, -1, attempts,
                error);
    }

    /** Enqueues the call (so it waits in the Dispatcher like any other) and waits for its response. */
    private static Response await(Call call) throws IOException, InterruptedException {
        CompletableFuture<Response> result = new CompletableFuture<>();
        call.enqueue(new Callback() {
            @Override
            public void onResponse(Call c, Response response) {
                result.complete(response);
            }

            @Override
            public void onFailure(Call c, IOException e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get();
        } catch (InterruptedException e) {
            call.cancel();
            throw e;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        }
    }

    private static String bodyOf(Response response) throws IOException {
        ResponseBody body = response.body();
        return body == null ? "" : body.string();
    }

    /** The {@code error.message} of an OpenAI-style error body, else the body itself, on one line. */
    private static String errorMessage(String text) {
        try {
            JsonNode node = MAPPER.readTree(text);
            if (node != null && node.path("error").path("message").isTextual()) {
                return node.get("error").get("message").asText();
            }
        } catch (IOException notJson) {
            // fall through: show the body as it came
        }
        return abbreviate(text);
    }

    private static String describe(IOException e) {
        if (e instanceof InterruptedIOException) {
            return "timed out (" + e.getMessage() + ")";
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static String abbreviate(String text) {
        String oneLine = text.replaceAll("\\s+", " ").trim();
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine;
    }

    private static String fmt(double millis) {
        return String.format(java.util.Locale.ROOT, "%.3f", millis);
    }
}
