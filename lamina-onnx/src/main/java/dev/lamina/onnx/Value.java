package dev.lamina.onnx;

import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * A value flowing through an imported graph: a float tensor (ONNX float, double and float16 all run as float32) or
 * an integer array (int64, int32, int8, uint8, int16 and bool, kept as {@code long}s with the ONNX element type),
 * the small side representation for shapes, indices and masks.
 */
final class Value {
    /** Integer arrays go through Lamina's view ops as float positions, exact up to 2^24 elements. */
    static final int MAX_INT_ELEMENTS = 1 << 24;

    final Tensor f;
    final long[] ints;
    final int[] shape;
    /** ONNX TensorProto.DataType number. */
    final int type;

    private Value(Tensor f, long[] ints, int[] shape, int type) {
        this.f = f;
        this.ints = ints;
        this.shape = shape;
        this.type = type;
    }

    static Value of(Tensor t) {
        return new Value(t, null, t.shape(), DataTypes.FLOAT);
    }

    static Value ints(long[] v, int[] shape, int type) {
        if (Shape.size(shape) != v.length) throw new IllegalStateException("int value of " + v.length + " elements for shape " + Shape.str(shape));
        return new Value(null, v, shape.clone(), type);
    }

    static Value int64(long[] v, int... shape) {
        return ints(v, shape, DataTypes.INT64);
    }

    static Value bool(Tensor zeroOne) {
        float[] a = zeroOne.toArray();
        long[] v = new long[a.length];
        for (int i = 0; i < a.length; i++) v[i] = a[i] != 0 ? 1 : 0;
        return ints(v, zeroOne.shape(), DataTypes.BOOL);
    }

    boolean isFloat() {
        return f != null;
    }

    int rank() {
        return shape.length;
    }

    int numel() {
        return Shape.size(shape);
    }

    /** The values as a float tensor (integers converted). */
    Tensor toFloat() {
        if (f != null) return f;
        float[] a = new float[ints.length];
        for (int i = 0; i < a.length; i++) a[i] = ints[i];
        return Tensor.of(a, shape.clone());
    }

    /** The values as longs; a float tensor must hold whole numbers. */
    long[] toLongs(String what) {
        if (ints != null) return ints;
        float[] a = f.toArray();
        long[] v = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            if (a[i] != Math.rint(a[i])) throw new IllegalArgumentException(what + " must hold whole numbers, got " + a[i]);
            v[i] = (long) a[i];
        }
        return v;
    }

    /** Applies a pure re-indexing op (reshape, permute, slice, expand, index-select, cat of one) to either kind. */
    Value restructure(UnaryOperator<Tensor> op) {
        if (f != null) return of(op.apply(f));
        Tensor moved = op.apply(positions());
        return ints(pick(moved), moved.shape(), type);
    }

    /** Tensor whose element i is i (as float), in this value's shape; for re-indexing integer arrays. */
    Tensor positions() {
        if (ints.length > MAX_INT_ELEMENTS) throw new IllegalArgumentException("integer tensor of " + ints.length + " elements is too large to re-index (limit " + MAX_INT_ELEMENTS + ")");
        float[] p = new float[ints.length];
        for (int i = 0; i < p.length; i++) p[i] = i;
        return Tensor.of(p, shape.clone());
    }

    /** The integers at the positions held by {@code moved}. */
    long[] pick(Tensor moved) {
        float[] p = moved.toArray();
        long[] out = new long[p.length];
        for (int i = 0; i < p.length; i++) out[i] = ints[(int) p[i]];
        return out;
    }

    @Override
    public String toString() {
        return DataTypes.name(type) + Shape.str(shape) + (ints != null && ints.length <= 8 ? Arrays.toString(ints) : "");
    }
}
