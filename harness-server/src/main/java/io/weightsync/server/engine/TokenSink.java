package io.weightsync.server.engine;

/**
 * Where a request's output goes, called from the engine thread: keep it quick and non-blocking
 * (the HTTP layer buffers; a slow reader must never stall the engine).
 */
public interface TokenSink {

    /** One generated token and the text it released (possibly empty: partial UTF-8, held-back stop prefix). */
    void onToken(int tokenId, String text);

    /** The completion ended; no call follows. */
    void onFinish(FinishReason reason, int promptTokens, int completionTokens);
}
