package dev.lamina.tensor;

import dev.lamina.backend.Backend;
import dev.lamina.backend.Comparison;
import dev.lamina.backend.IntegerBinary;
import dev.lamina.backend.IntegerReduction;
import dev.lamina.backend.IntegerUnary;
import dev.lamina.backend.Logical;

import java.util.Arrays;

/**
 * The ops on integer and bool tensors, beside {@link Tensor}'s float ops: exact {@link DType#I64} arithmetic and
 * reductions, comparisons of F32 or I64 tensors giving {@link DType#BOOL}, logic on BOOL, and a select for every
 * dtype. None is on the tape (integers and truth values carry no gradient). Operands broadcast as the float ops do;
 * an operand of the wrong dtype is refused with an error naming the op and both dtypes. {@code Tensor.add} and its
 * siblings stay float-only on purpose: integer arithmetic is asked for by name, so a float model never computes in
 * integers by accident.
 *
 * <p>Shapes, indices and masks go through here, e.g. an ONNX graph's shape arithmetic and masks
 * ({@code dev.lamina.onnx}), where a value above 2^24 must stay exact.
 */
public final class TypedOps {
    private TypedOps() {}

    // ------------------------------------------------------------------------------------------------ I64 arithmetic

    /** a op b on I64 tensors (broadcast) → I64; see {@link IntegerBinary} for each op's definition (Div truncates, Mod floors). */
    public static Tensor integer(IntegerBinary op, Tensor a, Tensor b) {
        String name = op.opName();
        require(name, a, b, DType.I64);
        return backend(name, a, b).integerBinary(op, a, b, outShape(name, a, b));
    }

    public static Tensor add(Tensor a, Tensor b) {
        return integer(IntegerBinary.ADD, a, b);
    }

    public static Tensor sub(Tensor a, Tensor b) {
        return integer(IntegerBinary.SUB, a, b);
    }

    public static Tensor mul(Tensor a, Tensor b) {
        return integer(IntegerBinary.MUL, a, b);
    }

    /** Integer division truncated toward zero: −7 / 2 = −3. */
    public static Tensor div(Tensor a, Tensor b) {
        return integer(IntegerBinary.DIV, a, b);
    }

    /** The remainder with the divisor's sign (Python's %): −7 mod 3 = 2, 7 mod −3 = −2. */
    public static Tensor mod(Tensor a, Tensor b) {
        return integer(IntegerBinary.MOD, a, b);
    }

    /** The remainder with the dividend's sign (C's fmod): −7 fmod 3 = −1, 7 fmod −3 = 1. */
    public static Tensor fmod(Tensor a, Tensor b) {
        return integer(IntegerBinary.FMOD, a, b);
    }

    /** f(x) on an I64 tensor → I64. */
    public static Tensor integer(IntegerUnary op, Tensor x) {
        String name = op.name().toLowerCase(java.util.Locale.ROOT);
        require(name, x, DType.I64);
        return x.backend.integerUnary(op, x);
    }

    /**
     * The reduction of an I64 tensor over {@code dims} (each in [0, rank), distinct) → I64, the reduced dimensions
     * kept at size 1 or removed.
     */
    public static Tensor reduce(IntegerReduction op, Tensor x, int[] dims, boolean keepDims) {
        String name = op.opName();
        require(name, x, DType.I64);
        int[] sorted = dims.clone();
        Arrays.sort(sorted);
        for (int k = 0; k < sorted.length; k++) {
            if (sorted[k] < 0 || sorted[k] >= x.dim() || (k > 0 && sorted[k] == sorted[k - 1])) {
                throw new ShapeException(name + ": dimensions " + Arrays.toString(dims) + " are not distinct dimensions of a tensor of shape " + Shape.str(x.shape));
            }
        }
        Tensor y = x;
        for (int d : sorted) y = y.backend.integerReduce(op, y, d);
        if (!keepDims) {
            for (int k = sorted.length - 1; k >= 0; k--) y = y.squeeze(sorted[k]);
        }
        return y;
    }

    /**
     * The index (I64) of the first maximum or minimum along {@code dim} of an I64 tensor, compared exactly; the
     * dimension kept at size 1 or removed. The dimension must not be empty.
     */
    public static Tensor argExtremum(Tensor x, int dim, boolean max, boolean keepDim) {
        String name = max ? "argmax" : "argmin";
        require(name, x, DType.I64);
        if (dim < 0 || dim >= x.dim() || x.shape[dim] == 0) {
            throw new ShapeException(name + ": dimension " + dim + " of a tensor of shape " + Shape.str(x.shape) + " is out of range or empty");
        }
        Tensor y = x.backend.integerArgExtremum(x, dim, max);
        return keepDim ? y : y.squeeze(dim);
    }

    /**
     * Running sums along {@code dim} of an F32 or I64 tensor (same shape and dtype; F32 summed in double, I64 exactly);
     * {@code exclusive} leaves each element out of its own sum, {@code reverse} sums from the end. Not on the tape.
     */
    public static Tensor cumsum(Tensor x, int dim, boolean exclusive, boolean reverse) {
        if (x.dtype == DType.BOOL) throw new IllegalArgumentException("cumsum: needs an F32 or I64 tensor, got BOOL" + Shape.str(x.shape) + "; convert with to(DType.I64)");
        if (dim < 0 || dim >= x.dim()) throw new ShapeException("cumsum: dimension " + dim + " is out of range for a tensor of shape " + Shape.str(x.shape));
        return x.backend.cumsum(x, dim, exclusive, reverse);
    }

    /** The coordinates of the non-zero (or true) elements of x, any dtype, as I64 [rank, count] in row-major order; a 0-d x counts as [1]. */
    public static Tensor nonZero(Tensor x) {
        return x.backend.nonZero(x.dim() == 0 ? x.reshape(1) : x);
    }

    // ------------------------------------------------------------------------------------------------ comparisons, logic

    /** a op b → BOOL, for two F32 or two I64 tensors (and two BOOL ones for EQ and NE), broadcast. */
    public static Tensor compare(Comparison op, Tensor a, Tensor b) {
        String name = op.opName();
        if (a.dtype != b.dtype || (a.dtype == DType.BOOL && !op.acceptsBool())) {
            throw new IllegalArgumentException(name + ": compares two F32 or two I64 tensors" + (op.acceptsBool() ? " (or two BOOL)" : "")
                    + ", got " + a.dtype + Shape.str(a.shape) + " and " + b.dtype + Shape.str(b.shape) + "; convert one with to(DType)");
        }
        return backend(name, a, b).compare(op, a, b, outShape(name, a, b));
    }

    /** a op b on BOOL tensors (broadcast) → BOOL. */
    public static Tensor logical(Logical op, Tensor a, Tensor b) {
        String name = op.opName();
        require(name, a, b, DType.BOOL);
        return backend(name, a, b).logical(op, a, b, outShape(name, a, b));
    }

    /** ¬x on a BOOL tensor. */
    public static Tensor not(Tensor x) {
        require("not", x, DType.BOOL);
        return x.backend.logicalNot(x);
    }

    /**
     * a where cond else b: cond BOOL, a and b of one dtype (any), all three broadcast; the result has a's dtype. Not on
     * the tape: use {@link Tensor#where} for a differentiable float select.
     */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        if (cond.dtype != DType.BOOL) {
            throw new IllegalArgumentException("where: the condition must be BOOL, got " + cond.dtype + Shape.str(cond.shape) + "; convert it with to(DType.BOOL)");
        }
        if (a.dtype != b.dtype) {
            throw new IllegalArgumentException("where: the two branches must have one dtype, got " + a.dtype + Shape.str(a.shape) + " and " + b.dtype + Shape.str(b.shape));
        }
        backend("where", cond, a);
        int[] out = Shape.broadcast("where", Shape.broadcast("where", cond.shape, a.shape), b.shape);
        return backend("where", a, b).whereAny(cond, a, b, out);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static int[] outShape(String name, Tensor a, Tensor b) {
        return Arrays.equals(a.shape, b.shape) ? a.shape.clone() : Shape.broadcast(name, a.shape, b.shape);
    }

    private static Backend backend(String name, Tensor a, Tensor b) {
        return ElementwiseOps.sameBackend(name, a, b);
    }

    private static void require(String name, Tensor a, Tensor b, DType dtype) {
        if (a.dtype != dtype || b.dtype != dtype) {
            throw new IllegalArgumentException(name + ": needs two " + dtype + " tensors, got " + a.dtype + Shape.str(a.shape) + " and " + b.dtype + Shape.str(b.shape)
                    + "; convert with to(DType." + dtype + ")");
        }
    }

    private static void require(String name, Tensor x, DType dtype) {
        if (x.dtype != dtype) {
            throw new IllegalArgumentException(name + ": needs a " + dtype + " tensor, got " + x.dtype + Shape.str(x.shape) + "; convert with to(DType." + dtype + ")");
        }
    }
}
