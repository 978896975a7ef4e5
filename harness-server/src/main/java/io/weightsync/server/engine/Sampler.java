package io.weightsync.server.engine;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from a row of logits: argmax when temperature is 0, otherwise a draw from
 * the temperature-scaled softmax restricted by top-k then top-p, from the request's own seeded
 * generator (one per sequence, so batching never changes what a seed produces).
 */
final class Sampler {

    private final SamplingParams params;
    private final SplittableRandom random;
    /** Scratch for the candidate tokens, reused across steps. */
    private int[] order = new int[0];
    private double[] probs = new double[0];

    Sampler(SamplingParams params) {
        this.params = params;
        long seed = params.seed() != null ? params.seed() : new SplittableRandom().nextLong();
        this.random = new SplittableRandom(seed);
    }

    /** Samples from {@code logits[offset, offset + vocab)}. */
    int sample(float[] logits, int offset, int vocab) {
        if (params.temperature() == 0) {
            return argmax(logits, offset, vocab);
        }
        if (params.topK() <= 0 && params.topP() >= 1) {
            return drawFromSoftmax(logits, offset, vocab);
        }
        if (order.length != vocab) {
            order = new int[vocab];
            probs = new double[vocab];
        }
        // candidates sorted by logit, descending (stable on ties: lower id first)
        Integer[] boxed = new Integer[vocab];
        for (int i = 0; i < vocab; i++) {
            boxed[i] = i;
        }
        Arrays.sort(boxed, (a, b) -> Float.compare(logits[offset + b], logits[offset + a]));
        int kept = params.topK() > 0 ? Math.min(params.topK(), vocab) : vocab;
        double max = logits[offset + boxed[0]];
        double sum = 0;
        for (int i = 0; i < kept; i++) {
            order[i] = boxed[i];
            probs[i] = Math.exp((logits[offset + order[i]] - max) / params.temperature());
            sum += probs[i];
        }
        // nucleus: the smallest prefix whose mass reaches top_p
        if (params.topP() < 1) {
            double mass = 0;
            int cut = kept;
            for (int i = 0; i < kept; i++) {
                mass += probs[i] / sum;
                if (mass >= params.topP()) {
                    cut = i + 1;
                    break;
                }
            }
            sum = 0;
            for (int i = 0; i < cut; i++) {
                sum += probs[i];
            }
            kept = cut;
        }
        double r = random.nextDouble() * sum;
        for (int i = 0; i < kept; i++) {
            r -= probs[i];
            if (r <= 0) {
                return order[i];
            }
        }
        return order[kept - 1];
    }

    /** Plain temperature sampling: no ranking needed. */
    private int drawFromSoftmax(float[] logits, int offset, int vocab) {
        if (probs.length != vocab) {
            order = new int[vocab];
            probs = new double[vocab];
        }
        float max = logits[offset + argmax(logits, offset, vocab)];
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            probs[i] = Math.exp((logits[offset + i] - max) / params.temperature());
            sum += probs[i];
        }
        double r = random.nextDouble() * sum;
        for (int i = 0; i < vocab; i++) {
            r -= probs[i];
            if (r <= 0) {
                return i;
            }
        }
        return vocab - 1;
    }

    static int argmax(float[] logits, int offset, int vocab) {
        int best = 0;
        for (int i = 1; i < vocab; i++) {
            if (logits[offset + i] > logits[offset + best]) {
                best = i;
            }
        }
        return best;
    }
}
