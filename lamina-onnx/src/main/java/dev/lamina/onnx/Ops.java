package dev.lamina.onnx;

import dev.lamina.tensor.DType;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The operator table: for each supported default-domain operator (opsets 13–20) and each of its versions the input
 * and output counts and the function that evaluates it on {@link Tensor}s
 * (F32, I64 or BOOL; see {@link DataTypes} for how ONNX element types map onto them). As in ONNX, a model importing opset V uses
 * the version with the largest since-version ≤ V. Checked up front by {@link OnnxModel#load}, so a model with an
 * unknown operator, a wrong number of inputs or an attribute its version no longer has fails before anything runs.
 */
final class Ops {
    private Ops() {}

    /** Evaluates one node; {@code in[k]} is null for an omitted optional input. */
    @FunctionalInterface
    interface Impl {
        Tensor[] apply(GraphNode n, Tensor[] in);
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
    static int axis(GraphNode n, long a, int rank) {
        if (a < -rank || a >= rank) throw n.error("axis " + a + " is out of range for rank " + rank);
        return (int) (a < 0 ? a + rank : a);
    }

    /** Whether a value is F32 (ONNX float, double and float16 all run as F32). */
    static boolean isFloat(Tensor v) {
        return v.dtype() == DType.F32;
    }

    /** A value as F32 (I64 rounded to the nearest float, BOOL as 0 and 1); an F32 value itself. */
    static Tensor toFloat(Tensor v) {
        return v.to(DType.F32);
    }

    /** The values as longs (BOOL as 0 and 1); an F32 value must hold whole numbers, {@code what} names it in the error. */
    static long[] toLongs(Tensor v, String what) {
        if (v.dtype() == DType.I64) return v.toLongArray();
        if (v.dtype() == DType.BOOL) return v.to(DType.I64).toLongArray();
        float[] a = v.toArray();
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            if (a[i] != Math.rint(a[i]) || Float.isInfinite(a[i])) throw new IllegalArgumentException(what + " must hold whole numbers, got " + a[i]);
            out[i] = (long) a[i];
        }
        return out;
    }

    /** A float input: F32 required, the error naming the node, its op, the input and the dtype it got. */
    static Tensor floatInput(GraphNode n, Tensor v, String what) {
        if (v == null) throw n.error("input '" + what + "' is required");
        if (v.dtype() != DType.F32) {
            throw n.error("input '" + what + "' must be a float tensor, got " + v.dtype() + " (ONNX " + DataTypes.name(DataTypes.of(v)) + ") of shape " + Shape.str(v.shape()));
        }
        return v;
    }

    /** An integer input (shape, axes, pads, repeats) as longs, read on the host. */
    static long[] longs(GraphNode n, Tensor v, String what) {
        if (v == null) throw n.error("input '" + what + "' is required");
        if (v.dtype() == DType.F32) throw n.error("input '" + what + "' must be an integer tensor, got float");
        return toLongs(v, what);
    }

    static int[] toInts(GraphNode n, long[] v, String what) {
        int[] out = new int[v.length];
        for (int k = 0; k < v.length; k++) {
            if (v[k] != (int) v[k]) throw n.error(what + " value " + v[k] + " is out of range");
            out[k] = (int) v[k];
        }
        return out;
    }

    /** A one-element input as a double (float or integer). */
    static double scalar(GraphNode n, Tensor v, String what) {
        if (v == null) throw n.error("input '" + what + "' is required");
        if (v.numel() != 1) throw n.error("input '" + what + "' must hold one value, got shape " + Shape.str(v.shape()));
        return isFloat(v) ? v.toArray()[0] : toLongs(v, what)[0];
    }

    static void checkSize(GraphNode n, int[] shape) {
        long size = 1;
        for (int d : shape) {
            if (d < 0) throw n.error("negative dimension in shape " + Shape.str(shape));
            size *= d;
            if (size > DataTypes.MAX_ELEMENTS) throw n.error("shape " + Shape.str(shape) + " has more than " + DataTypes.MAX_ELEMENTS + " elements");
        }
    }

    /** A value as BOOL: (x != 0) for F32 and I64, a BOOL value itself. */
    static Tensor toBool(Tensor v) {
        return v.to(DType.BOOL);
    }

    /** The one value of {@code scalar} repeated over {@code shape}, in the scalar's dtype (ConstantOfShape, Pad's fill). */
    static Tensor full(Tensor scalar, int[] shape) {
        int n = Shape.size(shape);
        return switch (scalar.dtype()) {
            case F32 -> Tensor.full(scalar.toArray()[0], shape);
            case I64 -> {
                long[] v = new long[n];
                Arrays.fill(v, scalar.toLongArray()[0]);
                yield Tensor.ofLongs(v, shape);
            }
            case BOOL -> {
                boolean[] v = new boolean[n];
                Arrays.fill(v, scalar.toBooleanArray()[0]);
                yield Tensor.ofBooleans(v, shape);
            }
        };
    }

    /** A zero (false) of a dtype, of the given shape. */
    static Tensor zeros(DType dtype, int... shape) {
        int n = Shape.size(shape);
        return switch (dtype) {
            case F32 -> Tensor.zeros(shape);
            case I64 -> Tensor.ofLongs(new long[n], shape);
            case BOOL -> Tensor.ofBooleans(new boolean[n], shape);
        };
    }

    static Tensor[] one(Tensor v) {
        return new Tensor[] {v};
    }
}
