package io.weightsync.server.engine;

import java.util.List;

/**
 * How one request is sampled and when it stops, as OpenAI/vLLM define the fields.
 *
 * @param maxTokens completion tokens at most; reaching it finishes with "length"
 * @param temperature 0 means greedy (argmax), as in vLLM
 * @param topP nucleus mass kept, (0, 1]; 1 keeps all
 * @param topK most likely tokens kept; 0 or -1 keeps all
 * @param seed same seed + same weights + same prompt gives the same tokens; null draws one
 * @param stop strings that end the completion ("stop"); not included in the output
 * @param ignoreEos vLLM's flag: keep generating past EOS until maxTokens (load tests rely on it)
 */
public record SamplingParams(int maxTokens, double temperature, double topP, int topK, Long seed, List<String> stop,
        boolean ignoreEos) {

    public SamplingParams {
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max_tokens must be at least 1, got " + maxTokens);
        }
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
        if (topK < -1) {
            throw new IllegalArgumentException("top_k must be -1, 0 or positive, got " + topK);
        }
        for (String s : stop) {
            if (s == null || s.isEmpty()) {
                throw new IllegalArgumentException("stop strings must not be empty");
            }
        }
    }

    public static SamplingParams greedy(int maxTokens) {
        return new SamplingParams(maxTokens, 0, 1, -1, null, List.of(), false);
    }

    public SamplingParams withIgnoreEos(boolean ignore) {
        return new SamplingParams(maxTokens, temperature, topP, topK, seed, stop, ignore);
    }
}
