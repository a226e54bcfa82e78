package dev.lamina.onnx;

import dev.lamina.tensor.Shape;

import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The operator table: for each supported default-domain operator (opsets 13–20) and each of its versions the input
 * and output counts and the function that evaluates it on {@link Value}s. As in ONNX, a model importing opset V uses
 * the version with the largest since-version ≤ V. Checked up front by {@link OnnxModel#load}, so a model with an
 * unknown operator, a wrong number of inputs or an attribute its version no longer has fails before anything runs.
 */
final class Ops {
    private Ops() {}

    /** Evaluates one node; {@code in[k]} is null for an omitted optional input. */
    @FunctionalInterface
    interface Impl {
        Value[] apply(Node n, Value[] in);
    }

    /**
     * One version of an operator: the opset it appeared in ({@code since}), required and maximum inputs, maximum
     * outputs the importer produces, and the attributes earlier versions had but this one does not (name → what
     * replaced it), which a node at this version is rejected for.
     */
    record Spec(int since, int minInputs, int maxInputs, int maxOutputs, Impl impl, Map<String, String> removedAttributes) {}

    static final int MANY = Integer.MAX_VALUE;

    /** Since-version of the operators registered without one: valid from the lowest supported opset on. */
    static final int BASE = 1;

    private static final Map<String, NavigableMap<Integer, Spec>> SPECS = new HashMap<>();

    /** Registers an operator valid at every supported opset (until a later version is registered). */
    static void register(String op, int minIn, int maxIn, int maxOut, Impl impl) {
        register(op, BASE, minIn, maxIn, maxOut, impl, Map.of());
    }

    /** Registers the version of {@code op} introduced at opset {@code since}. */
    static void register(String op, int since, int minIn, int maxIn, int maxOut, Impl impl, Map<String, String> removedAttributes) {
        if (SPECS.computeIfAbsent(op, k -> new TreeMap<>()).put(since, new Spec(since, minIn, maxIn, maxOut, impl, Map.copyOf(removedAttributes))) != null) {
            throw new IllegalStateException(op + " version " + since + " registered twice");
        }
    }

    static {
        MathOps.registerAll();
        ShapeOps.registerAll();
        NnOps.registerAll();
        RnnOps.registerAll();
        IndexOps.registerAll();
        EinsumOp.registerAll();
        RearrangeOps.registerAll();
        ScanOps.registerAll();
        Opsets18To20.registerAll();
        ResizeOps.registerAll();
        Fusion.registerAll();
    }

    /** The version of an ONNX operator that a model importing {@code opset} uses, or null; internal operators (named with a dot) are not found here. */
    static Spec spec(String op, int opset) {
        return op.contains(".") ? null : internalSpec(op, opset);
    }

    /** The version of any operator, internal ones included (for running a validated, possibly fused, plan). */
    static Spec internalSpec(String op, int opset) {
        NavigableMap<Integer, Spec> versions = SPECS.get(op);
        if (versions == null) return null;
        Map.Entry<Integer, Spec> e = versions.floorEntry(opset);
        return e == null ? null : e.getValue();
    }

    /** The first opset at which the importer supports {@code op}, or -1 when it does not know the operator. */
    static int firstOpset(String op) {
        NavigableMap<Integer, Spec> versions = SPECS.get(op);
        return versions == null || op.contains(".") ? -1 : Math.max(versions.firstKey(), OnnxModel.MIN_OPSET);
    }

    /** Names of all supported ONNX operators, sorted. */
    static Set<String> supported() {
        Set<String> s = new TreeSet<>(SPECS.keySet());
        s.removeIf(op -> op.contains("."));
        return s;
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** Normalises a possibly negative axis against {@code rank}. */
    static int axis(Node n, long a, int rank) {
        if (a < -rank || a >= rank) throw n.error("axis " + a + " is out of range for rank " + rank);
        return (int) (a < 0 ? a + rank : a);
    }

    static Value floatInput(Node n, Value v, String what) {
        if (v == null) throw n.error("input '" + what + "' is required");
        if (!v.isFloat()) throw n.error("input '" + what + "' must be a float tensor, got " + DataTypes.name(v.type));
        return v;
    }

    /** An integer input (shape, axes, pads, repeats) as longs. */
    static long[] longs(Node n, Value v, String what) {
        if (v == null) throw n.error("input '" + what + "' is required");
        if (v.isFloat()) throw n.error("input '" + what + "' must be an integer tensor, got float");
        return v.ints;
    }

    static int[] toInts(Node n, long[] v, String what) {
        int[] out = new int[v.length];
        for (int k = 0; k < v.length; k++) {
            if (v[k] != (int) v[k]) throw n.error(what + " value " + v[k] + " is out of range");
            out[k] = (int) v[k];
        }
        return out;
    }

    /** A one-element input as a double (float or integer). */
    static double scalar(Node n, Value v, String what) {
        if (v == null) throw n.error("input '" + what + "' is required");
        if (v.numel() != 1) throw n.error("input '" + what + "' must hold one value, got shape " + Shape.str(v.shape));
        return v.isFloat() ? v.f.toArray()[0] : v.ints[0];
    }

    static void checkSize(Node n, int[] shape) {
        long size = 1;
        for (int d : shape) {
            if (d < 0) throw n.error("negative dimension in shape " + Shape.str(shape));
            size *= d;
            if (size > DataTypes.MAX_ELEMENTS) throw n.error("shape " + Shape.str(shape) + " has more than " + DataTypes.MAX_ELEMENTS + " elements");
        }
    }

    /** A bool view of a value: integers as they are, floats as (x != 0). */
    static Value floatToBool(Node n, Value v) {
        return v.isFloat() ? MathOps.cast(n, v, DataTypes.BOOL) : v;
    }

    static Value[] one(Value v) {
        return new Value[] {v};
    }
}
