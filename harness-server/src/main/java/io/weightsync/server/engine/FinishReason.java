package io.weightsync.server.engine;

/** Why a completion ended, with OpenAI's names. */
public enum FinishReason {
    /** EOS or a stop string. */
    STOP("stop"),
    /** max_tokens reached: what trunc_pct counts. */
    LENGTH("length"),
    /** Cancelled by the client, or aborted by pause(mode=abort). */
    ABORT("abort");

    public final String openAiName;

    FinishReason(String openAiName) {
        this.openAiName = openAiName;
    }
}
