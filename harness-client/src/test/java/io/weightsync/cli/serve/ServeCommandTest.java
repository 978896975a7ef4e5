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
                "--max-concurrent-requests", "--update-mode", "--served-model-name", "--max-model-len");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            --port=70000                    | --port must be in [0, 65535]
            --port=abc                      | Invalid value for option '--port'
            --max-batch=0                   | --max-batch must be >= 1
            --max-model-len=1               | --max-model-len must be >= 2
            --max-concurrent-requests=-1    | --max-concurrent-requests must be >= 0
            --update-mode=sideways          | --update-mode must be pause or overlap
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
}
