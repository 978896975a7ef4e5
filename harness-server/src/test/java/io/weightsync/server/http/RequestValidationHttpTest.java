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

/**
 * The request fields checked beyond their JSON type (docs/SERVER.md, "Request validation"): chat
 * messages' role, name and content, and the OpenAI/vLLM fields this server does not honour. Each
 * bad value is a 400 whose one-line message names the field; the neutral values still get a 200;
 * the server keeps serving. Real HTTP on loopback against the real server and model.
 */
class RequestValidationHttpTest {

    @TempDir
    static Path root;
    static ServerFixture f;

    @BeforeAll
    static void start() throws Exception {
        f = new ServerFixture(root, 8, o -> o);
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    private static final String CHAT = "/v1/chat/completions";
    private static final String TEXT = "/v1/completions";
    private static final String USER = "{\"role\":\"user\",\"content\":\"hi\"}";

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            /v1/chat/completions | {"messages":[{"role":"alien","content":"x"}]}                     | messages[0].role: 'alien' is not one of system, user, assistant, tool, developer
            /v1/chat/completions | {"messages":[{"role":"user","content":"x"},{"role":"alien","content":"y"}]} | messages[1].role: 'alien' is not one of system, user, assistant, tool, developer
            /v1/chat/completions | {"messages":[{"role":"User","content":"x"}]}                      | messages[0].role: 'User' is not one of
            /v1/chat/completions | {"messages":[{"role":"function","content":"x"}]}                  | messages[0].role: 'function' is not one of
            /v1/chat/completions | {"messages":[{"role":7,"content":"x"}]}                           | messages[0] must be an object with a string 'role'
            /v1/chat/completions | {"messages":["hi"]}                                              | messages[0] must be an object with a string 'role'
            /v1/chat/completions | {"messages":[{"role":"user"}]}                                    | messages[0].content is required for role 'user'
            /v1/chat/completions | {"messages":[{"role":"system","content":null}]}                  | messages[0].content is required for role 'system'
            /v1/chat/completions | {"messages":[{"role":"user","content":"x","name":5}]}            | messages[0].name: must be a string, got 5
            /v1/chat/completions | {"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]} | messages[0].content: only {"type":"text","text":...} parts are supported
            /v1/chat/completions | {"messages":[USER],"logprobs":true}                              | logprobs: true is not supported by this server
            /v1/chat/completions | {"messages":[USER],"logprobs":"yes"}                             | 'logprobs' must be true or false, got "yes"
            /v1/chat/completions | {"messages":[USER],"top_logprobs":3}                             | top_logprobs: 3 is not supported by this server
            /v1/chat/completions | {"messages":[USER],"top_logprobs":-1}                            | 'top_logprobs' must be >= 0, got -1
            /v1/chat/completions | {"messages":[USER],"tools":[{"type":"function","function":{"name":"f"}}]} | tools: 1 tools is not supported by this server
            /v1/chat/completions | {"messages":[USER],"tools":{}}                                   | tools: must be an array
            /v1/chat/completions | {"messages":[USER],"tool_choice":"auto"}                         | tool_choice: "auto" is not supported by this server
            /v1/chat/completions | {"messages":[USER],"response_format":{"type":"json_object"}}     | response_format.type: 'json_object' is not supported by this server
            /v1/chat/completions | {"messages":[USER],"response_format":"json"}                     | response_format: must be an object with a string 'type'
            /v1/chat/completions | {"messages":[USER],"presence_penalty":0.5}                       | presence_penalty: 0.5 is not supported by this server
            /v1/chat/completions | {"messages":[USER],"presence_penalty":3}                         | presence_penalty: must be in [-2, 2], got 3
            /v1/chat/completions | {"messages":[USER],"frequency_penalty":"high"}                   | 'frequency_penalty' must be a number, got "high"
            /v1/chat/completions | {"messages":[USER],"frequency_penalty":-0.1}                     | frequency_penalty: -0.1 is not supported by this server
            /v1/chat/completions | {"messages":[USER],"repetition_penalty":0}                       | repetition_penalty: must be > 0, got 0
            /v1/chat/completions | {"messages":[USER],"repetition_penalty":1.2}                     | repetition_penalty: 1.2 is not supported by this server
            /v1/chat/completions | {"messages":[USER],"min_p":1.5}                                  | min_p: must be in [0, 1], got 1.5
            /v1/chat/completions | {"messages":[USER],"min_p":0.1}                                  | min_p: 0.1 is not supported by this server
            /v1/chat/completions | {"messages":[USER],"min_tokens":4}                               | min_tokens: 4 is not supported by this server
            /v1/chat/completions | {"messages":[USER],"min_tokens":-4}                              | 'min_tokens' must be >= 0, got -4
            /v1/chat/completions | {"messages":[USER],"logit_bias":{"5":100}}                       | logit_bias: 1 entries is not supported by this server
            /v1/chat/completions | {"messages":[USER],"logit_bias":[5]}                             | logit_bias: must be an object
            /v1/chat/completions | {"messages":[USER],"user":42}                                    | user: must be a string, got 42
            /v1/chat/completions | {"messages":[USER],"n":3}                                        | 'n' must be 1
            /v1/chat/completions | {"messages":[USER],"max_completion_tokens":0}                    | max_tokens must be at least 1
            /v1/chat/completions | {"messages":[USER],"stream":false,"stream_options":{"include_usage":true}} | only allowed when 'stream' is true
            /v1/chat/completions | {"messages":[USER],"stream":true,"stream_options":{"include_usage":"yes"}} | 'include_usage' must be true or false
            /v1/chat/completions | {"messages":[USER],"stop":["ok",""]}                             | stop strings must not be empty
            /v1/chat/completions | {"messages":[USER],"top_k":-2}                                   | top_k must be -1, 0 or positive
            /v1/chat/completions | {"messages":[USER],"seed":1.5}                                   | 'seed' must be a 64-bit integer
            /v1/chat/completions | {"messages":[USER],"temperature":-0.5}                           | temperature must be a finite number >= 0
            /v1/chat/completions | {"messages":[USER],"top_p":1.5}                                  | top_p must be in (0, 1]
            /v1/completions      | {"prompt":"x","logprobs":2}                                      | logprobs: 2 is not supported by this server
            /v1/completions      | {"prompt":"x","logprobs":true}                                   | 'logprobs' must be an integer, got true
            /v1/completions      | {"prompt":"x","echo":true}                                       | echo: true is not supported by this server
            /v1/completions      | {"prompt":"x","echo":1}                                          | 'echo' must be true or false, got 1
            /v1/completions      | {"prompt":"x","suffix":"end"}                                    | suffix: a suffix is not supported by this server
            /v1/completions      | {"prompt":"x","suffix":3}                                        | suffix: must be a string, got 3
            /v1/completions      | {"prompt":"x","best_of":2}                                       | best_of: 2 is not supported by this server
            /v1/completions      | {"prompt":"x","presence_penalty":1}                              | presence_penalty: 1 is not supported by this server
            /v1/completions      | {"prompt":"x","min_tokens":8}                                    | min_tokens: 8 is not supported by this server
            """)
    void aFieldTheServerCannotHonourIsA400NamingIt(String path, String body, String message) throws Exception {
        HttpResponse<String> r = f.post(path, body.replace("USER", USER));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode error = ServerFixture.json(r.body()).get("error");
        assertThat(error.get("message").asText()).contains(message).doesNotContain("\n");
        assertThat(error.get("type").asText()).isEqualTo("BadRequestError");
        assertThat(error.get("code").asInt()).isEqualTo(400);
    }

    /** Every role, a name, parts, an assistant turn without content, and every unhonoured field at its neutral value. */
    @Test
    void aValidChatRequestWithEveryCheckedFieldStillGets200() throws Exception {
        HttpResponse<String> r = f.post(CHAT, """
                {"model":"tiny","max_tokens":3,"temperature":0,"messages":[
                  {"role":"developer","content":"be brief"},
                  {"role":"system","content":"you are a test"},
                  {"role":"user","name":"ann","content":[{"type":"text","text":"hi "},{"type":"text","text":"there"}]},
                  {"role":"assistant","content":null},
                  {"role":"tool","content":"42","tool_call_id":"call_1"},
                  {"role":"user","content":"again"}],
                 "n":1,"logprobs":false,"top_logprobs":0,"tools":[],"tool_choice":"none",
                 "response_format":{"type":"text"},"presence_penalty":0,"frequency_penalty":0.0,"repetition_penalty":1,
                 "min_p":0,"min_tokens":0,"logit_bias":{},"user":"load-test","some_future_field":{"x":1}}""");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode b = ServerFixture.json(r.body());
        assertThat(b.get("object").asText()).isEqualTo("chat.completion");
        assertThat(b.get("usage").get("completion_tokens").asInt()).isBetween(1, 3);
    }

    @Test
    void aValidCompletionRequestWithEveryCheckedFieldStillGets200() throws Exception {
        HttpResponse<String> r = f.post(TEXT, """
                {"prompt":"hello","max_tokens":3,"logprobs":0,"echo":false,"suffix":"","best_of":1,
                 "presence_penalty":0,"frequency_penalty":0,"min_tokens":0,"logit_bias":{},"user":"u"}""");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(ServerFixture.json(r.body()).get("object").asText()).isEqualTo("text_completion");
    }

    @Test
    void theServerKeepsServingAfterEveryRefusal() throws Exception {
        for (int i = 0; i < 20; i++) {
            assertThat(f.post(CHAT, "{\"messages\":[{\"role\":\"alien\",\"content\":\"x\"}]}").statusCode()).isEqualTo(400);
        }
        HttpResponse<String> r = f.post(CHAT, "{\"max_tokens\":2,\"messages\":[" + USER + "]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        f.awaitEngineIdle(5);
    }
}
