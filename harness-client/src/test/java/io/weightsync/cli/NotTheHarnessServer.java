package io.weightsync.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real loopback OpenAI-compatible server that is not the harness: /v1/models and streaming
 * /v1/completions (a few chunks, finish_reason "length", a usage chunk, [DONE]), and 404 for
 * everything else, /update_weights included, as a vLLM without its dev endpoints answers.
 */
public final class NotTheHarnessServer implements AutoCloseable {

    private static final int CHUNKS = 6;

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    public NotTheHarnessServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        ex.getRequestBody().readAllBytes();
        if (path.equals("/v1/models")) {
            send(ex, 200, "application/json", "{\"object\":\"list\",\"data\":[{\"id\":\"other-model\",\"object\":\"model\"}]}");
        } else if (path.equals("/v1/completions")) {
            ex.getResponseHeaders().add("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < CHUNKS; i++) {
                    String finish = i == CHUNKS - 1 ? "\"length\"" : "null";
                    write(out, "{\"id\":\"c\",\"object\":\"text_completion\",\"model\":\"other-model\",\"choices\":[{\"index\":0,"
                            + "\"text\":\"x\",\"finish_reason\":" + finish + "}]}");
                    sleep(5);
                }
                write(out, "{\"id\":\"c\",\"object\":\"text_completion\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,"
                        + "\"completion_tokens\":" + CHUNKS + ",\"total_tokens\":" + (CHUNKS + 3) + "}}");
                write(out, "[DONE]");
            }
        } else {
            send(ex, 404, "application/json", "{\"detail\":\"Not Found\"}");
        }
    }

    private static void write(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", type);
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

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
