package io.weightsync.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.weightsync.server.engine.SamplingParams;
import java.util.ArrayList;
import java.util.List;

/**
 * One parsed {@code /v1/completions} or {@code /v1/chat/completions} body: the prompt and every
 * OpenAI/vLLM field the harness honours, type-checked with a message naming the field.
 *
 * @param promptText the prompt as text (chat: the rendered template); null when given as token ids
 * @param promptTokens the prompt as token ids when the client sent them; null for text
 * @param params sampling and stopping
 * @param stream answer as server-sent events
 * @param includeUsage {@code stream_options.include_usage}: one last chunk with usage and no choices
 */
public record CompletionRequest(String promptText, int[] promptTokens, SamplingParams params, boolean stream,
        boolean includeUsage) {

    /** OpenAI's default for /v1/completions; used for chat too, so a forgotten max_tokens stays short. */
    static final int DEFAULT_MAX_TOKENS = 16;

    /**
     * Parses a body; {@code chat} selects {@code messages} (rendered with {@link ChatTemplate}) over
     * {@code prompt}. The model name is checked by the caller.
     *
     * @throws ApiError 400 naming the field for a missing, mistyped or out-of-range value
     */
    static CompletionRequest parse(JsonNode body, boolean chat) {
        if (body == null || !body.isObject()) {
            throw ApiError.badRequest("request body must be a JSON object");
        }
        String text = null;
        int[] tokens = null;
        if (chat) {
            text = ChatTemplate.render(body.get("messages"));
        } else {
            JsonNode prompt = body.get("prompt");
            if (prompt == null || prompt.isNull()) {
                throw ApiError.badRequest("'prompt' is required");
            }
            if (prompt.isTextual()) {
                text = prompt.asText();
            } else if (prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual()) {
                text = prompt.get(0).asText();
            } else if (prompt.isArray() && prompt.size() > 0 && prompt.get(0).isIntegralNumber()) {
                tokens = tokenIds(prompt);
            } else if (prompt.isArray() && prompt.size() > 1) {
                throw ApiError.badRequest("'prompt': batched prompts are not supported; send one prompt per request");
            } else {
                throw ApiError.badRequest("'prompt' must be a non-empty string or an array of token ids");
            }
            if (text != null && text.isEmpty()) {
                throw ApiError.badRequest("'prompt' must not be empty");
            }
        }
        UnhonouredFields.check(body, chat);
        JsonNode n = body.get("n");
        if (n != null && !n.isNull() && !(n.isIntegralNumber() && n.asLong() == 1)) {
            throw ApiError.badRequest("'n' must be 1: one completion per request");
        }
        int maxTokens = intField(body, chat && body.hasNonNull("max_completion_tokens") ? "max_completion_tokens"
                : "max_tokens", DEFAULT_MAX_TOKENS);
        double temperature = numberField(body, "temperature", 1.0);
        double topP = numberField(body, "top_p", 1.0);
        int topK = intField(body, "top_k", -1);
        Long seed = body.hasNonNull("seed") ? longField(body, "seed") : null;
        List<String> stop = stopField(body.get("stop"));
        boolean ignoreEos = boolField(body, "ignore_eos", false);
        boolean stream = boolField(body, "stream", false);
        boolean includeUsage = false;
        JsonNode options = body.get("stream_options");
        if (options != null && !options.isNull()) {
            if (!options.isObject()) {
                throw ApiError.badRequest("'stream_options' must be an object");
            }
            includeUsage = boolField(options, "include_usage", false);
            if (!stream) {
                throw ApiError.badRequest("'stream_options' is only allowed when 'stream' is true");
            }
        }
        SamplingParams params;
        try {
            params = new SamplingParams(maxTokens, temperature, topP, topK, seed, stop, ignoreEos);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        return new CompletionRequest(text, tokens, params, stream, includeUsage);
    }

    private static int[] tokenIds(JsonNode array) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode t = array.get(i);
            if (!t.isIntegralNumber() || !t.canConvertToInt()) {
                throw ApiError.badRequest("'prompt'[" + i + "] must be an integer token id");
            }
            ids[i] = t.asInt();
        }
        return ids;
    }

    static int intField(JsonNode body, String name, int absent) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return absent;
        }
        if (!v.isIntegralNumber()) {
            throw ApiError.badRequest("'" + name + "' must be an integer, got " + v);
        }
        if (!v.canConvertToInt()) {
            throw ApiError.badRequest("'" + name + "' is out of range: " + v);
        }
        return v.asInt();
    }

    private static long longField(JsonNode body, String name) {
        JsonNode v = body.get(name);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw ApiError.badRequest("'" + name + "' must be a 64-bit integer, got " + v);
        }
        return v.asLong();
    }

    static double numberField(JsonNode body, String name, double absent) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return absent;
        }
        if (!v.isNumber()) {
            throw ApiError.badRequest("'" + name + "' must be a number, got " + v);
        }
        return v.asDouble();
    }

    static boolean boolField(JsonNode body, String name, boolean absent) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return absent;
        }
        if (!v.isBoolean()) {
            throw ApiError.badRequest("'" + name + "' must be true or false, got " + v);
        }
        return v.asBoolean();
    }

    private static List<String> stopField(JsonNode v) {
        List<String> stop = new ArrayList<>();
        if (v == null || v.isNull()) {
            return stop;
        }
        if (v.isTextual()) {
            stop.add(v.asText());
        } else if (v.isArray()) {
            for (JsonNode s : v) {
                if (!s.isTextual()) {
                    throw ApiError.badRequest("'stop' must be a string or an array of strings");
                }
                stop.add(s.asText());
            }
        } else {
            throw ApiError.badRequest("'stop' must be a string or an array of strings");
        }
        return stop;
    }
}
