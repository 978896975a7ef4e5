package io.weightsync.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Requests a client should never send, generated from three valid bodies (a completion, a chat
 * completion, a no-op weight update) by systematic damage: every field dropped and set to every
 * wrong JSON type, numbers out of range, the JSON cut at every third byte, invalid UTF-8, deep
 * nesting, duplicate keys; then broken framing and headers, unknown and traversing paths, bad
 * methods and request lines.
 *
 * <p>Each case states what the server must do. Most are client mistakes ({@link Expect#CLIENT_ERROR}).
 * Some damage leaves a valid request (a dropped optional field, a last duplicate key that is
 * valid, an unknown field): those must be served ({@link Expect#ACCEPTED}), which shows the corpus
 * is not refused wholesale.
 */
final class MalformedCorpus {

    enum Expect {
        /** A 4xx with an OpenAI-style JSON error whose code is the status. */
        CLIENT_ERROR,
        /** A 4xx without a body: the answer to HEAD, which HTTP forbids to carry one. */
        CLIENT_ERROR_HEAD,
        /**
         * A 4xx JSON error, or the connection closed without an answer. For a request that is
         * incomplete when the client closes its side (its Content-Length or chunks promised more):
         * RFC 9112 section 8 lets the server just close. And for a chunk size that is not hex, where
         * HTTP would allow a 400 but Vert.x closes the connection on Netty's decoding error before
         * any handler can answer.
         */
        CLIENT_ERROR_OR_CLOSE,
        /** A valid request after all: a 2xx. */
        ACCEPTED
    }

    /** One request: raw bytes for a fresh connection, and what must come back. */
    record Case(String name, byte[] bytes, Expect expect, boolean halfClose) {

        @Override
        public String toString() {
            return name;
        }
    }

    /** The JSON types a field may be set to. */
    private enum Kind { NULL, STRING, INTEGER, FLOAT, BOOLEAN, ARRAY, OBJECT }

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final List<Case> cases = new ArrayList<>();

    private MalformedCorpus() {}

    /** @param liveWeightDir the folder the server serves now, so a valid weight update is a no-op */
    static List<Case> generate(String liveWeightDir) {
        MalformedCorpus c = new MalformedCorpus();
        c.completionFields();
        c.completionRanges();
        c.chatFields();
        c.updateWeightsFields(liveWeightDir);
        c.truncations(liveWeightDir);
        c.encodingAndStructure();
        c.framingAndHeaders();
        c.pathsAndMethods();
        return List.copyOf(c.cases);
    }

    /** A completion every field of which the server honours; greedy and short, so accepted variants are cheap. */
    static ObjectNode validCompletion() {
        ObjectNode b = NODES.objectNode();
        b.put("model", "tiny");
        b.put("prompt", "hello");
        b.put("max_tokens", 4);
        b.put("temperature", 0);
        b.put("top_p", 1);
        b.put("top_k", -1);
        b.put("seed", 7);
        b.putArray("stop").add("\n\n");
        b.put("stream", false);
        b.put("ignore_eos", true);
        b.put("n", 1);
        return b;
    }

    static ObjectNode validChat() {
        ObjectNode b = NODES.objectNode();
        b.put("model", "tiny");
        b.putArray("messages").addObject().put("role", "user").put("content", "hi");
        b.put("max_tokens", 4);
        b.put("temperature", 0);
        b.put("stream", false);
        return b;
    }

    // ---- bodies: each field dropped, and set to each JSON type that is not its own

    /**
     * Per field of the completion body: whether dropping it is fine, and the wrong types it
     * accepts after all (null means "absent" for an optional field; "stop" may be one string or an
     * empty list). Every other type is a 400 naming the field; "model" set to an unknown name is a 404.
     */
    private void completionFields() {
        Map<String, Set<Kind>> acceptedKinds = Map.ofEntries(
                Map.entry("model", EnumSet.of(Kind.NULL)),
                Map.entry("prompt", EnumSet.noneOf(Kind.class)),
                Map.entry("max_tokens", EnumSet.of(Kind.NULL)),
                Map.entry("temperature", EnumSet.of(Kind.NULL)),
                Map.entry("top_p", EnumSet.of(Kind.NULL)),
                Map.entry("top_k", EnumSet.of(Kind.NULL)),
                Map.entry("seed", EnumSet.of(Kind.NULL)),
                Map.entry("stop", EnumSet.of(Kind.NULL, Kind.STRING, Kind.ARRAY)),
                Map.entry("stream", EnumSet.of(Kind.NULL)),
                Map.entry("ignore_eos", EnumSet.of(Kind.NULL)),
                Map.entry("n", EnumSet.of(Kind.NULL)));
        mutateFields("/v1/completions", validCompletion(), acceptedKinds, Set.of("prompt"));
    }

    private void chatFields() {
        Map<String, Set<Kind>> acceptedKinds = Map.of(
                "model", EnumSet.of(Kind.NULL),
                "messages", EnumSet.noneOf(Kind.class),
                "max_tokens", EnumSet.of(Kind.NULL),
                "temperature", EnumSet.of(Kind.NULL),
                "stream", EnumSet.of(Kind.NULL));
        mutateFields("/v1/chat/completions", validChat(), acceptedKinds, Set.of("messages"));
        // one message at a time: what a chat message may and may not be
        String[][] messages = {
                {"[]", "CLIENT_ERROR"},
                {"[{\"content\":\"x\"}]", "CLIENT_ERROR"},
                {"[{\"role\":5,\"content\":\"x\"}]", "CLIENT_ERROR"},
                {"[{\"role\":\"\",\"content\":\"x\"}]", "CLIENT_ERROR"},
                {"[{\"role\":\"user\",\"content\":5}]", "CLIENT_ERROR"},
                {"[{\"role\":\"user\",\"content\":{}}]", "CLIENT_ERROR"},
                {"[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{}}]}]", "CLIENT_ERROR"},
                {"[{\"role\":\"user\",\"content\":[{\"type\":\"text\"}]}]", "CLIENT_ERROR"},
                {"[\"hi\"]", "CLIENT_ERROR"},
                {"[null]", "CLIENT_ERROR"},
                {"[[]]", "CLIENT_ERROR"},
                {"[{\"role\":\"alien\",\"content\":\"x\"}]", "CLIENT_ERROR"},
                // content is required except from the assistant (OpenAI: it may carry tool calls instead)
                {"[{\"role\":\"user\"}]", "CLIENT_ERROR"},
                {"[{\"role\":\"user\",\"content\":\"x\",\"name\":5}]", "CLIENT_ERROR"},
                {"[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"assistant\"}]", "ACCEPTED"},
                // unknown keys are ignored (as vLLM does); name is OpenAI's own
                {"[{\"role\":\"user\",\"content\":\"x\",\"name\":\"bob\",\"extra\":1}]", "ACCEPTED"},
        };
        for (String[] m : messages) {
            body("chat messages " + m[0], "/v1/chat/completions",
                    "{\"messages\":" + m[0] + ",\"max_tokens\":4,\"temperature\":0}", Expect.valueOf(m[1]));
        }
    }

    private void updateWeightsFields(String liveWeightDir) {
        ObjectNode valid = NODES.objectNode().put("weight_dir", liveWeightDir);
        mutateFields("/update_weights", valid, Map.of("weight_dir", EnumSet.noneOf(Kind.class)), Set.of("weight_dir"));
        String[] badDirs = {"", " ", "../step_0", liveWeightDir + "/../step_0", "/etc/passwd", "/dev/null",
                "step_0", "/no/such/step_9", "nul\u0000byte", "/" + "d".repeat(5000)};
        for (String dir : badDirs) {
            body("update_weights weight_dir '" + abbreviate(dir) + "'", "/update_weights",
                    NODES.objectNode().put("weight_dir", dir).toString(), Expect.CLIENT_ERROR);
        }
        body("update_weights of a folder that is no checkpoint", "/update_weights",
                NODES.objectNode().put("weight_dir", Path.of(liveWeightDir).getParent().toString()).toString(),
                Expect.CLIENT_ERROR);
        body("update_weights body [dir]", "/update_weights", "[\"" + liveWeightDir + "\"]", Expect.CLIENT_ERROR);
        body("update_weights with an unknown field", "/update_weights",
                valid.deepCopy().put("extra", true).toString(), Expect.ACCEPTED);
        body("reload_weights body [1]", "/reload_weights", "[1]", Expect.CLIENT_ERROR);
        body("reload_weights body {bad", "/reload_weights", "{bad", Expect.CLIENT_ERROR);
        // only modes that cannot parse: a valid one would pause the engine under the good streams
        for (String mode : new String[] {"sideways", "", "abortx", "%zz", "abort%00", "ab%20ort"}) {
            cases.add(new Case("pause mode '" + mode + "'", RawHttp.request("POST", "/pause?mode=" + mode, new byte[0],
                    "Content-Length", "0"), Expect.CLIENT_ERROR, false));
        }
    }

    /**
     * Drops each field of {@code valid}, and sets it to each JSON type other than its own.
     *
     * @param acceptedKinds per field, the wrong types the server accepts after all
     * @param required fields whose absence is a 400
     */
    private void mutateFields(String path, ObjectNode valid, Map<String, Set<Kind>> acceptedKinds, Set<String> required) {
        body(path + " valid", path, valid.toString(), Expect.ACCEPTED);
        for (String field : acceptedKinds.keySet()) {
            ObjectNode dropped = valid.deepCopy();
            dropped.remove(field);
            body(path + " without " + field, path, dropped.toString(),
                    required.contains(field) ? Expect.CLIENT_ERROR : Expect.ACCEPTED);
            Kind own = kindOf(valid.get(field));
            for (Kind kind : Kind.values()) {
                if (kind == own || (own == Kind.INTEGER && kind == Kind.FLOAT && isNumberField(field))) {
                    continue; // not a wrong type (a float temperature or top_p is their own type)
                }
                ObjectNode mutated = valid.deepCopy();
                mutated.set(field, sample(kind));
                body(path + " " + field + "=" + sample(kind), path, mutated.toString(),
                        acceptedKinds.get(field).contains(kind) ? Expect.ACCEPTED : Expect.CLIENT_ERROR);
            }
        }
    }

    private static boolean isNumberField(String field) {
        return field.equals("temperature") || field.equals("top_p");
    }

    private static Kind kindOf(JsonNode node) {
        if (node.isNull()) {
            return Kind.NULL;
        } else if (node.isTextual()) {
            return Kind.STRING;
        } else if (node.isIntegralNumber()) {
            return Kind.INTEGER;
        } else if (node.isNumber()) {
            return Kind.FLOAT;
        } else if (node.isBoolean()) {
            return Kind.BOOLEAN;
        } else if (node.isArray()) {
            return Kind.ARRAY;
        }
        return Kind.OBJECT;
    }

    /** A value of {@code kind} that is not valid for any field of that other type. */
    private static JsonNode sample(Kind kind) {
        return switch (kind) {
            case NULL -> NODES.nullNode();
            case STRING -> NODES.textNode("x");
            case INTEGER -> NODES.numberNode(7);
            case FLOAT -> NODES.numberNode(2.5);
            case BOOLEAN -> NODES.booleanNode(true);
            case ARRAY -> NODES.arrayNode();
            case OBJECT -> NODES.objectNode();
        };
    }

    // ---- numbers: negative, zero, huge, beyond the JSON parser's limits

    private void completionRanges() {
        String[][] ranges = {
                // field, raw JSON value, expectation
                {"max_tokens", "-1", "CLIENT_ERROR"}, {"max_tokens", "0", "CLIENT_ERROR"},
                {"max_tokens", "251", "CLIENT_ERROR"}, // 6 prompt tokens + 251 > max context 256
                {"max_tokens", "2147483647", "CLIENT_ERROR"}, {"max_tokens", "2147483648", "CLIENT_ERROR"},
                {"max_tokens", "-2147483649", "CLIENT_ERROR"}, {"max_tokens", "1e308", "CLIENT_ERROR"},
                {"max_tokens", "99999999999999999999999999", "CLIENT_ERROR"},
                {"max_tokens", "1" + "0".repeat(5000), "CLIENT_ERROR"}, // longer than Jackson's number limit
                {"temperature", "-1", "CLIENT_ERROR"}, {"temperature", "-1e-9", "CLIENT_ERROR"},
                {"temperature", "1e400", "CLIENT_ERROR"}, // parses to Infinity
                {"temperature", "-1e308", "CLIENT_ERROR"},
                {"temperature", "1e308", "ACCEPTED"}, // finite and >= 0: sampling from a flat distribution
                {"temperature", "0.0", "ACCEPTED"},
                {"top_p", "0", "CLIENT_ERROR"}, {"top_p", "-0.5", "CLIENT_ERROR"}, {"top_p", "1.0000001", "CLIENT_ERROR"},
                {"top_p", "1e308", "CLIENT_ERROR"}, {"top_p", "0.5", "ACCEPTED"},
                {"top_k", "-2", "CLIENT_ERROR"}, {"top_k", "2147483648", "CLIENT_ERROR"}, {"top_k", "1.5", "CLIENT_ERROR"},
                {"top_k", "0", "ACCEPTED"}, {"top_k", "100000", "ACCEPTED"},
                {"seed", "9223372036854775808", "CLIENT_ERROR"}, {"seed", "1e30", "CLIENT_ERROR"},
                {"seed", "-1", "ACCEPTED"}, {"seed", "9223372036854775807", "ACCEPTED"},
                {"n", "0", "CLIENT_ERROR"}, {"n", "2", "CLIENT_ERROR"}, {"n", "-1", "CLIENT_ERROR"},
                {"prompt", "[]", "CLIENT_ERROR"}, {"prompt", "[256, -1]", "CLIENT_ERROR"},
                {"prompt", "[256, 258]", "CLIENT_ERROR"}, {"prompt", "[256, 2147483648]", "CLIENT_ERROR"},
                {"prompt", "[256, 1.5]", "CLIENT_ERROR"}, {"prompt", "[\"a\", \"b\"]", "CLIENT_ERROR"},
                {"prompt", "[\"\"]", "CLIENT_ERROR"}, {"prompt", "\"\"", "CLIENT_ERROR"},
                {"prompt", "\"" + "a".repeat(300) + "\"", "CLIENT_ERROR"}, // over the context
                {"prompt", "[256, 104, 105]", "ACCEPTED"}, {"prompt", "[\"hello\"]", "ACCEPTED"},
                {"stop", "[\"\"]", "CLIENT_ERROR"}, {"stop", "\"\"", "CLIENT_ERROR"},
                {"stream_options", "{\"include_usage\":true}", "CLIENT_ERROR"}, // without stream: true
                {"stream_options", "5", "CLIENT_ERROR"},
                {"model", "\"gpt-4\"", "CLIENT_ERROR"}, {"model", "\"\"", "CLIENT_ERROR"},
        };
        for (String[] r : ranges) {
            String json = validCompletion().toString();
            String body = json.contains("\"" + r[0] + "\":")
                    ? replaceValue(json, r[0], r[1])
                    : json.substring(0, json.length() - 1) + ",\"" + r[0] + "\":" + r[1] + "}";
            body("/v1/completions " + r[0] + "=" + abbreviate(r[1]), "/v1/completions", body, Expect.valueOf(r[2]));
        }
        // duplicate keys: the last one wins, as with Python's json module (vLLM)
        body("duplicate prompt, both valid", "/v1/completions", "{\"prompt\":\"a\",\"prompt\":\"b\",\"max_tokens\":2}",
                Expect.ACCEPTED);
        body("duplicate max_tokens, last invalid", "/v1/completions",
                "{\"prompt\":\"a\",\"max_tokens\":2,\"max_tokens\":-1}", Expect.CLIENT_ERROR);
        body("duplicate max_tokens, last valid", "/v1/completions",
                "{\"prompt\":\"a\",\"max_tokens\":-1,\"max_tokens\":2}", Expect.ACCEPTED);
        body("duplicate prompt, last wrong type", "/v1/completions", "{\"prompt\":\"a\",\"prompt\":5}",
                Expect.CLIENT_ERROR);
        body("unknown field", "/v1/completions", "{\"prompt\":\"a\",\"max_tokens\":2,\"frobnicate\":true}",
                Expect.ACCEPTED);
    }

    /** {@code "field":<old value>} in a flat body replaced by {@code "field":<raw>}. */
    private static String replaceValue(String json, String field, String raw) {
        ObjectNode b;
        try {
            b = (ObjectNode) ServerFixture.JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        String old = b.get(field).toString();
        return json.replace("\"" + field + "\":" + old, "\"" + field + "\":" + raw);
    }

    // ---- JSON cut short: every third byte of each valid body

    private void truncations(String liveWeightDir) {
        Map<String, String> valid = Map.of(
                "/v1/completions", validCompletion().toString(),
                "/v1/chat/completions", validChat().toString(),
                "/update_weights", NODES.objectNode().put("weight_dir", liveWeightDir).toString());
        for (Map.Entry<String, String> e : valid.entrySet()) {
            byte[] bytes = e.getValue().getBytes(StandardCharsets.UTF_8);
            for (int length = 0; length < bytes.length; length += 3) {
                body(e.getKey() + " cut at byte " + length + " of " + bytes.length, e.getKey(),
                        Arrays.copyOf(bytes, length), Expect.CLIENT_ERROR);
            }
        }
    }

    // ---- bytes that are not UTF-8, structure that is not sane

    private void encodingAndStructure() {
        byte[][] invalidUtf8 = {
                {(byte) 0xC3, 0x28}, // a lead byte without its continuation
                {(byte) 0xA0, (byte) 0xA1}, // continuation bytes without a lead
                {(byte) 0xE2, 0x28, (byte) 0xA1}, {(byte) 0xF0, 0x28, (byte) 0x8C, (byte) 0xBC},
                {(byte) 0xFF}, {(byte) 0xFE, (byte) 0xFF},
                {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, // 5-byte form, never valid
        };
        for (byte[] bad : invalidUtf8) {
            byte[] body = concat("{\"prompt\":\"a".getBytes(StandardCharsets.UTF_8), bad,
                    "b\",\"max_tokens\":2}".getBytes(StandardCharsets.UTF_8));
            body("prompt with invalid UTF-8 " + hex(bad), "/v1/completions", body, Expect.CLIENT_ERROR);
        }
        // JSON in UTF-16 is still JSON (RFC 4627 allowed it; RFC 8259 lets parsers accept it): Jackson
        // detects it from the first bytes
        body("body in UTF-16", "/v1/completions", "{\"prompt\":\"a\",\"max_tokens\":2}".getBytes(StandardCharsets.UTF_16LE),
                Expect.ACCEPTED);
        body("binary body", "/v1/completions", new byte[] {0, 1, 2, 3, (byte) 0x89, 'P', 'N', 'G'}, Expect.CLIENT_ERROR);
        body("JSON then garbage", "/v1/completions", "{\"prompt\":\"a\",\"max_tokens\":2} trailing", Expect.CLIENT_ERROR);
        body("two JSON objects", "/v1/completions", "{\"prompt\":\"a\"}{\"prompt\":\"b\"}", Expect.CLIENT_ERROR);
        body("JSON string", "/v1/completions", "\"prompt\"", Expect.CLIENT_ERROR);
        body("JSON null", "/v1/completions", "null", Expect.CLIENT_ERROR);
        body("JSON number", "/v1/completions", "42", Expect.CLIENT_ERROR);
        body("single-quoted JSON", "/v1/completions", "{'prompt':'a'}", Expect.CLIENT_ERROR);
        body("JSON with a comment", "/v1/completions", "{\"prompt\":\"a\" /* hi */}", Expect.CLIENT_ERROR);
        body("JSON with NaN", "/v1/completions", "{\"prompt\":\"a\",\"temperature\":NaN}", Expect.CLIENT_ERROR);
        body("control character in a string", "/v1/completions", "{\"prompt\":\"a\u0001b\"}", Expect.CLIENT_ERROR);
        int deep = 100_000;
        body("array nested " + deep + " deep", "/v1/completions", "[".repeat(deep) + "]".repeat(deep), Expect.CLIENT_ERROR);
        body("object nested " + deep + " deep", "/v1/completions", "{\"a\":".repeat(deep) + "1" + "}".repeat(deep),
                Expect.CLIENT_ERROR);
        body("stop nested " + deep + " deep", "/v1/completions",
                "{\"prompt\":\"a\",\"stop\":" + "[".repeat(deep) + "]".repeat(deep) + "}", Expect.CLIENT_ERROR);
        body("stop nested 100 deep", "/v1/completions",
                "{\"prompt\":\"a\",\"stop\":" + "[".repeat(100) + "]".repeat(100) + "}", Expect.CLIENT_ERROR);
        body("unknown field nested 100 deep", "/v1/completions",
                "{\"prompt\":\"a\",\"max_tokens\":2,\"extra\":" + "[".repeat(100) + "]".repeat(100) + "}", Expect.ACCEPTED);
        body("body over the size limit", "/v1/completions", "{\"prompt\":\"" + "a".repeat(2 << 20) + "\"}",
                Expect.CLIENT_ERROR);
    }

    // ---- framing and headers

    private void framingAndHeaders() {
        byte[] valid = "{\"prompt\":\"a\",\"max_tokens\":2}".getBytes(StandardCharsets.UTF_8);
        String length = String.valueOf(valid.length);
        raw("Content-Length larger than the body, then the client stops sending", RawHttp.request("POST",
                "/v1/completions", valid, "Content-Type", "application/json", "Content-Length",
                String.valueOf(valid.length + 10)), Expect.CLIENT_ERROR_OR_CLOSE, true);
        raw("Content-Length shorter than the body", RawHttp.request("POST", "/v1/completions", valid,
                "Content-Type", "application/json", "Content-Length", String.valueOf(valid.length - 5)),
                Expect.CLIENT_ERROR, false);
        raw("Content-Length not a number", RawHttp.request("POST", "/v1/completions", valid,
                "Content-Length", "abc"), Expect.CLIENT_ERROR, false);
        raw("Content-Length negative", RawHttp.request("POST", "/v1/completions", valid,
                "Content-Length", "-5"), Expect.CLIENT_ERROR, false);
        raw("two Content-Lengths that differ", RawHttp.request("POST", "/v1/completions", valid,
                "Content-Length", length, "Content-Length", "3"), Expect.CLIENT_ERROR, false);
        raw("no Content-Length and no body", RawHttp.request("POST", "/v1/completions", new byte[0]),
                Expect.CLIENT_ERROR, false);
        raw("chunked body with a chunk size that is not hex", RawHttp.request("POST", "/v1/completions",
                ("zz\r\n" + new String(valid, StandardCharsets.UTF_8) + "\r\n0\r\n\r\n").getBytes(StandardCharsets.UTF_8),
                "Transfer-Encoding", "chunked"), Expect.CLIENT_ERROR_OR_CLOSE, true);
        raw("chunked body cut short", RawHttp.request("POST", "/v1/completions",
                ("40\r\n" + new String(valid, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8),
                "Transfer-Encoding", "chunked"), Expect.CLIENT_ERROR_OR_CLOSE, true);
        // RFC 9112 6.3: the body's length is unknown, so 400 at once, without waiting for the body to end
        raw("Transfer-Encoding gzip", RawHttp.request("POST", "/v1/completions", valid,
                "Transfer-Encoding", "gzip", "Content-Length", length), Expect.CLIENT_ERROR, false);
        raw("Transfer-Encoding chunked, gzip", RawHttp.request("POST", "/v1/completions", valid,
                "Transfer-Encoding", "chunked, gzip"), Expect.CLIENT_ERROR, false);
        // multipart is taken at its word: the body is parsed as form parts, which leaves no JSON
        raw("Content-Type multipart/form-data", RawHttp.request("POST", "/v1/completions", valid, "Content-Type",
                "multipart/form-data; boundary=zzz", "Content-Length", length), Expect.CLIENT_ERROR, false);
        for (String type : new String[] {"text/plain", "application/xml", "application/x-www-form-urlencoded",
                "application/json; charset=utf-16", "*/*", "nonsense"}) {
            // the body is read as JSON whatever the Content-Type, as curl -d sends it form-encoded
            raw("Content-Type " + type, RawHttp.request("POST", "/v1/completions", valid, "Content-Type", type,
                    "Content-Length", length), Expect.ACCEPTED, false);
        }
        raw("header value of 16 KiB", RawHttp.request("POST", "/v1/completions", valid, "Content-Length", length,
                "X-Padding", "p".repeat(16 * 1024)), Expect.CLIENT_ERROR, false);
        String[] many = new String[2 * 1000];
        for (int i = 0; i < 1000; i++) {
            many[2 * i] = "X-H" + i;
            many[2 * i + 1] = "v".repeat(16);
        }
        raw("a thousand headers", RawHttp.request("POST", "/v1/completions", valid, concat(many,
                new String[] {"Content-Length", length})), Expect.CLIENT_ERROR, false);
        raw("header name with a space", RawHttp.request("POST", "/v1/completions", valid, "Content-Length", length,
                "Bad Header", "x"), Expect.CLIENT_ERROR, false);
        raw("header line without a colon", withExtraHeaderLine(valid, "NoColonHere"), Expect.CLIENT_ERROR, false);
        raw("malformed X-Trace-Id", RawHttp.request("POST", "/v1/completions", valid, "Content-Length", length,
                "X-Trace-Id", "not-hex-at-all"), Expect.ACCEPTED, false);
    }

    private static byte[] withExtraHeaderLine(byte[] body, String line) {
        String head = "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + line
                + "\r\nContent-Length: " + body.length + "\r\n\r\n";
        return concat(head.getBytes(StandardCharsets.ISO_8859_1), body);
    }

    // ---- paths, methods, request lines

    private void pathsAndMethods() {
        byte[] valid = "{\"prompt\":\"a\",\"max_tokens\":2}".getBytes(StandardCharsets.UTF_8);
        for (String path : new String[] {"/v1/completion", "/v1", "/", "/V1/COMPLETIONS", "/v2/completions",
                "/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/v1/completions/../../etc/passwd",
                "/v1/completions%00", "/v1/%zz", "/%ff%fe", "/v1/completions;jsessionid=1", "/" + "a".repeat(3000)}) {
            raw("POST " + abbreviate(path), RawHttp.postJson(path, valid), Expect.CLIENT_ERROR, false);
        }
        // dot segments are resolved before routing (RFC 3986 5.2.4): these name the real endpoint
        raw("POST /v1/models/../completions", RawHttp.postJson("/v1/models/../completions", valid), Expect.ACCEPTED, false);
        raw("POST absolute-form URI", RawHttp.postJson("http://elsewhere.example/v1/completions", valid),
                Expect.ACCEPTED, false);
        raw("POST with an unused query", RawHttp.postJson("/v1/completions?%zz=1&x", valid), Expect.ACCEPTED, false);
        raw("URI of 10 KB", RawHttp.postJson("/" + "u".repeat(10_000), valid), Expect.CLIENT_ERROR, false);
        for (String method : new String[] {"GET", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO", "post"}) {
            raw(method + " /v1/completions", RawHttp.request(method, "/v1/completions", valid,
                    "Content-Length", String.valueOf(valid.length)), Expect.CLIENT_ERROR, false);
        }
        raw("HEAD /v1/completions", RawHttp.request("HEAD", "/v1/completions", new byte[0]),
                Expect.CLIENT_ERROR_HEAD, false);
        raw("GET /update_weights", RawHttp.request("GET", "/update_weights", new byte[0]), Expect.CLIENT_ERROR, false);
        raw("method with a bad character", RawHttp.request("G@T", "/v1/models", new byte[0]), Expect.CLIENT_ERROR, false);
        raw("request line without a target", "GET\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                Expect.CLIENT_ERROR, false);
        for (String protocol : new String[] {"FOO/1.1", "HTTP/2.0", "HTTP/3.0"}) {
            raw("request line with protocol " + protocol, ("GET /v1/models " + protocol + "\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII), Expect.CLIENT_ERROR, false);
        }
        raw("TLS handshake on the plain port", new byte[] {0x16, 0x03, 0x01, 0x00, (byte) 0xA5, 0x01, 0x00, 0x00,
                (byte) 0xA1, 0x03, 0x03, '\r', '\n', '\r', '\n'}, Expect.CLIENT_ERROR, false);
        raw("control bytes in the target", "GET /v1/mo\u0001dels HTTP/1.1\r\nHost: x\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1), Expect.CLIENT_ERROR, false);
    }

    // ---- helpers

    private void body(String name, String path, String json, Expect expect) {
        body(name, path, json.getBytes(StandardCharsets.UTF_8), expect);
    }

    private void body(String name, String path, byte[] json, Expect expect) {
        cases.add(new Case(name, RawHttp.postJson(path, json), expect, false));
    }

    private void raw(String name, byte[] bytes, Expect expect, boolean halfClose) {
        cases.add(new Case(name, bytes, expect, halfClose));
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static String hex(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            s.append(String.format("%02X ", b));
        }
        return s.toString().trim();
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 30) + "...(" + s.length() + " chars)";
    }
}
