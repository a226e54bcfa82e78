package dev.lamina.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A value of a parsed JSON document ({@link ManifestJson}) with the file it came from and its path inside it, for
 * typed access whose errors name both: {@code manifest.json: progress.epoch: -1 is out of range [1, 2147483647]}.
 * Unknown fields can be refused ({@link #allowOnly}), so a file from a newer or a foreign writer is not half read.
 */
public final class JsonCursor {
    private final Object value;
    private final String src;
    private final String path;

    private JsonCursor(Object value, String src, String path) {
        this.value = value;
        this.src = src;
        this.path = path;
    }

    /** The document's root, parsed from {@code src}. */
    public static JsonCursor root(Object value, String src) {
        return new JsonCursor(value, src, "");
    }

    /** The text with control and non-ASCII characters as '?', cut to 60 characters: safe to quote in a message. */
    public static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        return sb.length() > 60 ? sb.substring(0, 60) + "..." : sb.toString();
    }

    public IOException error(String what) {
        return new IOException(src + ": " + (path.isEmpty() ? "" : path + ": ") + what);
    }

    private String type() {
        return switch (value) {
            case null -> "null";
            case Map<?, ?> m -> "an object";
            case List<?> l -> "an array";
            case String s -> "a string";
            case Boolean b -> "a boolean";
            default -> "a number";
        };
    }

    private Map<?, ?> map() throws IOException {
        if (!(value instanceof Map<?, ?> m)) throw error("expected an object, got " + type());
        return m;
    }

    public boolean has(String key) throws IOException {
        return map().containsKey(key);
    }

    public JsonCursor get(String key) throws IOException {
        Map<?, ?> m = map();
        if (!m.containsKey(key)) throw error("missing field \"" + key + "\"");
        return new JsonCursor(m.get(key), src, path.isEmpty() ? key : path + "." + key);
    }

    public List<String> keys() throws IOException {
        List<String> out = new ArrayList<>();
        for (Object k : map().keySet()) out.add((String) k);
        return out;
    }

    public void allowOnly(String... keys) throws IOException {
        Set<String> allowed = Set.of(keys);
        for (String k : keys()) if (!allowed.contains(k)) throw error("unknown field \"" + printable(k) + "\"");
    }

    public List<JsonCursor> list() throws IOException {
        if (!(value instanceof List<?> l)) throw error("expected an array, got " + type());
        List<JsonCursor> out = new ArrayList<>();
        for (int i = 0; i < l.size(); i++) out.add(new JsonCursor(l.get(i), src, path + "[" + i + "]"));
        return out;
    }

    public boolean isNull() {
        return value == null;
    }

    public String string() throws IOException {
        if (!(value instanceof String s)) throw error("expected a string, got " + type());
        return s;
    }

    public String oneOf(String... options) throws IOException {
        String s = string();
        if (!List.of(options).contains(s)) throw error("expected one of " + List.of(options) + ", got \"" + printable(s) + "\"");
        return s;
    }

    public boolean bool() throws IOException {
        if (!(value instanceof Boolean b)) throw error("expected true or false, got " + type());
        return b;
    }

    public long longIn(long min, long max) throws IOException {
        if (!(value instanceof Long l)) throw error("expected an integer, got " + (value instanceof Double d ? d.toString() : type()));
        if (l < min || l > max) throw error(l + " is out of range [" + min + ", " + max + "]");
        return l;
    }

    public long longValue() throws IOException {
        return longIn(Long.MIN_VALUE, Long.MAX_VALUE);
    }

    public int intIn(int min, int max) throws IOException {
        return (int) longIn(min, max);
    }

    public double doubleValue() throws IOException {
        return switch (value) {
            case Long l -> l;
            case Double d -> d;
            case String s when s.equals("NaN") -> Double.NaN;
            case String s when s.equals("Infinity") -> Double.POSITIVE_INFINITY;
            case String s when s.equals("-Infinity") -> Double.NEGATIVE_INFINITY;
            case null, default -> throw error("expected a number, got " + type());
        };
    }

    public long hexLong() throws IOException {
        String s = string();
        if (!s.matches("0x[0-9a-f]{16}")) throw error("expected 0x and 16 hex digits, got \"" + printable(s) + "\"");
        return Long.parseUnsignedLong(s.substring(2), 16);
    }
}
