package io.weightsync.server.http;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * OpenAI/vLLM request fields that change what a completion returns but that this server does not
 * compute (log probabilities, penalties, logit bias, echo, suffix, best-of, tools, structured output).
 *
 * <p>Served with 200 and silently ignored, a client would get an answer it did not ask for and
 * could not tell. So each is type-checked like any field, its neutral value (what the field means
 * when absent: {@code false}, {@code 0}, {@code 1}, empty) is accepted, so that generic clients that
 * send defaults keep working, and any other value is a 400 naming the field. Fields nobody defines
 * are ignored, as vLLM ignores them (it logs them; it does not refuse them).
 */
final class UnhonouredFields {

    private UnhonouredFields() {}

    /** @throws ApiError 400 naming the first field set to something the server would not honour */
    static void check(JsonNode body, boolean chat) {
        if (chat) {
            if (bool(body, "logprobs")) {
                throw unsupported("logprobs", "true", "no log probabilities are computed");
            }
            int top = nonNegativeInt(body, "top_logprobs");
            if (top > 0) {
                throw unsupported("top_logprobs", Integer.toString(top), "no log probabilities are computed");
            }
            JsonNode tools = body.get("tools");
            if (tools != null && !tools.isNull()) {
                if (!tools.isArray()) {
                    throw ApiError.badRequest("tools: must be an array, got " + tools);
                }
                if (!tools.isEmpty()) {
                    throw unsupported("tools", tools.size() + " tools", "the model does not call tools");
                }
            }
            JsonNode choice = body.get("tool_choice");
            if (choice != null && !choice.isNull() && !(choice.isTextual() && choice.asText().equals("none"))) {
                throw unsupported("tool_choice", choice.toString(), "the model does not call tools; send \"none\"");
            }
            JsonNode format = body.get("response_format");
            if (format != null && !format.isNull()) {
                if (!format.isObject() || !format.path("type").isTextual()) {
                    throw ApiError.badRequest("response_format: must be an object with a string 'type', got " + format);
                }
                if (!format.get("type").asText().equals("text")) {
                    throw unsupported("response_format.type", "'" + format.get("type").asText() + "'",
                            "no structured output; send \"text\"");
                }
            }
        } else {
            int logprobs = nonNegativeInt(body, "logprobs");
            if (logprobs > 0) {
                throw unsupported("logprobs", Integer.toString(logprobs), "no log probabilities are computed");
            }
            if (bool(body, "echo")) {
                throw unsupported("echo", "true", "the prompt is not returned");
            }
            JsonNode suffix = body.get("suffix");
            if (suffix != null && !suffix.isNull()) {
                if (!suffix.isTextual()) {
                    throw ApiError.badRequest("suffix: must be a string, got " + suffix);
                }
                if (!suffix.asText().isEmpty()) {
                    throw unsupported("suffix", "a suffix", "no insertion mode");
                }
            }
            JsonNode bestOf = body.get("best_of");
            if (bestOf != null && !bestOf.isNull() && !(bestOf.isIntegralNumber() && bestOf.asLong() == 1)) {
                throw unsupported("best_of", bestOf.toString(), "one completion per request; send 1");
            }
        }
        penalty(body, "presence_penalty");
        penalty(body, "frequency_penalty");
        JsonNode repetition = number(body, "repetition_penalty");
        if (repetition != null) {
            if (!(repetition.asDouble() > 0)) {
                throw ApiError.badRequest("repetition_penalty: must be > 0, got " + repetition);
            }
            if (repetition.asDouble() != 1) {
                throw unsupported("repetition_penalty", repetition.toString(), "no penalties are applied; send 1");
            }
        }
        JsonNode minP = number(body, "min_p");
        if (minP != null) {
            if (!(minP.asDouble() >= 0 && minP.asDouble() <= 1)) {
                throw ApiError.badRequest("min_p: must be in [0, 1], got " + minP);
            }
            if (minP.asDouble() != 0) {
                throw unsupported("min_p", minP.toString(), "only temperature, top_p and top_k shape sampling; send 0");
            }
        }
        int minTokens = nonNegativeInt(body, "min_tokens");
        if (minTokens > 0) {
            throw unsupported("min_tokens", Integer.toString(minTokens), "a completion may end at EOS at any length;"
                    + " use ignore_eos");
        }
        JsonNode bias = body.get("logit_bias");
        if (bias != null && !bias.isNull()) {
            if (!bias.isObject()) {
                throw ApiError.badRequest("logit_bias: must be an object of token id to bias, got " + bias);
            }
            if (!bias.isEmpty()) {
                throw unsupported("logit_bias", bias.size() + " entries", "logits are not biased");
            }
        }
        JsonNode user = body.get("user");
        if (user != null && !user.isNull() && !user.isTextual()) {
            throw ApiError.badRequest("user: must be a string, got " + user);
        }
    }

    /** OpenAI's range for both penalties is [-2, 2]; 0 is no penalty. */
    private static void penalty(JsonNode body, String name) {
        JsonNode v = number(body, name);
        if (v == null) {
            return;
        }
        if (!(v.asDouble() >= -2 && v.asDouble() <= 2)) {
            throw ApiError.badRequest(name + ": must be in [-2, 2], got " + v);
        }
        if (v.asDouble() != 0) {
            throw unsupported(name, v.toString(), "no penalties are applied; send 0");
        }
    }

    private static ApiError unsupported(String name, String value, String why) {
        return ApiError.badRequest(name + ": " + value + " is not supported by this server (" + why + ")");
    }

    /**
     * The field as it was sent (for messages quoting it), null when absent or null; a non-number is
     * refused as {@link CompletionRequest#numberField} refuses it.
     */
    private static JsonNode number(JsonNode body, String name) {
        CompletionRequest.numberField(body, name, 0);
        JsonNode v = body.get(name);
        return v == null || v.isNull() ? null : v;
    }

    private static boolean bool(JsonNode body, String name) {
        return CompletionRequest.boolField(body, name, false);
    }

    /** The field as an int >= 0; 0 when absent or null. */
    private static int nonNegativeInt(JsonNode body, String name) {
        int v = CompletionRequest.intField(body, name, 0);
        if (v < 0) {
            throw ApiError.badRequest("'" + name + "' must be >= 0, got " + v);
        }
        return v;
    }
}
