package io.weightsync.server.tokenizer;

import io.weightsync.server.model.TinyModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Text to token ids and back, with a streaming decoder per sequence. */
public interface Tokenizer {

    /** Token ids for a prompt, including whatever special tokens the tokenizer adds (e.g. BOS). */
    int[] encode(String text);

    /** A decoder for one sequence's generated tokens. */
    Decoder newDecoder();

    /** Streaming detokenization: text is released only once it is complete (no split UTF-8, no half merges). */
    interface Decoder {
        /** Adds one generated token; returns the text it completes, possibly empty. */
        String add(int tokenId);
    }

    /**
     * The tokenizer for a model folder: its {@code tokenizer.json} through Hugging Face tokenizers
     * when present, otherwise the byte-level tokenizer of the built-in model.
     */
    static Tokenizer forModel(Path modelDir) throws IOException {
        Path json = modelDir.resolve("tokenizer.json");
        if (Files.isRegularFile(json)) {
            return HfTokenizer.load(json);
        }
        return new ByteTokenizer(TinyModel.BOS);
    }
}
