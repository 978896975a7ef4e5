package io.weightsync.server.tokenizer;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Byte-level tokenizer of the built-in model: token i < 256 is byte i of the UTF-8 text; ids from
 * 256 up are special (BOS, EOS) and decode to nothing. Prompts start with BOS.
 */
public final class ByteTokenizer implements Tokenizer {

    private final int bos;

    public ByteTokenizer(int bos) {
        this.bos = bos;
    }

    @Override
    public int[] encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length + 1];
        ids[0] = bos;
        for (int i = 0; i < bytes.length; i++) {
            ids[i + 1] = bytes[i] & 0xFF;
        }
        return ids;
    }

    @Override
    public Decoder newDecoder() {
        return new Utf8Decoder();
    }

    /** Releases text as soon as its UTF-8 bytes are complete; invalid bytes become U+FFFD. */
    private static final class Utf8Decoder implements Decoder {
        private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        private final ByteBuffer pending = ByteBuffer.allocate(8);
        private final CharBuffer out = CharBuffer.allocate(16);

        @Override
        public String add(int tokenId) {
            if (tokenId < 0 || tokenId > 255) {
                return "";
            }
            pending.put((byte) tokenId);
            pending.flip();
            out.clear();
            CoderResult r = utf8.decode(pending, out, false);
            if (r.isError()) {
                throw new IllegalStateException(r.toString()); // REPLACE never reports errors
            }
            pending.compact();
            out.flip();
            return out.toString();
        }
    }
}
