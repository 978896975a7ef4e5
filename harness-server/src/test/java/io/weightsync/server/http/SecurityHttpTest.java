package io.weightsync.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.weightsync.server.model.TinyModel;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tries to get past each of the server's guards, as someone on the machine (or the network) would:
 * the admin token, the loopback bind, the --weights-root confinement and the body-size limit. Each
 * attempt must be refused with the contract's JSON error and change nothing; each test prints one
 * {@code [reliability]} line.
 */
class SecurityHttpTest {

    private static final String TOKEN = "s3cret-token";
    private static final String[] AUTH = {"Authorization", "Bearer " + TOKEN};
    private static final List<String> ADMIN_CALLS = List.of("POST /update_weights", "POST /reload_weights",
            "POST /pause?mode=keep", "POST /resume", "GET /is_paused");

    @TempDir
    static Path root;
    @TempDir
    static Path outside;
    static ServerFixture f;
    /** A valid, published checkpoint outside --weights-root: any confinement leak would load it. */
    static Path outsideStep;

    @BeforeAll
    static void start() throws Exception {
        f = new ServerFixture(root, 8, o -> o.withAdminToken(TOKEN).withWeightsRoot(root));
        outsideStep = TinyModel.publishStep(outside, TinyModel.config(), 9, 9009);
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    /** One wrong way to present (or not present) the admin token. */
    record Credential(String name, String query, String... headers) {}

    private static List<Credential> wrongCredentials() {
        String basic = Base64.getEncoder().encodeToString(("admin:" + TOKEN).getBytes(StandardCharsets.UTF_8));
        return List.of(
                new Credential("no token", ""),
                new Credential("wrong token", "", "Authorization", "Bearer wrong-token"),
                new Credential("token's prefix", "", "Authorization", "Bearer " + TOKEN.substring(0, TOKEN.length() - 1)),
                new Credential("token plus a suffix", "", "Authorization", "Bearer " + TOKEN + "x"),
                new Credential("Basic scheme", "", "Authorization", "Basic " + basic),
                new Credential("bare token, no scheme", "", "Authorization", TOKEN),
                new Credential("two spaces after Bearer", "", "Authorization", "Bearer  " + TOKEN),
                new Credential("token in ?token=", "token=" + TOKEN),
                new Credential("token in ?access_token=", "access_token=" + TOKEN),
                new Credential("token in ?api_key=", "api_key=" + TOKEN),
                new Credential("token in X-Api-Key", "", "X-Api-Key", TOKEN),
                new Credential("wrong Authorization first, right one second", "", "Authorization", "Bearer wrong-token",
                        "Authorization", "Bearer " + TOKEN));
    }

    @Test
    void everyAdminEndpointRefusesEveryWrongCredentialWith401AndChangesNothing() throws Exception {
        // a state where each endpoint, if it ran, would leave a trace: step 1 live (update -> 2, reload -> 0)
        Path step1 = f.publish(1);
        Path step2 = f.publish(2);
        assertThat(f.post("/update_weights", weightDir(step1.toString()), AUTH).statusCode()).isEqualTo(200);
        double updatesBefore = f.metric("harness_weight_updates_total");
        int attempts = 0;
        for (boolean paused : new boolean[] {false, true}) { // /pause can only show a leak unpaused, /resume paused
            if (paused) {
                assertThat(f.post("/pause?mode=keep", "", AUTH).statusCode()).isEqualTo(200);
            }
            for (String call : ADMIN_CALLS) {
                for (Credential c : wrongCredentials()) {
                    HttpResponse<String> r = send(call, c, weightDir(step2.toString()));
                    String what = c.name() + " on " + call + (paused ? " (paused)" : "");
                    assertUnauthorized(r, what);
                    assertThat(f.engine.isPaused()).as(what).isEqualTo(paused);
                    attempts++;
                }
            }
        }
        assertThat(f.post("/resume", "", AUTH).statusCode()).isEqualTo(200);
        double stepAfter = f.metric("harness_weight_step");
        double updatesAfter = f.metric("harness_weight_updates_total");
        System.out.printf(Locale.ROOT, "[reliability] admin token guard: %d/%d attempts (%d wrong credentials x %d admin"
                + " calls, running and paused) -> 401, weights step %d kept, %d updates ran%n", attempts, attempts,
                wrongCredentials().size(), ADMIN_CALLS.size(), (long) stepAfter, (long) (updatesAfter - updatesBefore));
        assertThat(stepAfter).isEqualTo(1);
        assertThat(updatesAfter).isEqualTo(updatesBefore);
        // the same client, without a token, is served where no token is needed: the 401s are the guard's
        assertThat(f.post("/v1/completions", "{\"prompt\":\"open\",\"max_tokens\":2}").statusCode()).isEqualTo(200);
        assertThat(f.get("/health").statusCode()).isEqualTo(200);
        assertThat(f.get("/metrics").statusCode()).isEqualTo(200);
        assertThat(f.post("/reload_weights", "{}", AUTH).statusCode()).isEqualTo(200);
    }

    /** Spellings of an admin path that a router may still dispatch to the endpoint. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/update_weights/", "//update_weights", "/./update_weights", "/v1/../update_weights",
            "/%75pdate_weights", "/update_weights%2F", "/update_weights;x=1", "/UPDATE_WEIGHTS", "/update_weights?"})
    void adminPathSpellingsDoNotSkipTheTokenCheck(String path) throws Exception {
        Path step3 = f.publish(3);
        double stepBefore = f.metric("harness_weight_step");
        HttpResponse<String> r = f.http.send(HttpRequest.newBuilder(f.uri(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(weightDir(step3.toString()))).build(),
                HttpResponse.BodyHandlers.ofString());
        double stepAfter = f.metric("harness_weight_step");
        System.out.printf(Locale.ROOT, "[reliability] admin path spelled %s without token: %d, weights step %d %s%n",
                path, r.statusCode(), (long) stepAfter, stepAfter == stepBefore ? "kept" : "CHANGED");
        assertThat(r.statusCode()).as(r.body()).isIn(401, 404);
        assertThat(ServerFixture.json(r.body()).get("error").get("code").asInt()).isEqualTo(r.statusCode());
        assertThat(stepAfter).isEqualTo(stepBefore);
    }

    @Test
    void defaultOptionsListenOnLoopbackOnly() throws Exception {
        assertThat(ServerOptions.defaults("tiny").host()).isEqualTo("127.0.0.1");
        Optional<InetAddress> lan = nonLoopbackAddress();
        assumeTrue(lan.isPresent(), "this machine has no non-loopback address to probe from");
        InetAddress address = lan.get();
        // f runs on ServerOptions.defaults(...): it must not answer on the machine's other address
        boolean defaultReachable = reachable(address, f.server.port());
        // control: the same probe does reach a server bound to every address, so "refused" means something
        // (it fronts f's engine for a moment; its metrics listener stays on that engine until f closes)
        ServerOptions everywhere = new ServerOptions("0.0.0.0", 0, "tiny", root, TOKEN, 0, 1 << 20, 4096);
        boolean controlReachable;
        try (HarnessServer open = new HarnessServer(f.engine, everywhere).start()) {
            controlReachable = reachable(address, open.port());
        }
        System.out.printf(Locale.ROOT, "[reliability] bind address: default 127.0.0.1 %s on %s (a 0.0.0.0 server %s"
                + " there)%n", defaultReachable ? "REACHABLE" : "refuses connections", address.getHostAddress(),
                controlReachable ? "is reached" : "is NOT reached");
        assertThat(controlReachable).as("control: 0.0.0.0 is reachable on " + address).isTrue();
        assertThat(defaultReachable).as("default bind reachable on " + address).isFalse();
        assertThat(f.get("/health").statusCode()).isEqualTo(200);
    }

    /** A weight_dir that tries to leave --weights-root, and the words its refusal must hold. */
    record Escape(String name, Function<Path, String> weightDir, String defect) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Escape> escapes() {
        String out = "../" + outside.getFileName() + "/step_9";
        return Stream.of(
                new Escape("'..' traversal", r -> out, "must not contain '..'"),
                new Escape("'..' after a real folder", r -> "step_0/../" + out, "must not contain '..'"),
                new Escape("absolute path through '..'", r -> r + "/" + out, "must not contain '..'"),
                new Escape("absolute path outside", r -> outsideStep.toString(), "outside --weights-root"),
                new Escape("symlink in the root to a step outside", r -> link(r.resolve("step_8"), outsideStep),
                        "outside --weights-root"),
                new Escape("symlinked parent folder", r -> link(r.resolve("elsewhere"), outside) + "/step_9",
                        "outside --weights-root"),
                new Escape("relative path under a symlinked parent", r -> {
                    link(r.resolve("elsewhere"), outside);
                    return "elsewhere/step_9";
                }, "outside --weights-root"),
                new Escape("percent-encoded %2e%2e (not decoded)", r -> "%2e%2e/" + out.substring(3), "does not exist"),
                new Escape("a file, not a folder", r -> "step_0/model.safetensors", "is not a folder"),
                new Escape("NUL byte in the path", r -> "step_0\u0000/" + out, "is not a valid path"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("escapes")
    void weightDirLeavingTheRootIs400AndTheWeightsStay(Escape escape) throws Exception {
        String weightDir = escape.weightDir().apply(root);
        double stepBefore = f.metric("harness_weight_step");
        double updatesBefore = f.metric("harness_weight_updates_total");
        double failedBefore = f.metric("harness_weight_update_failures_total");
        long sentNanos = System.nanoTime();
        HttpResponse<String> r = f.post("/update_weights", weightDir(weightDir), AUTH);
        long millis = (System.nanoTime() - sentNanos) / 1_000_000;
        double stepAfter = f.metric("harness_weight_step");
        System.out.printf(Locale.ROOT, "[reliability] weights-root %s: %d in %d ms, weights step %d %s%n",
                escape.name(), r.statusCode(), millis, (long) stepAfter, stepAfter == stepBefore ? "kept" : "CHANGED");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode error = ServerFixture.json(r.body()).get("error");
        assertThat(error.get("type").asText()).isEqualTo("BadRequestError");
        assertThat(error.get("message").asText()).contains(escape.defect()).doesNotContain("\n")
                .contains(weightDir);
        assertThat(stepAfter).isEqualTo(stepBefore);
        assertThat(f.metric("harness_weight_updates_total")).isEqualTo(updatesBefore);
        assertThat(f.metric("harness_weight_update_failures_total")).as("refused before the engine saw it")
                .isEqualTo(failedBefore);
    }

    /** A giant body, how it is framed and where it goes, and the status that must come back. */
    record GiantBody(String framing, String path, boolean withToken, int status) {
        @Override
        public String toString() {
            return framing + " to " + path + (withToken ? "" : " without token");
        }
    }

    static Stream<GiantBody> giantBodies() {
        return Stream.of(new GiantBody("Content-Length", "/v1/completions", false, 413),
                new GiantBody("chunked", "/v1/completions", false, 413),
                new GiantBody("chunked", "/update_weights", true, 413),
                new GiantBody("Content-Length", "/update_weights", false, 401));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("giantBodies")
    void giantBodyIsRefusedBeforeItArrivesAndTheServerKeepsServing(GiantBody giant) throws Exception {
        RawExchange x = RawExchange.push(f.server.port(), giant.path(), giant.framing().equals("chunked"), GIANT_BYTES,
                giant.withToken() ? AUTH : new String[0]);
        System.out.printf(Locale.ROOT, "[reliability] body %d MiB %s: %d in %d ms (%.1f MiB written by then),"
                + " %s, live heap %+.1f MiB with %d MiB sent, still serving%n", GIANT_BYTES >> 20, giant, x.status(),
                x.millis(), x.sentAtAnswer() / 1048576.0, x.closedByServer() ? "connection closed by the server"
                        : String.format(Locale.ROOT, "rest read and dropped (%.0f MiB, connection kept)",
                                (x.sentInAll() - x.sentAtAnswer()) / 1048576.0),
                x.heapGrowthBytes() / 1048576.0, GIANT_BYTES / 4 * 3 >> 20);
        assertThat(x.status()).as(x.response()).isEqualTo(giant.status());
        assertThat(x.response()).contains("\"code\":" + giant.status());
        assertThat(x.sentAtAnswer()).as("answered before the body was all sent").isLessThan(GIANT_BYTES);
        // the server either closed the connection or read on without keeping what it read
        assertThat(x.closedByServer() || x.heapGrowthBytes() < GIANT_BYTES / 4)
                .as("closed by the server (%s), or live heap growth %d bytes well under the body", x.closedByServer(),
                        x.heapGrowthBytes()).isTrue();
        assertThat(f.get("/health").statusCode()).isEqualTo(200);
        assertThat(f.post("/v1/completions", "{\"prompt\":\"after\",\"max_tokens\":2}").statusCode()).isEqualTo(200);
    }

    private static final long GIANT_BYTES = 64L << 20;

    private static String link(Path link, Path target) {
        try {
            if (!Files.isSymbolicLink(link)) {
                Files.createSymbolicLink(link, target);
            }
            return link.toString();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static HttpResponse<String> send(String call, Credential c, String body) throws Exception {
        String[] methodAndPath = call.split(" ");
        String path = methodAndPath[1];
        if (!c.query().isEmpty()) {
            path += (path.contains("?") ? "&" : "?") + c.query();
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(f.uri(path)).timeout(Duration.ofSeconds(30));
        for (int i = 0; i < c.headers().length; i += 2) {
            b.header(c.headers()[i], c.headers()[i + 1]);
        }
        if (methodAndPath[0].equals("GET")) {
            b.GET();
        } else {
            b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        }
        return f.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertUnauthorized(HttpResponse<String> r, String what) throws IOException {
        assertThat(r.statusCode()).as(what + ": " + r.body()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).as(what).hasValue("Bearer");
        JsonNode error = ServerFixture.json(r.body()).get("error");
        assertThat(error.get("type").asText()).as(what).isEqualTo("UnauthorizedError");
        assertThat(error.get("code").asInt()).as(what).isEqualTo(401);
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws IOException {
        List<InetAddress> found = new ArrayList<>();
        for (NetworkInterface ni : NetworkInterface.networkInterfaces().toList()) {
            if (ni.isUp() && !ni.isLoopback()) {
                ni.inetAddresses().filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress()).forEach(found::add);
            }
        }
        // IPv4 first: an IPv6 address may need a scope the probe does not carry
        return found.stream().filter(a -> a instanceof Inet4Address).findFirst().or(() -> found.stream().findFirst());
    }

    private static boolean reachable(InetAddress address, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 2000);
            return true;
        } catch (ConnectException refused) {
            return false;
        }
    }

    private static String weightDir(String dir) {
        return "{\"weight_dir\":" + OpenAiShapes.quote(dir) + "}";
    }
}
