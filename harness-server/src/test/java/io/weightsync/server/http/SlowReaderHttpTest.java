package io.weightsync.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A client that stops reading is disconnected once its stream is too far behind, and its slot freed. */
class SlowReaderHttpTest {

    @Test
    void readerThatStopsReadingIsDisconnectedAndItsSlotFreed(@TempDir Path root) throws Exception {
        try (ServerFixture f = new ServerFixture(root, 4, 2048, o -> o.withMaxPendingChunks(8));
                Socket socket = new Socket()) {
            socket.setReceiveBufferSize(2048); // before connect, so the window stays small
            socket.connect(new InetSocketAddress("127.0.0.1", f.server.port()), 5000);
            String body = "{\"prompt\":\"never read\",\"max_tokens\":2000,\"stream\":true,\"ignore_eos\":true}";
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!f.get("/metrics").body().contains("harness_slow_readers_disconnected_total 1.0")
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(f.get("/metrics").body()).contains("harness_slow_readers_disconnected_total 1.0");
            f.awaitEngineIdle(10);
            long generated = f.engine.stats().generatedTokens();
            assertThat(generated).as("cancelled long before max_tokens").isLessThan(2000);
            // what the client gets when it reads again: what was buffered, then the connection ends
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            long read = 0;
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    read += n;
                }
            } catch (java.net.SocketException reset) {
                // a reset is as good as an end
            }
            assertThat(read).isPositive();
        }
    }
}
