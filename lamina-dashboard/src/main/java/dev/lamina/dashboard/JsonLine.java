package dev.lamina.dashboard;

import java.util.List;
import java.util.Map;

/**
 * Compact one-line JSON for the tree {@link dev.lamina.io.JsonTree} reads ({@code Map}, {@code List},
 * {@code String}, numbers, {@code Boolean}, {@code null}); also {@code double[]}, {@code float[]}, {@code long[]}
 * and {@code long[][]}. NaN and infinities become {@code null}, so every line parses as strict JSON.
 */
final class JsonLine {
    private JsonLine() {
    }

    static String of(Object value) {
        StringBuilder sb = new StringBuilder(128);
        write(sb, value);
        return sb.toString();
    }

    static void write(StringBuilder sb, Object v) {
        switch (v) {
            case null -> sb.append("null");
            case String s -> string(sb, s);
            case Boolean b -> sb.append(b);
            case Integer i -> sb.append(i);
            case Long l -> sb.append(l);
            case Number n -> number(sb, n.doubleValue());
            case Map<?, ?> m -> {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) sb.append(',');
                    first = false;
                    string(sb, String.valueOf(e.getKey()));
                    sb.append(':');
                    write(sb, e.getValue());
                }
                sb.append('}');
            }
            case List<?> l -> {
                sb.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) sb.append(',');
                    write(sb, l.get(i));
                }
                sb.append(']');
            }
            case double[] a -> {
                sb.append('[');
                for (int i = 0; i < a.length; i++) {
                    if (i > 0) sb.append(',');
                    number(sb, a[i]);
                }
                sb.append(']');
            }
            case float[] a -> {
                sb.append('[');
                for (int i = 0; i < a.length; i++) {
                    if (i > 0) sb.append(',');
                    number(sb, a[i]);
                }
                sb.append(']');
            }
            case long[] a -> {
                sb.append('[');
                for (int i = 0; i < a.length; i++) {
                    if (i > 0) sb.append(',');
                    sb.append(a[i]);
                }
                sb.append(']');
            }
            case long[][] a -> {
                sb.append('[');
                for (int i = 0; i < a.length; i++) {
                    if (i > 0) sb.append(',');
                    write(sb, a[i]);
                }
                sb.append(']');
            }
            default -> throw new IllegalArgumentException("JsonLine: cannot write a " + v.getClass().getName());
        }
    }

    private static void number(StringBuilder sb, double d) {
        if (!Double.isFinite(d)) sb.append("null");
        else if (d == Math.rint(d) && Math.abs(d) < 1e15) sb.append((long) d);
        else sb.append((float) d == d ? Float.toString((float) d) : Double.toString(d));
    }

    static void string(StringBuilder sb, String s) {
        dev.lamina.io.JsonTree.quote(sb, s);
    }
}
