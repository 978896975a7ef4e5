package io.weightsync.server.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Records what the engine emits for one request; {@link #await()} blocks until it finishes. */
final class CollectingSink implements TokenSink {

    final List<Integer> tokens = new ArrayList<>();
    final StringBuilder text = new StringBuilder();
    final List<Long> tokenNanos = new ArrayList<>();
    final CompletableFuture<FinishReason> finished = new CompletableFuture<>();
    volatile int completionTokens = -1;

    @Override
    public synchronized void onToken(int tokenId, String piece) {
        tokens.add(tokenId);
        text.append(piece);
        tokenNanos.add(System.nanoTime());
    }

    @Override
    public void onFinish(FinishReason reason, int promptTokens, int completionTokens) {
        this.completionTokens = completionTokens;
        finished.complete(reason);
    }

    FinishReason await() throws Exception {
        return finished.get(60, TimeUnit.SECONDS);
    }

    synchronized List<Integer> tokens() {
        return List.copyOf(tokens);
    }

    synchronized int tokenCount() {
        return tokens.size();
    }
}
