package io.weightsync.server.http;

import com.fasterxml.jackson.databind.JsonNode;

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

    private ChatTemplate() {}

    /** @throws ApiError 400 when messages are missing, empty or malformed */
    static String render(JsonNode messages) {
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw ApiError.badRequest("'messages' must be a non-empty array");
        }
        StringBuilder prompt = new StringBuilder();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            if (!m.isObject() || !m.path("role").isTextual() || m.path("role").asText().isEmpty()) {
                throw ApiError.badRequest("'messages'[" + i + "] must be an object with a string 'role'");
            }
            prompt.append("<|").append(m.get("role").asText()).append("|>\n").append(content(m.get("content"), i))
                    .append('\n');
        }
        return prompt.append("<|assistant|>\n").toString();
    }

    /** A string, or OpenAI's array of parts of which the {@code text} ones are kept. */
    private static String content(JsonNode content, int index) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if (!part.isObject() || !"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw ApiError.badRequest("'messages'[" + index + "].content: only {\"type\":\"text\",\"text\":...} parts are supported");
                }
                text.append(part.get("text").asText());
            }
            return text.toString();
        }
        throw ApiError.badRequest("'messages'[" + index + "].content must be a string or an array of text parts");
    }
}
