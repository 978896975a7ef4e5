package io.weightsync.server.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.weightsync.server.engine.FinishReason;

/**
 * The JSON one completion is answered with, in OpenAI's shapes as vLLM writes them: stream chunks
 * ({@code text_completion} / {@code chat.completion.chunk}), the usage chunk with empty
 * {@code choices}, and the non-streaming body with {@code usage}.
 *
 * <p>Chunks are written by hand rather than through an object mapper: one is made per token per
 * stream, and the fixed part of every chunk ({@link #head}) is rendered once per request.
 */
final class OpenAiShapes {

    static final String DONE = "data: [DONE]\n\n";

    private final boolean chat;
    /** {@code {"id":...,"object":...,"created":...,"model":...,} }: everything before "choices". */
    private final String head;
    private final String id;
    private final long createdSeconds;
    private final String model;

    OpenAiShapes(boolean chat, String id, long createdSeconds, String model) {
        this.chat = chat;
        this.id = id;
        this.createdSeconds = createdSeconds;
        this.model = model;
        this.head = "{\"id\":" + quote(id) + ",\"object\":\"" + (chat ? "chat.completion.chunk" : "text_completion")
                + "\",\"created\":" + createdSeconds + ",\"model\":" + quote(model) + ",";
    }

    String id() {
        return id;
    }

    /** Chat streams open with the assistant's role and empty content, as OpenAI's do. */
    String roleChunk() {
        return event(head + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
                + "\"logprobs\":null,\"finish_reason\":null}]}");
    }

    /** One piece of generated text. */
    String textChunk(String text) {
        String choice = chat ? "\"delta\":{\"content\":" + quote(text) + "}" : "\"text\":" + quote(text);
        return event(head + "\"choices\":[{\"index\":0," + choice + ",\"logprobs\":null,\"finish_reason\":null}]}");
    }

    /** The chunk that carries the finish reason and no more text. */
    String finishChunk(FinishReason reason) {
        String choice = chat ? "\"delta\":{}" : "\"text\":\"\"";
        return event(head + "\"choices\":[{\"index\":0," + choice + ",\"logprobs\":null,\"finish_reason\":\""
                + reason.openAiName + "\"}]}");
    }

    /** {@code stream_options.include_usage}: the last chunk before [DONE]. */
    String usageChunk(int promptTokens, int completionTokens) {
        return event(head + "\"choices\":[]," + usage(promptTokens, completionTokens) + "}");
    }

    /** The whole non-streaming answer. */
    String fullResponse(String text, FinishReason reason, int promptTokens, int completionTokens) {
        String choice = chat
                ? "\"message\":{\"role\":\"assistant\",\"content\":" + quote(text) + "}"
                : "\"text\":" + quote(text);
        return "{\"id\":" + quote(id) + ",\"object\":\"" + (chat ? "chat.completion" : "text_completion")
                + "\",\"created\":" + createdSeconds + ",\"model\":" + quote(model) + ",\"choices\":[{\"index\":0,"
                + choice + ",\"logprobs\":null,\"finish_reason\":\"" + reason.openAiName + "\"}],"
                + usage(promptTokens, completionTokens) + "}";
    }

    private static String usage(int promptTokens, int completionTokens) {
        return "\"usage\":{\"prompt_tokens\":" + promptTokens + ",\"completion_tokens\":" + completionTokens
                + ",\"total_tokens\":" + (promptTokens + completionTokens) + "}";
    }

    private static String event(String json) {
        return "data: " + json + "\n\n";
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        JsonStringEncoder.getInstance().quoteAsString(s, out);
        return out.append('"').toString();
    }
}
