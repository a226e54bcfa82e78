package dev.lamina.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The strict JSON reader behind safetensors headers and checkpoint manifests: objects (in order, duplicate keys
 * rejected), arrays, strings with every escape (unescaped control characters rejected), true, false, null, and
 * numbers — a Long when written without fraction or exponent and within range, else a Double, or only integers when
 * asked. Trailing text and nesting beyond a limit are rejected; errors give the line, column and offset.
 */
final class StrictJson {
    private StrictJson() {
    }

    /**
     * Parses one JSON value; {@code src} names the text in error messages.
     *
     * @param what what the text is, for messages ("JSON", "JSON header")
     * @param maxDepth deepest nesting accepted
     * @param integersOnly reject fractions, exponents and integers beyond a long (every number is then a Long)
     */
    static Object parse(String text, String src, String what, int maxDepth, boolean integersOnly) throws IOException {
        Parser p = new Parser(text, src, what, maxDepth, integersOnly);
        p.skipWs();
        Object v = p.value(0);
        p.skipWs();
        if (p.pos != text.length()) throw p.error("unexpected text after the JSON value");
        return v;
    }

    private static final class Parser {
        private final String s;
        private final String src;
        private final String what;
        private final int maxDepth;
        private final boolean integersOnly;
        private int pos;

        Parser(String s, String src, String what, int maxDepth, boolean integersOnly) {
            this.s = s;
            this.src = src;
            this.what = what;
            this.maxDepth = maxDepth;
            this.integersOnly = integersOnly;
        }

        IOException error(String what) {
            int line = 1, col = 1;
            for (int i = 0; i < Math.min(pos, s.length()); i++) {
                if (s.charAt(i) == '\n') {
                    line++;
                    col = 1;
                } else {
                    col++;
                }
            }
            return new IOException(src + ": invalid " + this.what + " at line " + line + ", column " + col + " (offset " + pos + "): " + what);
        }

        Object value(int depth) throws IOException {
            if (depth > maxDepth) throw error("nesting deeper than " + maxDepth);
            char c = peek();
            switch (c) {
                case '{' -> {
                    pos++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    skipWs();
                    if (peek() == '}') {
                        pos++;
                        return m;
                    }
                    while (true) {
                        skipWs();
                        if (peek() != '"') throw error("expected a string key");
                        int keyPos = pos;
                        String key = string();
                        skipWs();
                        expect(':');
                        skipWs();
                        Object v = value(depth + 1);
                        if (m.containsKey(key)) {
                            pos = keyPos;
                            throw error("duplicate key \"" + key + "\"");
                        }
                        m.put(key, v);
                        skipWs();
                        if (peek() == ',') {
                            pos++;
                        } else {
                            expect('}');
                            return m;
                        }
                    }
                }
                case '[' -> {
                    pos++;
                    List<Object> l = new ArrayList<>();
                    skipWs();
                    if (peek() == ']') {
                        pos++;
                        return l;
                    }
                    while (true) {
                        skipWs();
                        l.add(value(depth + 1));
                        skipWs();
                        if (peek() == ',') {
                            pos++;
                        } else {
                            expect(']');
                            return l;
                        }
                    }
                }
                case '"' -> {
                    return string();
                }
                case 't' -> {
                    return literal("true", Boolean.TRUE);
                }
                case 'f' -> {
                    return literal("false", Boolean.FALSE);
                }
                case 'n' -> {
                    return literal("null", null);
                }
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) return number();
                    throw error("unexpected character '" + c + "'");
                }
            }
        }

        private Object literal(String word, Object v) throws IOException {
            if (!s.startsWith(word, pos)) throw error("unexpected text");
            pos += word.length();
            return v;
        }

        private Object number() throws IOException {
            int start = pos;
            if (peek() == '-') pos++;
            int intStart = pos;
            digits();
            if (s.charAt(intStart) == '0' && pos - intStart > 1) {
                pos = intStart;
                throw error("leading zero in a number");
            }
            if (integersOnly && pos < s.length() && (s.charAt(pos) == '.' || s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                throw error("only integers are expected in this " + this.what);
            }
            boolean integer = true;
            if (pos < s.length() && s.charAt(pos) == '.') {
                integer = false;
                pos++;
                digits();
            }
            if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                integer = false;
                pos++;
                if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) pos++;
                digits();
            }
            String text = s.substring(start, pos);
            if (integer) {
                try {
                    return Long.parseLong(text);
                } catch (NumberFormatException e) {
                    if (integersOnly) {
                        pos = start;
                        throw error("integer " + text.substring(0, Math.min(text.length(), 40)) + " out of range");
                    }
                    // too large for a long: a double
                }
            }
            return Double.parseDouble(text);
        }

        private void digits() throws IOException {
            int d = pos;
            while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') pos++;
            if (pos == d) throw error("expected a digit");
        }

        private String string() throws IOException {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos >= s.length()) throw error("unterminated string");
                char c = s.charAt(pos++);
                if (c == '"') return sb.toString();
                if (c < 0x20) {
                    pos--;
                    throw error("unescaped control character in a string");
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                if (pos >= s.length()) throw error("unterminated string");
                char e = s.charAt(pos++);
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        if (pos + 4 > s.length()) throw error("truncated \\u escape");
                        int v = 0;
                        for (int i = 0; i < 4; i++) {
                            int d = Character.digit(s.charAt(pos + i), 16);
                            if (d < 0 || s.charAt(pos + i) > 'f') throw error("invalid \\u escape");
                            v = v * 16 + d;
                        }
                        pos += 4;
                        sb.append((char) v);
                    }
                    default -> {
                        pos--;
                        throw error("invalid escape '\\" + e + "'");
                    }
                }
            }
        }

        private void expect(char c) throws IOException {
            if (peek() != c) throw error("expected '" + c + "'");
            pos++;
        }

        private char peek() throws IOException {
            if (pos >= s.length()) throw error("unexpected end of text");
            return s.charAt(pos);
        }

        void skipWs() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
                pos++;
            }
        }
    }
}
