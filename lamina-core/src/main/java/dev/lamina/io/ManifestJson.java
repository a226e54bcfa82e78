package dev.lamina.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of checkpoint manifests: a writer (indented, keys in insertion order) and a strict reader, both for the
 * tree {@code Map<String, ?>} / {@code List<?>} / {@code String} / {@code Long} / {@code Double} / {@code Boolean} /
 * {@code null}.
 *
 * <p>Doubles are written with {@link Double#toString(double)}, whose shortest representation parses back to the
 * very same bits, so losses and learning rates survive a round trip exactly; NaN and the infinities, which JSON
 * lacks, are written as the strings {@code "NaN"}, {@code "Infinity"} and {@code "-Infinity"}. The reader rejects
 * duplicate keys, trailing text, unescaped control characters and nesting deeper than {@value #MAX_DEPTH}; a number
 * without fraction or exponent that fits a long is a {@link Long}, any other number a {@link Double}.
 */
final class ManifestJson {
    static final int MAX_DEPTH = 64;

    private ManifestJson() {
    }

    // ------------------------------------------------------------------------------------------------ writing

    /** {@code value} as indented JSON text ending in a newline. */
    static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, 0);
        return sb.append('\n').toString();
    }

    private static void write(StringBuilder sb, Object v, int indent) {
        switch (v) {
            case null -> sb.append("null");
            case String s -> string(sb, s);
            case Boolean b -> sb.append(b);
            case Long l -> sb.append(l);
            case Integer i -> sb.append(i);
            case Double d -> number(sb, d);
            case Float f -> number(sb, f.doubleValue());
            case Map<?, ?> m -> {
                if (m.isEmpty()) {
                    sb.append("{}");
                    return;
                }
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    sb.append(first ? "\n" : ",\n");
                    first = false;
                    pad(sb, indent + 1);
                    string(sb, (String) e.getKey());
                    sb.append(": ");
                    write(sb, e.getValue(), indent + 1);
                }
                sb.append('\n');
                pad(sb, indent);
                sb.append('}');
            }
            case List<?> l -> {
                boolean flat = l.stream().noneMatch(x -> x instanceof Map || x instanceof List);
                if (flat) {
                    sb.append('[');
                    for (int i = 0; i < l.size(); i++) {
                        if (i > 0) sb.append(", ");
                        write(sb, l.get(i), indent);
                    }
                    sb.append(']');
                    return;
                }
                sb.append('[');
                for (int i = 0; i < l.size(); i++) {
                    sb.append(i == 0 ? "\n" : ",\n");
                    pad(sb, indent + 1);
                    write(sb, l.get(i), indent + 1);
                }
                sb.append('\n');
                pad(sb, indent);
                sb.append(']');
            }
            default -> throw new IllegalArgumentException("ManifestJson: cannot write a " + v.getClass().getName());
        }
    }

    private static void number(StringBuilder sb, double d) {
        if (Double.isNaN(d)) sb.append("\"NaN\"");
        else if (d == Double.POSITIVE_INFINITY) sb.append("\"Infinity\"");
        else if (d == Double.NEGATIVE_INFINITY) sb.append("\"-Infinity\"");
        else sb.append(Double.toString(d));
    }

    private static void pad(StringBuilder sb, int indent) {
        sb.append("  ".repeat(indent));
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || Character.isSurrogate(c)) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }

    // ------------------------------------------------------------------------------------------------ reading

    /** Parses one JSON value; {@code src} names the text in error messages. */
    static Object parse(String text, String src) throws IOException {
        Parser p = new Parser(text, src);
        p.skipWs();
        Object v = p.value(0);
        p.skipWs();
        if (p.pos != text.length()) throw p.error("unexpected text after the JSON value");
        return v;
    }

    private static final class Parser {
        private final String s;
        private final String src;
        private int pos;

        Parser(String s, String src) {
            this.s = s;
            this.src = src;
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
            return new IOException(src + ": invalid JSON at line " + line + ", column " + col + ": " + what);
        }

        Object value(int depth) throws IOException {
            if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH);
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
                    // too large for a long: fall through to a double
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
