package io.weightsync.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One streaming completion on a raw socket with a small receive window, read on its own thread at
 * full speed, one byte per pause (a reader too slow to keep up), or not at all until
 * {@link #drain()} (a reader that stopped): clients no OpenAI library would let a test be.
 */
final class RawStreamReader {

    /** A pause that means: read nothing until drained. */
    static final int STOPPED = -1;

    final String name;
    private final Socket socket;
    private final Thread thread;
    private final StringBuilder seen = new StringBuilder();
    /** Milliseconds between two one-byte reads; 0 reads at full speed. */
    private volatile int pauseMillis;
    private volatile boolean ended;

    private RawStreamReader(String name, Socket socket, int pauseMillis) {
        this.name = name;
        this.socket = socket;
        this.pauseMillis = pauseMillis;
        this.thread = new Thread(this::read, name);
        thread.setDaemon(true);
    }

    /**
     * Sends a streaming completion of {@code maxTokens} (EOS ignored) and starts reading it.
     *
     * @param pauseMillis between two one-byte reads; 0 reads at full speed, {@link #STOPPED} not at all
     */
    static RawStreamReader start(ServerFixture f, String name, int maxTokens, int pauseMillis) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096); // before connect, so the window stays small
        socket.connect(new InetSocketAddress("127.0.0.1", f.server.port()), 5000);
        socket.setSoTimeout(30_000);
        byte[] body = ("{\"prompt\":\"" + name + "\",\"max_tokens\":" + maxTokens
                + ",\"stream\":true,\"ignore_eos\":true}").getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(RawHttp.postJson("/v1/completions", body));
        RawStreamReader reader = new RawStreamReader(name, socket, pauseMillis);
        reader.thread.start();
        return reader;
    }

    private void read() {
        byte[] buffer = new byte[8192];
        try {
            InputStream in = socket.getInputStream();
            for (int n = 0; n >= 0; ) {
                int pause = pauseMillis;
                if (pause != 0) {
                    try {
                        Thread.sleep(pause == STOPPED ? Long.MAX_VALUE : pause);
                    } catch (InterruptedException drained) {
                        continue; // pauseMillis is 0 from now on
                    }
                }
                n = in.read(buffer, 0, pause > 0 ? 1 : buffer.length);
                if (n > 0) {
                    synchronized (seen) {
                        seen.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                    }
                }
            }
        } catch (IOException e) {
            // reset by the server or cut by the test: the end of this stream either way
        } finally {
            ended = true;
        }
    }

    /** Reads the rest at full speed and waits for the stream to end. */
    void drain() throws InterruptedException, IOException {
        pauseMillis = 0;
        thread.interrupt(); // out of its pause; a read in progress is not interrupted and goes on
        thread.join(30_000);
        assertThat(ended).as("%s ended within 30 s of reading again", name).isTrue();
        socket.close();
    }

    /** Closes with a reset, as a killed client would. */
    void cut() throws IOException, InterruptedException {
        socket.setSoLinger(true, 0);
        socket.close();
        thread.join(10_000);
    }

    boolean sawDone() {
        synchronized (seen) {
            return seen.indexOf("data: [DONE]") >= 0;
        }
    }

    int tokenChunks() {
        synchronized (seen) {
            int count = 0;
            for (int i = seen.indexOf("\"finish_reason\":null"); i >= 0;
                    i = seen.indexOf("\"finish_reason\":null", i + 1)) {
                count++;
            }
            return count;
        }
    }
}
