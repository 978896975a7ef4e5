package io.weightsync.server.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a bare socket, for requests no well-behaved client would send (broken framing, bad
 * methods, overlong headers) and for clients that misbehave on purpose (abrupt resets, slow reads).
 */
final class RawHttp {

    private RawHttp() {}

    /** What came back for one request. */
    record Answer(Outcome outcome, int status, Map<String, String> headers, String body, long millis) {

        boolean isJsonError() {
            return headers.getOrDefault("content-type", "").startsWith("application/json") && body.contains("\"error\"");
        }

        @Override
        public String toString() {
            return outcome == Outcome.ANSWERED ? status + " " + body : outcome.toString();
        }
    }

    enum Outcome {
        /** A whole response: status line, headers and a body framed by Content-Length, chunks or EOF. */
        ANSWERED,
        /** The server closed (or reset) the connection before a status line arrived. */
        CLOSED_WITHOUT_ANSWER,
        /** Nothing decisive within the timeout: the server hung on this request. */
        TIMED_OUT
    }

    /** A request line, headers (Host and Connection: close added) and a body, as raw bytes. */
    static byte[] request(String method, String target, byte[] body, String... headers) {
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1\r\nConnection: close\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        head.append("\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = Arrays.copyOf(h, h.length + body.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    /** A POST with a JSON body and a correct Content-Length. */
    static byte[] postJson(String path, byte[] body) {
        return request("POST", path, body, "Content-Type", "application/json", "Content-Length",
                String.valueOf(body.length));
    }

    /**
     * Sends {@code bytes} on a fresh connection and reads one response.
     *
     * @param halfClose shut the write side after sending: how a client says "that was all" when the
     *     framing it sent promised more
     */
    static Answer exchange(int port, byte[] bytes, boolean halfClose, int timeoutMillis) throws IOException {
        long startNanos = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            try {
                socket.getOutputStream().write(bytes);
                socket.getOutputStream().flush();
                if (halfClose) {
                    socket.shutdownOutput();
                }
            } catch (SocketException e) {
                // the server may answer and close before it has read everything (e.g. an overlong
                // header); what it answered is still readable
            }
            return read(new BufferedInputStream(socket.getInputStream()), startNanos);
        }
    }

    private static Answer read(InputStream in, long startNanos) throws IOException {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        try {
            String statusLine = line(in, seen);
            if (statusLine == null) {
                return answer(Outcome.CLOSED_WITHOUT_ANSWER, 0, Map.of(), "", startNanos);
            }
            // the protocol is not checked: a server may echo a request's odd one ("FOO/1.1 501 ...")
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[1].matches("\\d{3}")) {
                throw new IOException("not an HTTP status line: '" + statusLine + "'");
            }
            int status = Integer.parseInt(parts[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h; (h = line(in, seen)) != null && !h.isEmpty(); ) {
                int colon = h.indexOf(':');
                headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
            }
            byte[] body;
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                body = chunked(in, seen);
            } else if (headers.containsKey("content-length")) {
                body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
            } else {
                body = in.readAllBytes();
            }
            return answer(Outcome.ANSWERED, status, headers, new String(body, StandardCharsets.UTF_8), startNanos);
        } catch (SocketTimeoutException e) {
            return answer(Outcome.TIMED_OUT, 0, Map.of(), "", startNanos);
        } catch (SocketException reset) {
            if (seen.size() == 0) {
                return answer(Outcome.CLOSED_WITHOUT_ANSWER, 0, Map.of(), "", startNanos);
            }
            throw new IOException("connection reset mid-response after '" + seen + "'", reset);
        }
    }

    private static byte[] chunked(InputStream in, ByteArrayOutputStream seen) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (String size; (size = line(in, seen)) != null; ) {
            int n = Integer.parseInt(size.split(";")[0].trim(), 16);
            if (n == 0) {
                line(in, seen); // the empty line after the last chunk
                break;
            }
            body.write(in.readNBytes(n));
            line(in, seen);
        }
        return body.toByteArray();
    }

    /** One CRLF-terminated line without its terminator; null at end of stream. */
    private static String line(InputStream in, ByteArrayOutputStream seen) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) >= 0; ) {
            seen.write(b);
            if (b == '\n') {
                String s = line.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    private static Answer answer(Outcome outcome, int status, Map<String, String> headers, String body,
            long startNanos) {
        return new Answer(outcome, status, headers, body, (System.nanoTime() - startNanos) / 1_000_000);
    }
}
