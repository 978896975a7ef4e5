package io.weightsync.server.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One HTTP/1.1 request with a giant body over a plain socket, written by hand so the test controls
 * the framing (Content-Length or chunked) and sees what the server does while the body is still
 * arriving: when it answers, and whether it then closes the connection or keeps reading.
 *
 * @param status the response's status
 * @param response the status line, headers and body as received
 * @param millis from the first byte of the request to the end of the response
 * @param sentAtAnswer body bytes written when the response had arrived
 * @param sentInAll body bytes the server let the client write before it closed (or the whole body)
 * @param closedByServer whether the server closed the connection before the body was all sent
 * @param heapGrowthBytes live heap (after a full GC) when three quarters of the body had been sent,
 *     minus the same before the request; -1 when the server closed the connection before that. The
 *     server runs in this JVM, so a server that buffered the body would show it here.
 */
record RawExchange(int status, String response, long millis, long sentAtAnswer, long sentInAll,
        boolean closedByServer, long heapGrowthBytes) {

    private static final int CHUNK_BYTES = 64 * 1024;

    /**
     * Sends {@code bodyBytes} of body to {@code path} on loopback and keeps sending after the answer,
     * as a hostile client would, until the body is done or the server closes the connection.
     */
    static RawExchange push(int port, String path, boolean chunked, long bodyBytes, String... headers)
            throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            StringBuilder head = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/json\r\n");
            for (int i = 0; i < headers.length; i += 2) {
                head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
            }
            head.append(chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + bodyBytes + "\r\n");
            head.append("\r\n");
            long heapBefore = liveHeapBytes();
            long[] heapGrowth = {-1};
            long startNanos = System.nanoTime();
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            AtomicLong sent = new AtomicLong();
            CountDownLatch answered = new CountDownLatch(1);
            boolean[] closed = new boolean[1];
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[CHUNK_BYTES];
                Arrays.fill(chunk, (byte) ' '); // JSON whitespace: a valid prefix of a body that never ends
                byte[] chunkHead = (Integer.toHexString(CHUNK_BYTES) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                try {
                    while (sent.get() < bodyBytes) {
                        if (sent.get() == bodyBytes / 4 * 3) {
                            // after the answer (bounded), so the collection's pause does not delay it
                            answered.await(10, TimeUnit.SECONDS);
                            heapGrowth[0] = liveHeapBytes() - heapBefore;
                        }
                        if (chunked) {
                            out.write(chunkHead);
                        }
                        out.write(chunk);
                        if (chunked) {
                            out.write(new byte[] {'\r', '\n'});
                        }
                        sent.addAndGet(CHUNK_BYTES);
                    }
                    if (chunked) {
                        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    out.flush();
                } catch (IOException e) {
                    closed[0] = true; // reset or broken pipe: the server closed the connection
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "giant-body-writer");
            writer.setDaemon(true);
            writer.start();

            InputStream in = socket.getInputStream();
            String response = readResponse(in);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
            long sentAtAnswer = sent.get();
            answered.countDown();
            socket.setSoTimeout(1000);
            writer.join(10_000);
            boolean closedByServer = closed[0] || endsSoon(in);
            int status = Integer.parseInt(response.substring(9, 12));
            return new RawExchange(status, response, millis, sentAtAnswer, sent.get(), closedByServer, heapGrowth[0]);
        }
    }

    /** Heap still in use after a full collection (System.gc() is a full, stop-the-world GC by default). */
    private static long liveHeapBytes() {
        System.gc();
        java.lang.management.MemoryUsage heap = java.lang.management.ManagementFactory.getMemoryMXBean()
                .getHeapMemoryUsage();
        return heap.getUsed();
    }

    /** Status line, headers, and a Content-Length body. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before a response; got: " + head);
            }
            head.write(b);
        }
        String headers = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : headers.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        return headers + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /** Whether the server closes the connection within a second of the answer. */
    private static boolean endsSoon(InputStream in) throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }
}
