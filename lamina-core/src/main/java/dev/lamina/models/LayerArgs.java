package dev.lamina.models;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The arguments of one layer of a model definition file, read with the types they must have; every error names the
 * layer ({@code layers[3] (Conv2d)}), the argument, what was expected and what the file holds.
 */
final class LayerArgs {
    private final String who;
    private final Map<String, Object> args;

    LayerArgs(String who, Map<String, Object> args) {
        this.who = who;
        this.args = args;
    }

    String who() {
        return who;
    }

    IllegalArgumentException error(String message) {
        return new IllegalArgumentException(who + ": " + message);
    }

    boolean has(String name) {
        return args.containsKey(name) && args.get(name) != null;
    }

    /** A required integer. */
    int i(String name) {
        return toInt(name, required(name, "an integer"));
    }

    int i(String name, int fallback) {
        return has(name) ? toInt(name, args.get(name)) : fallback;
    }

    /** An optional integer, null when absent or null. */
    Integer optionalInt(String name) {
        return has(name) ? toInt(name, args.get(name)) : null;
    }

    double d(String name, double fallback) {
        return has(name) ? toDouble(name, args.get(name)) : fallback;
    }

    Double optionalDouble(String name) {
        return has(name) ? toDouble(name, args.get(name)) : null;
    }

    boolean b(String name, boolean fallback) {
        if (!has(name)) return fallback;
        Object v = args.get(name);
        if (v instanceof Boolean b) return b;
        throw typeError(name, "true or false", v);
    }

    Boolean optionalBool(String name) {
        return has(name) ? b(name, false) : null;
    }

    String s(String name, String fallback) {
        if (!has(name)) return fallback;
        Object v = args.get(name);
        if (v instanceof String s) return s;
        throw typeError(name, "a string", v);
    }

    /** An integer or a list of {@code n} integers (kernel sizes, strides), as PyTorch's {@code _pair}. */
    int[] ints(String name, int n) {
        return toInts(name, required(name, "an integer or a list of " + n + " integers"), n);
    }

    int[] ints(String name, int n, int[] fallback) {
        return has(name) ? toInts(name, args.get(name), n) : fallback;
    }

    /** A list of integers of any length (or one integer): shapes. */
    int[] shape(String name) {
        Object v = required(name, "an integer or a list of integers");
        if (v instanceof List<?> l) {
            int[] out = new int[l.size()];
            for (int k = 0; k < out.length; k++) out[k] = toInt(name + "[" + k + "]", l.get(k));
            return out;
        }
        return new int[] {toInt(name, v)};
    }

    /** A number or a list of {@code n} numbers. */
    double[] doubles(String name, int n) {
        if (!has(name)) return null;
        Object v = args.get(name);
        if (v instanceof List<?> l) {
            if (l.size() != 1 && l.size() != n) throw typeError(name, "a number or a list of 1 or " + n + " numbers", v);
            double[] out = new double[l.size()];
            for (int k = 0; k < out.length; k++) out[k] = toDouble(name + "[" + k + "]", l.get(k));
            return out;
        }
        return new double[] {toDouble(name, v)};
    }

    private Object required(String name, String what) {
        if (!has(name)) throw error("missing argument '" + name + "' (" + what + ")");
        return args.get(name);
    }

    private int toInt(String name, Object v) {
        if (v instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) return (int) (long) l;
        throw typeError(name, "an integer", v);
    }

    private double toDouble(String name, Object v) {
        if (v instanceof Long l) return l;
        if (v instanceof Double d) return d;
        throw typeError(name, "a number", v);
    }

    private int[] toInts(String name, Object v, int n) {
        if (v instanceof List<?> l) {
            if (l.size() != n) throw typeError(name, "an integer or a list of " + n + " integers", v);
            int[] out = new int[n];
            for (int k = 0; k < n; k++) out[k] = toInt(name + "[" + k + "]", l.get(k));
            return out;
        }
        if (!(v instanceof Long)) throw typeError(name, "an integer or a list of " + n + " integers", v);
        int x = toInt(name, v);
        int[] out = new int[n];
        java.util.Arrays.fill(out, x);
        return out;
    }

    private IllegalArgumentException typeError(String name, String expected, Object actual) {
        return error("argument '" + name + "' must be " + expected + ", got " + describe(actual));
    }

    static String describe(Object v) {
        return switch (v) {
            case null -> "null";
            case String s -> "the string \"" + s + "\"";
            case List<?> l -> "the list " + l;
            case Map<?, ?> m -> "an object";
            default -> v.toString();
        };
    }

    /** Rejects arguments outside {@code known}, listing those the layer takes. */
    void allowOnly(List<String> known) {
        List<String> unknown = new ArrayList<>();
        for (String k : args.keySet()) if (!k.equals("type") && !known.contains(k)) unknown.add(k);
        if (!unknown.isEmpty()) {
            throw error("unknown argument" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown.stream().map(u -> "'" + u + "'").toList())
                    + "; it takes " + (known.isEmpty() ? "no arguments" : String.join(", ", known)));
        }
    }
}
