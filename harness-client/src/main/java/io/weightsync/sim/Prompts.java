package io.weightsync.sim;

import java.util.SplittableRandom;

/**
 * Deterministic rollout prompts: a few words drawn from a fixed list by (seed, index), 20-80 bytes,
 * so every run asks the same questions in the same order.
 */
public final class Prompts {

    private static final String[] WORDS = {"solve", "the", "integral", "of", "prove", "that", "every", "prime",
        "greater", "than", "two", "is", "odd", "write", "a", "function", "which", "returns", "sum", "list",
        "explain", "why", "sky", "blue", "count", "vowels", "in", "this", "sentence", "sort", "numbers", "graph"};

    private Prompts() {}

    public static String prompt(long seed, long index) {
        SplittableRandom random = new SplittableRandom(seed * 7_919L + index);
        int target = 20 + random.nextInt(61);
        StringBuilder s = new StringBuilder("Task " + index + ":");
        while (s.length() < target) {
            s.append(' ').append(WORDS[random.nextInt(WORDS.length)]);
        }
        return s.append('.').toString();
    }
}
