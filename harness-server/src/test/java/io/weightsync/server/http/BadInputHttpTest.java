package io.weightsync.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every client mistake is a 4xx with an OpenAI-style JSON error, and the server keeps serving. */
class BadInputHttpTest {

    @TempDir
    static Path root;
    static ServerFixture f;

    @BeforeAll
    static void start() throws Exception {
        f = new ServerFixture(root, 8, o -> o.withMaxBodyBytes(64 * 1024));
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            /v1/completions      | {not json                                        | 400 | malformed JSON
            /v1/completions      | [1,2]                                            | 400 | JSON object
            /v1/completions      | {"prompt":"x"} trailing                          | 400 | malformed JSON
            /v1/completions      | {"prompt":"x"}{"prompt":"y"}                     | 400 | malformed JSON
            /v1/completions      | ``                                               | 400 | body is required
            /v1/completions      | {}                                               | 400 | 'prompt' is required
            /v1/completions      | {"prompt":""}                                    | 400 | must not be empty
            /v1/completions      | {"prompt":5}                                     | 400 | 'prompt' must be
            /v1/completions      | {"prompt":["a","b"]}                             | 400 | batched prompts
            /v1/completions      | {"prompt":[1,99999]}                             | 400 | outside the vocabulary
            /v1/completions      | {"prompt":"x","max_tokens":"10"}                 | 400 | 'max_tokens' must be an integer
            /v1/completions      | {"prompt":"x","max_tokens":1.5}                  | 400 | 'max_tokens' must be an integer
            /v1/completions      | {"prompt":"x","max_tokens":-1}                   | 400 | max_tokens must be at least 1
            /v1/completions      | {"prompt":"x","max_tokens":0}                    | 400 | max_tokens must be at least 1
            /v1/completions      | {"prompt":"x","max_tokens":100000}               | 400 | maximum context length is 256
            /v1/completions      | {"prompt":"x","max_tokens":99999999999}          | 400 | out of range
            /v1/completions      | {"prompt":"x","temperature":"hot"}               | 400 | 'temperature' must be a number
            /v1/completions      | {"prompt":"x","temperature":-1}                  | 400 | temperature must be
            /v1/completions      | {"prompt":"x","top_p":0}                         | 400 | top_p must be in
            /v1/completions      | {"prompt":"x","seed":"abc"}                      | 400 | 'seed' must be
            /v1/completions      | {"prompt":"x","stream":"yes"}                    | 400 | 'stream' must be true or false
            /v1/completions      | {"prompt":"x","stop":[1]}                        | 400 | 'stop' must be
            /v1/completions      | {"prompt":"x","n":2}                             | 400 | 'n' must be 1
            /v1/completions      | {"prompt":"x","stream_options":{"include_usage":true}} | 400 | only allowed when 'stream' is true
            /v1/completions      | {"prompt":"x","model":"gpt-4"}                   | 404 | The model `gpt-4` does not exist.
            /v1/completions      | {"prompt":"x","model":7}                         | 400 | 'model' must be a string
            /v1/chat/completions | {"messages":[]}                                  | 400 | 'messages' must be a non-empty array
            /v1/chat/completions | {"prompt":"x"}                                   | 400 | 'messages' must be a non-empty array
            /v1/chat/completions | {"messages":[{"content":"x"}]}                   | 400 | string 'role'
            /v1/chat/completions | {"messages":[{"role":"user","content":5}]}       | 400 | content must be a string
            /update_weights      | {}                                               | 400 | 'weight_dir' is required
            /update_weights      | {"weight_dir":7}                                 | 400 | 'weight_dir' is required
            /update_weights      | {"weight_dir":""}                                | 400 | non-empty
            /update_weights      | {"weight_dir":"/no/such/step_3"}                 | 400 | does not exist
            /update_weights      | {"weight_dir":"/tmp/../etc"}                     | 400 | must not contain '..'
            /pause?mode=sideways | ``                                               | 400 | pause mode must be abort, wait or keep
            /v1/nothing          | {}                                               | 404 | no route for POST /v1/nothing
            """)
    void clientMistakeIsAnOpenAiStyleError(String path, String body, int status, String message) throws Exception {
        HttpResponse<String> r = f.post(path, body == null ? "" : body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode error = ServerFixture.json(r.body()).get("error");
        assertThat(error.get("message").asText()).contains(message);
        assertThat(error.get("type").asText()).isNotBlank();
        assertThat(error.get("code").asInt()).isEqualTo(status);
    }

    @Test
    void oversizedBodyIs413() throws Exception {
        HttpResponse<String> r = f.post("/v1/completions", "{\"prompt\":\"" + "a".repeat(100 * 1024) + "\"}");
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(ServerFixture.json(r.body()).get("error").get("message").asText()).contains("larger than 65536 bytes");
    }

    @Test
    void wrongMethodIs405() throws Exception {
        HttpResponse<String> r = f.get("/v1/completions");
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(ServerFixture.json(r.body()).get("error").get("code").asInt()).isEqualTo(405);
    }

    @Test
    void serverStillAnswersAfterBadRequests() throws Exception {
        f.post("/v1/completions", "{broken");
        HttpResponse<String> r = f.post("/v1/completions", "{\"prompt\":\"ok\",\"max_tokens\":2}");
        assertThat(r.statusCode()).isEqualTo(200);
        f.awaitEngineIdle(5);
    }
}
