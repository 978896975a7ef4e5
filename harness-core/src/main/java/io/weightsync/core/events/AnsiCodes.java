package io.weightsync.core.events;

/**
 * Removes terminal escape sequences (colours from loguru, vLLM, rich) so a coloured log parses like a
 * plain one. Handles CSI ({@code ESC [ params final}, e.g. {@code \u001B[32m}), OSC ({@code ESC ]
 * ... BEL} or {@code ESC ] ... ESC \}) and the short {@code ESC x} / {@code ESC ( B} forms; an
 * unterminated sequence at the end of a line is dropped.
 */
final class AnsiCodes {

    private static final char ESC = '\u001B';
    private static final char BEL = '\u0007';

    private AnsiCodes() {}

    /** {@code line} without escape sequences; the same instance when it has none. */
    static String strip(String line) {
        int first = line.indexOf(ESC);
        if (first < 0) {
            return line;
        }
        int n = line.length();
        StringBuilder out = new StringBuilder(n);
        out.append(line, 0, first);
        int i = first;
        while (i < n) {
            char c = line.charAt(i);
            if (c != ESC) {
                out.append(c);
                i++;
                continue;
            }
            if (i + 1 >= n) {
                break;
            }
            char next = line.charAt(i + 1);
            int j = i + 2;
            if (next == '[') {
                // CSI: parameter and intermediate bytes 0x20-0x3F, then one final byte 0x40-0x7E
                while (j < n && line.charAt(j) >= 0x20 && line.charAt(j) <= 0x3F) {
                    j++;
                }
                if (j < n && line.charAt(j) >= 0x40 && line.charAt(j) <= 0x7E) {
                    j++;
                }
            } else if (next == ']') {
                // OSC: up to BEL or ESC backslash
                while (j < n) {
                    char d = line.charAt(j);
                    if (d == BEL) {
                        j++;
                        break;
                    }
                    if (d == ESC && j + 1 < n && line.charAt(j + 1) == '\\') {
                        j += 2;
                        break;
                    }
                    j++;
                }
            } else if (next >= 0x20 && next <= 0x2F) {
                // nF: intermediates, then one final byte
                while (j < n && line.charAt(j) >= 0x20 && line.charAt(j) <= 0x2F) {
                    j++;
                }
                if (j < n) {
                    j++;
                }
            }
            // otherwise a two-character ESC x sequence
            i = j;
        }
        return out.toString();
    }
}
