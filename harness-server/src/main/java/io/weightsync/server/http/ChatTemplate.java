package io.weightsync.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Chat messages to one prompt string.
 *
 * <p>The built-in model is byte-level and was never trained on a chat format, so no model's real
 * template would mean anything to it; what matters to the harness is that chat requests cost a
 * prompt of realistic length and go through the same engine path. The template is therefore the
 * simplest unambiguous one: each message as {@code <|role|>\ncontent\n}, then
 * {@code <|assistant|>\n} to prompt the reply.
 */
final class ChatTemplate {

    /**
     * OpenAI's message roles ({@code function}, deprecated, left out). vLLM's schema takes any string
     * and leaves an unknown role to the model's chat template, which may render it or refuse it;
     * OpenAI refuses it, and so does this server: the template here would render anything.
     */
    static final List<String> ROLES = List.of("system", "user", "assistant", "tool", "developer");

    private ChatTemplate() {}

    /** @throws ApiError 400 when messages are missing, empty or malformed, naming the message and field */
    static String render(JsonNode messages) {
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw ApiError.badRequest("'messages' must be a non-empty array");
        }
        StringBuilder prompt = new StringBuilder();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String at = "messages[" + i + "]";
            if (!m.isObject() || !m.path("role").isTextual()) {
                throw ApiError.badRequest(at + " must be an object with a string 'role'");
            }
            String role = m.get("role").asText();
            if (!ROLES.contains(role)) {
                throw ApiError.badRequest(at + ".role: '" + role + "' is not one of " + String.join(", ", ROLES));
            }
            JsonNode name = m.get("name");
            if (name != null && !name.isNull() && !name.isTextual()) {
                throw ApiError.badRequest(at + ".name: must be a string, got " + name);
            }
            prompt.append("<|").append(role).append("|>\n").append(content(m.get("content"), role, at)).append('\n');
        }
        return prompt.append("<|assistant|>\n").toString();
    }

    /**
     * A string, or OpenAI's array of parts of which the {@code text} ones are kept. Only an assistant
     * message may go without (OpenAI: when it carries tool calls instead).
     */
    private static String content(JsonNode content, String role, String at) {
        if (content == null || content.isNull()) {
            if (!role.equals("assistant")) {
                throw ApiError.badRequest(at + ".content is required for role '" + role + "'");
            }
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if (!part.isObject() || !"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw ApiError.badRequest(at + ".content: only {\"type\":\"text\",\"text\":...} parts are supported");
                }
                text.append(part.get("text").asText());
            }
            return text.toString();
        }
        throw ApiError.badRequest(at + ".content must be a string or an array of text parts");
    }
}
