package dev.lamina.cli;

import java.util.Locale;

/** A one-line JSON object written by hand: numbers (NaN and infinities become null), integers, strings and nested JSON. */
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
        sb.append(number(value));
        return this;
    }

    /** A number as JSON: null for NaN and infinities. */
    static String number(double value) {
        return Double.isFinite(value) ? Double.toString(value) : "null";
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

    /** A value that is already JSON: an array or object built with {@link #array} or another {@code Json}. */
    Json putJson(String key, String json) {
        key(key);
        sb.append(json);
        return this;
    }

    /** A JSON array of values that are already JSON. */
    static String array(Iterable<String> values) {
        StringBuilder a = new StringBuilder("[");
        for (String v : values) {
            if (a.length() > 1) a.append(',');
            a.append(v);
        }
        return a.append(']').toString();
    }

    @Override
    public String toString() {
        return sb + "}";
    }

    static void string(StringBuilder sb, String s) {
        dev.lamina.io.JsonTree.quote(sb, s);
    }
}
