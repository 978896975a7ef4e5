package io.weightsync.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin client against a real loopback HTTP server (the JDK's): the shared mode queues behind
 * the rollouts' calls in their Dispatcher, the dedicated one does not; retries only for requests that
 * never left; 404 means "not supported".
 */
class AdminClientTest {

    private static final long SLOW_STREAM_MILLIS = 800;

    @TempDir
    Path tmp;

    private HttpServer server;
    private HttpUrl base;
    private final AtomicInteger updateRequests = new AtomicInteger();
    private final List<String> traceHeaders = new CopyOnWriteArrayList<>();
    private volatile int updateStatus = 200;
    private volatile long updateDelayMillis = 20;
    /** The 200 body; null: the harness's own, with step and rpc_ms. */
    private volatile String okBody;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/slow", ex -> {
            sleep(SLOW_STREAM_MILLIS);
            send(ex, 200, "done");
        });
        server.createContext("/update_weights", ex -> {
            updateRequests.incrementAndGet();
            traceHeaders.add(ex.getRequestHeaders().getFirst("X-Trace-Id"));
            sleep(updateDelayMillis);
            send(ex, updateStatus, updateStatus == 200
                    ? okBody != null ? okBody : "{\"status\":\"ok\",\"step\":3,\"rpc_ms\":" + updateDelayMillis + "}"
                    : "{\"error\":{\"message\":\"nope\",\"type\":\"x\",\"code\":" + updateStatus + "}}");
        });
        server.start();
        base = HttpUrl.get("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private AdminClient admin(AdminMode mode, OkHttpClient rollouts, Path log, ClientMetrics metrics) throws IOException {
        return new AdminClient(HttpClients.admin(mode, rollouts), base, null, EventLog.toFile(log), metrics, 3);
    }

    /** Fills the rollout client's 2 slots with slow calls, then asks for an update. */
    private UpdateOutcome updateWhileSlotsAreBusy(AdminMode mode) throws Exception {
        OkHttpClient rollouts = HttpClients.rollouts(2, Duration.ofSeconds(10));
        CountDownLatch done = new CountDownLatch(2);
        for (int i = 0; i < 2; i++) {
            rollouts.newCall(new Request.Builder().url(base.resolve("slow")).build()).enqueue(new Callback() {
                @Override
                public void onResponse(Call call, Response response) {
                    response.close();
                    done.countDown();
                }

                @Override
                public void onFailure(Call call, IOException e) {
                    done.countDown();
                }
            });
        }
        Thread.sleep(100); // both are running
        ClientMetrics metrics = new ClientMetrics();
        UpdateOutcome outcome = admin(mode, rollouts, tmp.resolve(mode.label() + ".log"), metrics).updateWeights("/w/step_1");
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        HttpClients.shutdown(rollouts);
        return outcome;
    }

    @Test
    void sharedModeWaitsBehindTheRolloutsDedicatedDoesNot() throws Exception {
        UpdateOutcome shared = updateWhileSlotsAreBusy(AdminMode.SHARED);
        UpdateOutcome dedicated = updateWhileSlotsAreBusy(AdminMode.DEDICATED);
        assertThat(shared.ok()).isTrue();
        assertThat(dedicated.ok()).isTrue();
        assertThat(shared.rpcMillis()).isEqualTo(20.0);
        // shared: waited for a slot (~700 ms of the slow calls left); dedicated: only the round trip
        assertThat(shared.queueMillis()).isGreaterThan(500);
        assertThat(dedicated.queueMillis()).isLessThan(shared.queueMillis() / 2);
        assertThat(shared.step()).isEqualTo(3);
    }

    @Test
    void logsSendAndDoneWithTheTraceItSends() throws Exception {
        Path log = tmp.resolve("client.log");
        OkHttpClient rollouts = HttpClients.rollouts(4, Duration.ofSeconds(10));
        UpdateOutcome o = admin(AdminMode.DEDICATED, rollouts, log, new ClientMetrics()).updateWeights("/w/step_1");
        HttpClients.shutdown(rollouts);
        assertThat(traceHeaders).containsExactly(o.trace().toString());
        List<String> lines = Files.readAllLines(log);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("client [weights][" + o.trace() + "] client.send t=");
        assertThat(lines.get(1)).contains("[weights][" + o.trace() + "] client.done wall_ms=").contains("rpc_ms=20 ")
                .contains("queue_ms=");
    }

    @Test
    void aPlainOkWithoutRpcMsIsAnOkUpdateWhoseRpcAndQueueAreNotMeasuredNeverZero() throws Exception {
        okBody = "{\"status\":\"ok\"}"; // prime-rl's server today
        Path log = tmp.resolve("prime.log");
        ClientMetrics metrics = new ClientMetrics();
        OkHttpClient rollouts = HttpClients.rollouts(1, Duration.ofSeconds(10));
        UpdateOutcome o = admin(AdminMode.DEDICATED, rollouts, log, metrics).updateWeights("/w/step_1");
        HttpClients.shutdown(rollouts);

        assertThat(o.status()).isEqualTo(UpdateOutcome.Status.OK);
        assertThat(o.error()).isNull();
        assertThat(o.wallMillis()).as("the server slept 20 ms before answering").isGreaterThanOrEqualTo(20);
        assertThat(o.rpcMeasured()).isFalse();
        assertThat(o.rpcMillis()).isNaN();
        assertThat(o.queueMillis()).isNaN();
        assertThat(o.step()).isEqualTo(-1);
        assertThat(metrics.updates.get()).isEqualTo(1);
        assertThat(metrics.updatesFailed.get()).isZero();
        assertThat(count(metrics, io.weightsync.core.report.MetricNames.WEIGHTS_WALL_MS)).isEqualTo(1);
        assertThat(count(metrics, io.weightsync.core.report.MetricNames.WEIGHTS_RPC_MS)).isZero();
        assertThat(count(metrics, io.weightsync.core.report.MetricNames.WEIGHTS_QUEUE_MS)).isZero();
        List<String> lines = Files.readAllLines(log);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).contains("[weights][" + o.trace() + "] client.done wall_ms=")
                .doesNotContain("rpc_ms=").doesNotContain("queue_ms=").doesNotContain("client.failed");
    }

    @Test
    void anOkWhoseRpcMsIsNotANumberIsStillOkWithRpcNotMeasured() throws Exception {
        okBody = "{\"status\":\"ok\",\"rpc_ms\":\"fast\",\"step\":4}";
        ClientMetrics metrics = new ClientMetrics();
        OkHttpClient rollouts = HttpClients.rollouts(1, Duration.ofSeconds(10));
        UpdateOutcome o = admin(AdminMode.SHARED, rollouts, tmp.resolve("s.log"), metrics).updateWeights("/w");
        HttpClients.shutdown(rollouts);
        assertThat(o.ok()).isTrue();
        assertThat(o.rpcMillis()).isNaN();
        assertThat(o.step()).isEqualTo(4);
        assertThat(metrics.updatesFailed.get()).isZero();
        assertThat(count(metrics, io.weightsync.core.report.MetricNames.WEIGHTS_RPC_MS)).isZero();
    }

    /** Samples recorded into {@code metric} since the recorder was made (reading resets the interval). */
    private static long count(ClientMetrics metrics, String metric) {
        return metrics.recorders().get(metric).getIntervalHistogram().getTotalCount();
    }

    @Test
    void aRefusedConnectionIsRetriedThenFailsWithoutEverBeingSent() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        base = HttpUrl.get("http://127.0.0.1:" + closedPort + "/");
        OkHttpClient rollouts = HttpClients.rollouts(1, Duration.ofSeconds(10));
        UpdateOutcome o = admin(AdminMode.DEDICATED, rollouts, tmp.resolve("c.log"), new ClientMetrics())
                .updateWeights("/w/step_1");
        HttpClients.shutdown(rollouts);
        assertThat(o.status()).isEqualTo(UpdateOutcome.Status.FAILED);
        assertThat(o.attempts()).isEqualTo(3);
        assertThat(o.error()).contains("ConnectException").doesNotContain("not sent again");
        assertThat(Files.readString(tmp.resolve("c.log"))).contains("client.retry attempt=1").contains("client.failed");
    }

    @Test
    void aTimeoutAfterTheRequestWentOutIsNeverSentAgain() throws Exception {
        updateDelayMillis = 1500;
        OkHttpClient rollouts = HttpClients.rollouts(1, Duration.ofSeconds(10));
        OkHttpClient impatient = HttpClients.admin(AdminMode.DEDICATED, rollouts).newBuilder()
                .callTimeout(Duration.ofMillis(300)).build();
        ClientMetrics metrics = new ClientMetrics();
        long t0 = System.nanoTime();
        UpdateOutcome o = new AdminClient(impatient, base, null, EventLog.discard(), metrics, 3).updateWeights("/w/step_1");
        double failedAfterMillis = (System.nanoTime() - t0) / 1e6;
        HttpClients.shutdown(rollouts);
        assertThat(o.status()).isEqualTo(UpdateOutcome.Status.FAILED);
        assertThat(o.attempts()).isEqualTo(1);
        assertThat(o.error()).contains("timed out").contains("not sent again");
        assertThat(failedAfterMillis).as("bounded by the call timeout").isLessThan(1500);
        assertThat(metrics.updatesFailed.get()).isEqualTo(1);
        // longer than the server's 1.5 s and every retry backoff (250 + 500 ms): still the one request
        Thread.sleep(2000);
        assertThat(updateRequests.get()).isEqualTo(1);
        System.out.printf("[reliability] update never answered in time: failed after %.0f ms (call timeout 300 ms),"
                + " %d request sent, none re-sent in the next 2 s%n", failedAfterMillis, updateRequests.get());
    }

    @Test
    void notFoundMeansTheServerHasNoSuchEndpoint() throws Exception {
        updateStatus = 404;
        OkHttpClient rollouts = HttpClients.rollouts(1, Duration.ofSeconds(10));
        UpdateOutcome o = admin(AdminMode.SHARED, rollouts, tmp.resolve("n.log"), new ClientMetrics()).updateWeights("/w");
        HttpClients.shutdown(rollouts);
        assertThat(o.status()).isEqualTo(UpdateOutcome.Status.NOT_SUPPORTED);
        assertThat(o.attempts()).isEqualTo(1);
        assertThat(o.error()).contains("404 on /update_weights");
    }

    @Test
    void aServerErrorIsNotRetriedAndItsMessageIsKept() throws Exception {
        updateStatus = 400;
        OkHttpClient rollouts = HttpClients.rollouts(1, Duration.ofSeconds(10));
        UpdateOutcome o = admin(AdminMode.DEDICATED, rollouts, tmp.resolve("e.log"), new ClientMetrics()).updateWeights("/w");
        HttpClients.shutdown(rollouts);
        assertThat(o.status()).isEqualTo(UpdateOutcome.Status.FAILED);
        assertThat(o.error()).isEqualTo("400 nope");
        assertThat(updateRequests.get()).isEqualTo(1);
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
