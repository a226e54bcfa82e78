package dev.lamina.cli;

import java.util.Locale;

/** A one-line JSON object written by hand: numbers (NaN and infinities become null), integers and strings. */
final class Json {
    private final StringBuilder sb = new StringBuilder("{");

    private Json key(String key) {
        if (sb.length() > 1) sb.append(',');
        string(sb, key);
        sb.append(':');
        return this;
    }

    Json put(String key, double value) {
        key(key);
        sb.append(Double.isFinite(value) ? Double.toString(value) : "null");
        return this;
    }

    Json put(String key, long value) {
        key(key);
        sb.append(value);
        return this;
    }

    Json put(String key, String value) {
        key(key);
        if (value == null) sb.append("null");
        else string(sb, value);
        return this;
    }

    @Override
    public String toString() {
        return sb + "}";
    }

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
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
