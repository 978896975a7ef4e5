package io.weightsync.server.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerTest {

    @TempDir
    Path dir;

    @Test
    void byteTokenizerPrependsBosAndRoundTripsUtf8() {
        ByteTokenizer t = new ByteTokenizer(256);
        int[] ids = t.encode("hé");
        assertThat(ids).containsExactly(256, 'h', 0xC3, 0xA9);
        Tokenizer.Decoder d = t.newDecoder();
        StringBuilder out = new StringBuilder();
        for (int i = 1; i < ids.length; i++) {
            out.append(d.add(ids[i]));
        }
        assertThat(d.add(257)).isEmpty();
        assertThat(out.toString()).isEqualTo("hé");
    }

    @Test
    void modelFolderWithTokenizerJsonUsesHuggingFaceTokenizers() throws Exception {
        // a small word-level tokenizer.json, as the tokenizers library writes them
        String json = """
                {"version":"1.0","truncation":null,"padding":null,"added_tokens":[
                  {"id":0,"content":"[UNK]","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}],
                 "normalizer":null,
                 "pre_tokenizer":{"type":"Whitespace"},
                 "post_processor":null,
                 "decoder":{"type":"WordPiece","prefix":"##","cleanup":true},
                 "model":{"type":"WordLevel","vocab":{"[UNK]":0,"new":1,"weights":2,"are":3,"live":4},"unk_token":"[UNK]"}}
                """;
        Files.writeString(dir.resolve("tokenizer.json"), json);
        Tokenizer t = Tokenizer.forModel(dir);
        assertThat(t).isInstanceOf(HfTokenizer.class);
        assertThat(t.encode("new weights are live")).containsExactly(1, 2, 3, 4);
        assertThat(t.encode("unknown")).containsExactly(0);
        Tokenizer.Decoder d = t.newDecoder();
        StringBuilder out = new StringBuilder();
        for (int id : new int[] {1, 2, 3, 4}) {
            out.append(d.add(id));
        }
        assertThat(out.toString()).isEqualTo("new weights are live");
    }

    @Test
    void folderWithoutTokenizerJsonGetsTheByteTokenizer() throws Exception {
        assertThat(Tokenizer.forModel(dir)).isInstanceOf(ByteTokenizer.class);
    }
}
