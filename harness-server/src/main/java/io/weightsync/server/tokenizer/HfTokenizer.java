package io.weightsync.server.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A model folder's {@code tokenizer.json}, read by Hugging Face tokenizers through DJL (its native
 * library ships in the jar: works offline). Streaming decode re-decodes the sequence's ids and
 * releases the new suffix, holding it back while it ends in an incomplete character (U+FFFD), as
 * vLLM's incremental detokenizer does.
 */
public final class HfTokenizer implements Tokenizer {

    private final HuggingFaceTokenizer tokenizer;

    private HfTokenizer(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    public static HfTokenizer load(Path tokenizerJson) throws IOException {
        return new HfTokenizer(HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of()));
    }

    @Override
    public int[] encode(String text) {
        Encoding e = tokenizer.encode(text);
        long[] ids = e.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    @Override
    public Decoder newDecoder() {
        return new Decoder() {
            private long[] ids = new long[16];
            private int count;
            private int released; // chars of the decoded text already returned

            @Override
            public String add(int tokenId) {
                if (count == ids.length) {
                    ids = java.util.Arrays.copyOf(ids, count * 2);
                }
                ids[count++] = tokenId;
                String text = tokenizer.decode(java.util.Arrays.copyOf(ids, count), true);
                if (text.endsWith("\uFFFD") || text.length() <= released) {
                    return "";
                }
                String delta = text.substring(released);
                released = text.length();
                return delta;
            }
        };
    }
}
