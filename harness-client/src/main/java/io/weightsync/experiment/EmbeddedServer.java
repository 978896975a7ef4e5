package io.weightsync.experiment;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * {@code ./harness serve} with the built-in model as a child process on a free loopback port: the
 * experiment's server when no {@code --base-url} is given. Its output goes to a log file (read
 * afterwards for server.recv / rpc.start / rpc.done); it is stopped by {@link #close()}, by the
 * parent's shutdown hook (Ctrl-C), and, should the parent die without one, by its own
 * {@code --stop-with-parent} watch.
 */
public final class EmbeddedServer implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("harness serve: .* on (http://\\S+) \\(");
    private static final int TAIL_LINES = 20;

    private final Process process;
    private final HttpUrl baseUrl;
    private final Path log;
    private final Thread hook;
    private volatile boolean closing;

    private EmbeddedServer(Process process, HttpUrl baseUrl, Path log, Thread hook) {
        this.process = process;
        this.baseUrl = baseUrl;
        this.log = log;
        this.hook = hook;
    }

    /**
     * Starts the server and waits until {@code /health} answers 200.
     *
     * @param serveArgs extra {@code serve} flags (e.g. {@code --update-mode overlap})
     * @param log where the server's stdout and stderr go
     * @throws IOException when it does not come up in {@code timeout}, with the last lines of its log
     */
    public static EmbeddedServer start(List<String> serveArgs, Path log, Duration timeout) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.add("-Dai.djl.offline=true");
        String opts = System.getenv("HARNESS_SERVER_JAVA_OPTS");
        if (opts != null && !opts.isBlank()) {
            command.addAll(List.of(opts.trim().split("\\s+")));
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.weightsync.cli.HarnessCli");
        command.add("serve");
        command.addAll(List.of("--host", "127.0.0.1", "--port", "0", "--stop-with-parent"));
        command.addAll(serveArgs);
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread hook = new Thread(() -> stop(process), "embedded-server-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        CompletableFuture<String> url = new CompletableFuture<>();
        Deque<String> tail = new ArrayDeque<>();
        Thread pump = new Thread(() -> pump(process, log, url, tail), "embedded-server-log");
        pump.setDaemon(true);
        pump.start();
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            HttpUrl base = HttpUrl.get(url.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
            awaitHealthy(base, deadline);
            return new EmbeddedServer(process, base, log, hook);
        } catch (TimeoutException | ExecutionException | IOException e) {
            stop(process);
            removeHook(hook);
            String why = e instanceof TimeoutException ? "did not come up within " + timeout.toSeconds() + " s"
                    : e instanceof ExecutionException ? e.getCause().getMessage() : e.getMessage();
            List<String> last = snapshot(tail);
            throw new IOException("embedded server " + why + "; see " + log
                    + (last.isEmpty() ? "" : " (last line: " + last.get(last.size() - 1).trim() + ")"));
        } catch (InterruptedException e) {
            stop(process);
            removeHook(hook);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the embedded server started");
        }
    }

    /**
     * Runs {@code action} with the exit status if the server exits before {@link #close()} asked it
     * to (killed, crashed).
     */
    public void whenItDies(java.util.function.IntConsumer action) {
        process.onExit().thenAccept(p -> {
            if (!closing) {
                action.accept(p.exitValue());
            }
        });
    }

    public HttpUrl baseUrl() {
        return baseUrl;
    }

    public Path log() {
        return log;
    }

    /** Stops the server (SIGTERM, then SIGKILL after 10 s) and waits for it to exit. */
    @Override
    public void close() {
        closing = true;
        stop(process);
        removeHook(hook);
    }

    private static void stop(Process process) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is exiting: the hook runs (or ran) anyway
        }
    }

    /** Copies the child's output to the log, finds the "listening" line, keeps the last lines for errors. */
    private static void pump(Process process, Path log, CompletableFuture<String> url, Deque<String> tail) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            for (String line; (line = in.readLine()) != null; ) {
                out.write(line);
                out.write('\n');
                out.flush();
                synchronized (tail) {
                    tail.addLast(line);
                    if (tail.size() > TAIL_LINES) {
                        tail.removeFirst();
                    }
                }
                Matcher m = LISTENING.matcher(line);
                if (!url.isDone() && m.find()) {
                    url.complete(m.group(1));
                }
            }
        } catch (IOException e) {
            url.completeExceptionally(new IOException("cannot copy the server's output to " + log + ": " + e.getMessage()));
            return;
        }
        url.completeExceptionally(new IOException("exited with status " + exitStatus(process) + " before listening"));
    }

    private static int exitStatus(Process process) {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static List<String> snapshot(Deque<String> tail) {
        synchronized (tail) {
            return new ArrayList<>(tail);
        }
    }

    private static void awaitHealthy(HttpUrl base, long deadlineNanos) throws IOException, InterruptedException {
        OkHttpClient client = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(5)).build();
        Request health = new Request.Builder().url(base.newBuilder().addPathSegment("health").build()).build();
        String last = "no answer";
        while (System.nanoTime() < deadlineNanos) {
            try (Response r = client.newCall(health).execute()) {
                if (r.code() == 200) {
                    return;
                }
                last = "/health answered " + r.code();
            } catch (IOException e) {
                last = e.getMessage();
            }
            Thread.sleep(100);
        }
        throw new IOException("not healthy in time (" + last + ")");
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
