package dev.lamina.io;

import java.io.IOException;
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

    /**
     * {@code s} as a JSON string literal: quotes, backslashes and control characters escaped, and also U+2028/U+2029
     * and surrogates, so the text is safe inside a script and plain ASCII outside the BMP.
     */
    static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029' || Character.isSurrogate(c)) sb.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }

    // ------------------------------------------------------------------------------------------------ reading

    /** Parses one JSON value; {@code src} names the text in error messages. */
    static Object parse(String text, String src) throws IOException {
        return StrictJson.parse(text, src, "JSON", MAX_DEPTH, false);
    }
}
