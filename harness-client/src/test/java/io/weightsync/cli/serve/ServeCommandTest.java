package io.weightsync.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.weightsync.cli.CliRun;
import io.weightsync.server.model.TinyModel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class ServeCommandTest {

    @Test
    void helpListsTheContractFlags() {
        CliRun run = CliRun.harness("serve", "--help");
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("--host", "--port", "--model", "--weights-root", "--admin-token", "--max-batch",
                "--max-concurrent-requests", "--update-mode", "--served-model-name", "--max-model-len", "--engine-nice");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            --port=70000                    | --port must be in [0, 65535]
            --port=abc                      | Invalid value for option '--port'
            --max-batch=0                   | --max-batch must be >= 1
            --max-model-len=1               | --max-model-len must be >= 2
            --max-concurrent-requests=-1    | --max-concurrent-requests must be >= 0
            --update-mode=sideways          | --update-mode must be pause or overlap
            --engine-nice=20                | --engine-nice must be in 0..19, got 20
            --device=tpu                    | --device must be cpu or gpu
            --device=gpu                    | sees no CUDA device
            --weights-root=/no/such/folder  | --weights-root /no/such/folder is not a folder
            --model=/no/such/model          | not 'tiny' and not a folder
            --frobnicate                    | Unknown option
            """)
    void badFlagIsAUsageErrorWithExitTwo(String flag, String message) {
        CliRun run = CliRun.harness("serve", flag);
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains(message);
    }

    @Test
    void servesUntilStoppedThenShutsDownCleanly(@TempDir Path root) throws Exception {
        System.setProperty("ai.djl.offline", "true");
        Path step0 = TinyModel.ensure(root);
        ServeCommand serve = new ServeCommand();
        CommandLine cli = new CommandLine(serve);
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute("--port", "0", "--model",
                step0.toString(), "--served-model-name", "policy", "--admin-token", "t0ken", "--max-batch", "4"));
        int port = serve.listening.get(60, TimeUnit.SECONDS);
        assertThat(port).isPositive();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String base = "http://127.0.0.1:" + port;
        HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(models.body()).contains("\"id\":\"policy\"");
        HttpResponse<String> pause = http.send(HttpRequest.newBuilder(URI.create(base + "/pause"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(pause.statusCode()).isEqualTo(401);
        serve.stop.complete(null);
        assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
        assertThat(out.toString()).contains("harness serve: policy on http://127.0.0.1:" + port, "shutting down");
    }

    /**
     * {@code --admin-token} falls back to {@code $HARNESS_ADMIN_TOKEN}, and the flag wins over it. The
     * environment is the command's own map here: Java cannot change the test JVM's.
     */
    @ParameterizedTest(name = "flag {0}, env {1}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            -          | from-env | from-env
            from-flag  | from-env | from-flag
            -          | -        | -
            """)
    void adminTokenFallsBackToTheEnvironmentAndTheFlagWins(String flag, String env, String expected,
            @TempDir Path root) throws Exception {
        System.setProperty("ai.djl.offline", "true");
        Path step0 = TinyModel.ensure(root);
        ServeCommand serve = new ServeCommand();
        serve.environment = name -> name.equals(ServeCommand.ADMIN_TOKEN_ENV) ? env : null;
        CommandLine cli = new CommandLine(serve);
        cli.setOut(new PrintWriter(new StringWriter()));
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("--port", "0", "--model",
                step0.toString(), "--max-batch", "2"));
        if (flag != null) {
            args.addAll(java.util.List.of("--admin-token", flag));
        }
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute(args.toArray(String[]::new)));
        try {
            int port = serve.listening.get(60, TimeUnit.SECONDS);
            assertThat(port).isPositive();
            int withoutToken = isPaused(port, null);
            int withEnvToken = isPaused(port, env);
            int withExpected = isPaused(port, expected);
            System.out.printf("[reliability] serve --admin-token %s, $%s %s: /is_paused without a token %d, with the"
                    + " env's %d, with %s %d%n", flag == null ? "unset" : flag, ServeCommand.ADMIN_TOKEN_ENV,
                    env == null ? "unset" : env, withoutToken, withEnvToken, expected == null ? "none" : expected,
                    withExpected);
            assertThat(withExpected).isEqualTo(200);
            assertThat(withoutToken).isEqualTo(expected == null ? 200 : 401);
            if (env != null && !env.equals(expected)) {
                assertThat(withEnvToken).as("the flag replaces the environment's token").isEqualTo(401);
            }
        } finally {
            serve.stop.complete(null);
        }
        assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
    }

    private static int isPaused(int port, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/is_paused"));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
