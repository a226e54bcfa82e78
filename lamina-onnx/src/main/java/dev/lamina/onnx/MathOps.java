package dev.lamina.onnx;

import static dev.lamina.onnx.Ops.MANY;
import static dev.lamina.onnx.Ops.axis;
import static dev.lamina.onnx.Ops.floatInput;
import static dev.lamina.onnx.Ops.one;
import static dev.lamina.onnx.Ops.register;

import dev.lamina.backend.Comparison;
import dev.lamina.backend.IntegerBinary;
import dev.lamina.backend.IntegerReduction;
import dev.lamina.backend.IntegerUnary;
import dev.lamina.backend.Logical;
import dev.lamina.nn.functional.LinearOp;
import dev.lamina.tensor.DType;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;
import dev.lamina.tensor.TypedOps;

import java.util.Arrays;
import java.util.function.BinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;

/**
 * Element-wise, comparison, reduction and matrix operators. F32 tensors go through Lamina's {@link Tensor} ops;
 * integer (I64) and bool values through {@link TypedOps}, exactly and with the same broadcasting rules (ONNX's
 * integer Div truncates toward zero; Mod follows its fmod attribute); comparisons give BOOL.
 */
final class MathOps {
    private MathOps() {}

    static void registerAll() {
        unary("Relu", Tensor::relu);
        unary("Sigmoid", Tensor::sigmoid);
        unary("Tanh", Tensor::tanh);
        unary("Exp", Tensor::exp);
        unary("Log", Tensor::log);
        unary("Sqrt", Tensor::sqrt);
        unary("Reciprocal", Tensor::reciprocal);
        unary("Erf", t -> map(t, MathOps::erf));
        unary("Floor", t -> map(t, Math::floor));
        unary("Ceil", t -> map(t, Math::ceil));
        unary("Round", t -> map(t, Math::rint));
        unary("Sin", t -> map(t, Math::sin));
        unary("Cos", t -> map(t, Math::cos));
        unary("Softplus", t -> map(t, v -> v > 20 ? v : Math.log1p(Math.exp(v))));
        unary("Softsign", t -> map(t, v -> v / (1 + Math.abs(v))));
        register("Neg", 1, 1, 1, (n, in) -> one(Ops.isFloat(in[0]) ? in[0].neg() : TypedOps.integer(IntegerUnary.NEG, integer(n, in[0], "X"))));
        register("Abs", 1, 1, 1, (n, in) -> one(Ops.isFloat(in[0]) ? in[0].abs() : TypedOps.integer(IntegerUnary.ABS, integer(n, in[0], "X"))));
        register("Sign", 1, 1, 1, (n, in) -> one(Ops.isFloat(in[0]) ? in[0].sign() : TypedOps.integer(IntegerUnary.SIGN, integer(n, in[0], "X"))));
        register("LeakyRelu", 1, 1, 1, (n, in) -> one(floatInput(n, in[0], "X").leakyRelu(n.f("alpha", 0.01f))));
        register("Elu", 1, 1, 1, (n, in) -> one(floatInput(n, in[0], "X").elu(n.f("alpha", 1f))));
        register("Selu", 1, 1, 1, (n, in) -> {
            double alpha = n.f("alpha", 1.67326319217681884765625f), gamma = n.f("gamma", 1.05070102214813232421875f);
            return one(map(floatInput(n, in[0], "X"), v -> gamma * (v > 0 ? v : alpha * Math.expm1(v))));
        });
        register("HardSigmoid", 1, 1, 1, (n, in) -> {
            double alpha = n.f("alpha", 0.2f), beta = n.f("beta", 0.5f);
            return one(map(floatInput(n, in[0], "X"), v -> Math.max(0, Math.min(1, alpha * v + beta))));
        });
        register("HardSwish", 1, 1, 1, (n, in) -> one(map(floatInput(n, in[0], "X"), v -> v * Math.max(0, Math.min(1, v / 6 + 0.5)))));
        register("PRelu", 2, 2, 1, (n, in) -> {
            Tensor x = floatInput(n, in[0], "X"), slope = floatInput(n, in[1], "slope");
            return one(Tensor.where(x.lt(0f), x.mul(slope), x));
        });
        register("Clip", 1, 3, 1, (n, in) -> {
            if (in[0] != null && in[0].dtype() == DType.I64) return one(integerClip(n, in));
            Tensor x = floatInput(n, in[0], "input");
            float lo = in.length > 1 && in[1] != null ? (float) Ops.scalar(n, in[1], "min") : Float.NEGATIVE_INFINITY;
            float hi = in.length > 2 && in[2] != null ? (float) Ops.scalar(n, in[2], "max") : Float.POSITIVE_INFINITY;
            return one(x.clamp(lo, hi));
        });
        register("IsNaN", 1, 1, 1, (n, in) -> one(floatTest(n, in[0], v -> Float.isNaN(v))));
        register("IsInf", 1, 1, 1, (n, in) -> {
            boolean neg = n.i("detect_negative", 1) != 0, pos = n.i("detect_positive", 1) != 0;
            return one(floatTest(n, in[0], v -> v == Float.POSITIVE_INFINITY ? pos : v == Float.NEGATIVE_INFINITY && neg));
        });
        register("Not", 1, 1, 1, (n, in) -> one(TypedOps.not(Ops.toBool(in[0]))));

        binary("Add", Tensor::add, IntegerBinary.ADD);
        binary("Sub", Tensor::sub, IntegerBinary.SUB);
        binary("Mul", Tensor::mul, IntegerBinary.MUL);
        binary("Div", Tensor::div, IntegerBinary.DIV);   // integers: truncated toward zero
        binary("Pow", Tensor::pow, IntegerBinary.POW);
        register("Sum", 1, MANY, 1, (n, in) -> one(fold(n, in, Tensor::add, IntegerBinary.ADD)));
        register("Mean", 1, MANY, 1, (n, in) -> one(Ops.toFloat(fold(n, in, Tensor::add, IntegerBinary.ADD)).div(in.length)));
        register("Max", 1, MANY, 1, (n, in) -> one(fold(n, in, Tensor::maximum, IntegerBinary.MAX)));
        register("Min", 1, MANY, 1, (n, in) -> one(fold(n, in, Tensor::minimum, IntegerBinary.MIN)));
        register("Mod", 2, 2, 1, (n, in) -> {
            boolean fmod = n.i("fmod", 0) != 0;
            if (Ops.isFloat(in[0]) || Ops.isFloat(in[1])) {
                if (!fmod) throw n.error("float Mod needs fmod=1");
                return one(floatBinary(in[0], in[1], (a, b) -> a.sub(b.mul(map(a.div(b), v -> v < 0 ? Math.ceil(v) : Math.floor(v))))));
            }
            // fmod=0: the remainder takes the divisor's sign (Python's %); fmod=1: the dividend's (C's fmod)
            return one(integerBinary(n, in[0], in[1], fmod ? IntegerBinary.FMOD : IntegerBinary.MOD));
        });

        compare("Equal", Comparison.EQ);
        compare("Greater", Comparison.GT);
        compare("Less", Comparison.LT);
        compare("GreaterOrEqual", Comparison.GE);
        compare("LessOrEqual", Comparison.LE);
        logical("And", Logical.AND);
        logical("Or", Logical.OR);
        logical("Xor", Logical.XOR);

        register("Where", 3, 3, 1, (n, in) -> one(where(n, in[0], in[1], in[2])));
        register("Cast", 1, 1, 1, (n, in) -> one(cast(n, in[0], (int) n.i("to", 0))));
        register("CastLike", 2, 2, 1, (n, in) -> one(cast(n, in[0], DataTypes.of(in[1]))));

        register("MatMul", 2, 2, 1, (n, in) -> {
            Tensor a = floatInput(n, in[0], "A"), b = floatInput(n, in[1], "B");
            if (n.packedB != null && a.dim() >= 2 && a.size(a.dim() - 1) == n.packedB.k()) return one(packedProduct(n, a, false, null));
            return one(a.matmul(b));
        });
        register("Gemm", 2, 3, 1, MathOps::gemm);

        register("Softmax", 1, 1, 1, (n, in) -> {
            Tensor x = floatInput(n, in[0], "input");
            return one(x.dim() == 0 ? Tensor.ones() : x.softmax(axis(n, n.i("axis", -1), x.dim())));
        });
        register("LogSoftmax", 1, 1, 1, (n, in) -> {
            Tensor x = floatInput(n, in[0], "input");
            return one(x.dim() == 0 ? Tensor.zeros() : x.logSoftmax(axis(n, n.i("axis", -1), x.dim())));
        });

        // opset 13: ReduceSum takes axes as an input; the others as an attribute (until opset 18)
        register("ReduceSum", 1, 2, 1, (n, in) -> one(reduce(n, in[0], axesInput(n, in), "sum")));
        for (String r : new String[] {"Mean", "Max", "Min", "Prod", "SumSquare", "L1", "L2", "LogSumExp"}) {
            String kind = r.toLowerCase();
            register("Reduce" + r, 1, 1, 1, (n, in) -> one(reduce(n, in[0], n.ints("axes"), kind)));
        }
        register("ArgMax", 1, 1, 1, (n, in) -> one(argReduce(n, in[0], true)));
        register("ArgMin", 1, 1, 1, (n, in) -> one(argReduce(n, in[0], false)));
    }

    // ------------------------------------------------------------------------------------------------ element-wise

    private static void unary(String op, UnaryOperator<Tensor> fn) {
        register(op, 1, 1, 1, (n, in) -> one(fn.apply(floatInput(n, in[0], "X"))));
    }

    /** Applies a double function to every element (a fresh contiguous tensor). */
    static Tensor map(Tensor t, DoubleUnaryOperator fn) {
        float[] a = t.toArray();
        for (int k = 0; k < a.length; k++) a[k] = (float) fn.applyAsDouble(a[k]);
        return Tensor.of(a, t.shape());
    }

    /** A bool tensor: whether each element of the float input X passes {@code test} (IsNaN, IsInf). */
    private static Tensor floatTest(GraphNode n, Tensor x, java.util.function.Predicate<Float> test) {
        float[] a = floatInput(n, x, "X").toArray();
        boolean[] o = new boolean[a.length];
        for (int k = 0; k < a.length; k++) o[k] = test.test(a[k]);
        return Tensor.ofBooleans(o, x.shape());
    }

    /** Clip of an I64 input: max(min) by the optional integer bounds, exactly. */
    private static Tensor integerClip(GraphNode n, Tensor[] in) {
        Tensor x = in[0];
        if (in.length > 1 && in[1] != null) x = integerBinary(n, x, scalarInput(n, in[1], "min"), IntegerBinary.MAX);
        if (in.length > 2 && in[2] != null) x = integerBinary(n, x, scalarInput(n, in[2], "max"), IntegerBinary.MIN);
        return x;
    }

    private static Tensor scalarInput(GraphNode n, Tensor v, String what) {
        if (v.numel() != 1) throw n.error("input '" + what + "' must hold one value, got shape " + Shape.str(v.shape()));
        return integer(n, v, what).reshape();
    }

    /** An integer operand as I64 (BOOL as 0 and 1), the error naming the node and the input. */
    private static Tensor integer(GraphNode n, Tensor v, String what) {
        if (v == null) throw n.error("input '" + what + "' is required");
        return v.dtype() == DType.BOOL ? v.to(DType.I64) : v;
    }

    private static void binary(String op, BinaryOperator<Tensor> f, IntegerBinary i) {
        register(op, 2, 2, 1, (n, in) -> one(apply(n, in[0], in[1], f, i)));
    }

    /** a op b: as floats when either is F32 (an integer operand converted), exactly on I64 otherwise. */
    private static Tensor apply(GraphNode n, Tensor a, Tensor b, BinaryOperator<Tensor> f, IntegerBinary i) {
        if (a == null || b == null) throw n.error("two inputs are required");
        if (Ops.isFloat(a) || Ops.isFloat(b)) return floatBinary(a, b, f);
        return integerBinary(n, a, b, i);
    }

    private static Tensor fold(GraphNode n, Tensor[] in, BinaryOperator<Tensor> f, IntegerBinary i) {
        Tensor acc = in[0];
        for (int k = 1; k < in.length; k++) acc = apply(n, acc, in[k], f, i);
        return acc;
    }

    private static Tensor floatBinary(Tensor a, Tensor b, BinaryOperator<Tensor> f) {
        return f.apply(Ops.toFloat(a), Ops.toFloat(b));
    }

    /** a op b on integers (BOOL operands as 0 and 1) → I64, broadcast. */
    static Tensor integerBinary(GraphNode n, Tensor a, Tensor b, IntegerBinary op) {
        Tensor x = integer(n, a, "A"), y = integer(n, b, "B");
        Ops.checkSize(n, Shape.broadcast(n.op, x.shape(), y.shape()));
        return TypedOps.integer(op, x, y);   // a division by zero is reported by OnnxModel.evaluate, naming the node
    }

    /** Comparisons → BOOL: as floats when either operand is F32, exactly on integers otherwise. */
    private static void compare(String op, Comparison c) {
        register(op, 2, 2, 1, (n, in) -> {
            Tensor a = in[0], b = in[1];
            if (Ops.isFloat(a) || Ops.isFloat(b)) return one(TypedOps.compare(c, Ops.toFloat(a), Ops.toFloat(b)));
            if (a.dtype() == DType.BOOL && b.dtype() == DType.BOOL && c.acceptsBool()) return one(TypedOps.compare(c, a, b));
            return one(TypedOps.compare(c, integer(n, a, "A"), integer(n, b, "B")));
        });
    }

    private static void logical(String op, Logical l) {
        register(op, 2, 2, 1, (n, in) -> one(TypedOps.logical(l, Ops.toBool(in[0]), Ops.toBool(in[1]))));
    }

    /** Where: a BOOL condition (an integer one read as ≠ 0) selecting between two values of one dtype (mixed: as floats). */
    private static Tensor where(GraphNode n, Tensor cond, Tensor x, Tensor y) {
        if (Ops.isFloat(cond)) throw n.error("condition must be bool, got float");
        Ops.checkSize(n, Shape.broadcast("Where", Shape.broadcast("Where", cond.shape(), x.shape()), y.shape()));
        if (x.dtype() != y.dtype()) return TypedOps.where(Ops.toBool(cond), Ops.toFloat(x), Ops.toFloat(y));
        return TypedOps.where(Ops.toBool(cond), x, y);
    }

    static Tensor cast(GraphNode n, Tensor v, int to) {
        if (DataTypes.isFloating(to)) {
            if (Ops.isFloat(v)) {
                if (to != DataTypes.FLOAT16) return v;
                return map(v, d -> Float.float16ToFloat(Float.floatToFloat16((float) d)));
            }
            return Ops.toFloat(v);
        }
        if (!DataTypes.isInteger(to)) throw n.error("cast to " + DataTypes.name(to) + " is not supported");
        if (to == DataTypes.BOOL) return Ops.toBool(v);
        if (v.dtype() == DType.I64 && to == DataTypes.INT64) return v;
        long[] src;
        if (Ops.isFloat(v)) {
            float[] a = v.toArray();
            src = new long[a.length];
            for (int k = 0; k < a.length; k++) src[k] = (long) a[k];   // truncates; NaN gives 0 (ONNX leaves it undefined)
        } else {
            src = Ops.toLongs(v, "input");
        }
        // every integer type runs as I64: a cast to a narrower type wraps the value into that type's range
        for (int k = 0; k < src.length; k++) {
            long x = src[k];
            src[k] = switch (to) {
                case DataTypes.INT32 -> (int) x;
                case DataTypes.INT16 -> (short) x;
                case DataTypes.INT8 -> (byte) x;
                case DataTypes.UINT8 -> x & 0xFF;
                case DataTypes.UINT16 -> x & 0xFFFF;
                case DataTypes.UINT32 -> x & 0xFFFFFFFFL;
                default -> x;
            };
        }
        return Tensor.ofLongs(src, v.shape());
    }

    /**
     * erf(x) in double: its Taylor series for |x| < 2.5, the continued fraction of erfc beyond (both converge to
     * better than 1e-13 there), ±1 past |x| = 6.
     */
    static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double a = Math.abs(x);
        if (a >= 6) return Math.signum(x);
        double r;
        if (a < 2.5) {
            double x2 = a * a, term = a, sum = a;
            for (int k = 1; k < 100; k++) {
                term *= -x2 / k;
                double add = term / (2 * k + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double t = a;
            for (int k = 80; k >= 1; k--) t = a + (k / 2.0) / t;
            r = 1 - Math.exp(-a * a) / (Math.sqrt(Math.PI) * t);
        }
        return x < 0 ? -r : r;
    }

    // ------------------------------------------------------------------------------------------------ matrices

    private static Tensor[] gemm(GraphNode n, Tensor[] in) {
        Tensor a = floatInput(n, in[0], "A"), b = floatInput(n, in[1], "B");
        Tensor c = in.length > 2 && in[2] != null ? floatInput(n, in[2], "C") : null;
        if (a.dim() != 2 || b.dim() != 2) throw n.error("A and B must be 2-D, got " + Shape.str(a.shape()) + " and " + Shape.str(b.shape()));
        float alpha = n.f("alpha", 1f), beta = n.f("beta", 1f);
        boolean ta = n.i("transA", 0) != 0, tb = n.i("transB", 0) != 0;
        if (n.packedB != null && alpha == 1f && beta == 1f && (c == null || c.dim() == 1 && c.size(0) == n.packedB.n())
                && (ta ? a.size(0) : a.size(1)) == n.packedB.k()) {
            return one(packedProduct(n, a, ta, c));
        }
        if (ta) a = a.t();
        if (alpha == 1f && beta == 1f && tb && (c == null || (c.dim() == 1 && c.size(0) == b.size(0)))) {
            // the usual Linear layer: y = A·Bᵀ + c with B in PyTorch's [out, in] layout
            return one(LinearOp.linear(a, b, c));
        }
        Tensor y = a.matmul(tb ? b.t() : b);
        if (alpha != 1f) y = y.mul(alpha);
        if (c != null) y = y.add(beta == 1f ? c : c.mul(beta));
        return one(y);
    }

    /**
     * A · B (+ bias row) with B the node's constant packed at load: A [..., M, K] (or, transposed, a 2-D [K, M]) →
     * [..., M, N]. No gradient is recorded (inference).
     */
    private static Tensor packedProduct(GraphNode n, Tensor a, boolean transA, Tensor bias) {
        return a.backend().matmulPacked(a, transA, n.packedB, bias);
    }

    // ------------------------------------------------------------------------------------------------ reductions

    static int[] axesInput(GraphNode n, Tensor[] in) {
        if (in.length < 2 || in[1] == null) return null;
        return Ops.toInts(n, Ops.longs(n, in[1], "axes"), "axes");
    }

    static Tensor reduce(GraphNode n, Tensor v, int[] axes, String kind) {
        if (DataTypes.of(v) == DataTypes.BOOL && !(n.opset >= 20 && (kind.equals("max") || kind.equals("min")))) {
            throw n.error("bool input is not supported (only ReduceMax and ReduceMin take bool, from opset 20)");
        }
        boolean keep = n.i("keepdims", 1) != 0;
        if (axes == null || axes.length == 0) {
            if (n.i("noop_with_empty_axes", 0) != 0) return v;
            axes = new int[v.dim()];
            for (int k = 0; k < axes.length; k++) axes[k] = k;
        }
        int[] dims = new int[axes.length];
        for (int k = 0; k < axes.length; k++) dims[k] = axis(n, axes[k], v.dim());
        dims = Arrays.stream(dims).distinct().sorted().toArray();
        if (dims.length == 0) return v;
        if (!Ops.isFloat(v)) {
            IntegerReduction exact = switch (kind) {
                case "sum" -> IntegerReduction.SUM;
                case "prod" -> IntegerReduction.PROD;
                case "max" -> IntegerReduction.MAX;
                case "min" -> IntegerReduction.MIN;
                default -> null;
            };
            if (exact != null) {   // exact on I64 (BOOL's max and min as 0 and 1)
                Tensor y = TypedOps.reduce(exact, v.to(DType.I64), dims, keep);
                return v.dtype() == DType.BOOL ? Ops.toBool(y) : y;
            }
        }
        Tensor x = Ops.toFloat(v);
        Tensor y = switch (kind) {
            case "sum" -> x.sum(dims, keep);
            case "mean" -> x.mean(dims, keep);
            case "sumsquare" -> x.square().sum(dims, keep);
            case "l1" -> x.abs().sum(dims, keep);
            case "l2" -> x.square().sum(dims, keep).sqrt();
            case "logsumexp" -> {
                Tensor m = x;
                for (int k = dims.length - 1; k >= 0; k--) m = m.max(dims[k], true);
                Tensor s = x.sub(m).exp().sum(dims, true).log().add(m);
                yield keep ? s : squeezeAll(s, dims);
            }
            case "prod" -> {
                Tensor p = x;
                for (int k = dims.length - 1; k >= 0; k--) p = prod(p, dims[k]);
                yield keep ? p : squeezeAll(p, dims);
            }
            default -> { // max, min
                Tensor m = x;
                for (int k = dims.length - 1; k >= 0; k--) m = kind.equals("max") ? m.max(dims[k], keep) : m.min(dims[k], keep);
                yield m;
            }
        };
        return Ops.isFloat(v) ? y : cast(n, y, DataTypes.of(v));
    }

    private static Tensor squeezeAll(Tensor t, int[] sortedDims) {
        for (int k = sortedDims.length - 1; k >= 0; k--) t = t.squeeze(sortedDims[k]);
        return t;
    }

    /** Product along one dimension, keeping it (size 1). */
    private static Tensor prod(Tensor x, int dim) {
        Tensor acc = x.narrow(dim, 0, Math.min(1, x.size(dim)));
        if (x.size(dim) == 0) return Tensor.ones(acc.shape().length == 0 ? new int[0] : onesAt(x.shape(), dim));
        for (int k = 1; k < x.size(dim); k++) acc = acc.mul(x.narrow(dim, k, 1));
        return acc;
    }

    private static int[] onesAt(int[] shape, int dim) {
        int[] s = shape.clone();
        s[dim] = 1;
        return s;
    }

    private static Tensor argReduce(GraphNode n, Tensor v, boolean max) {
        int ax = axis(n, n.i("axis", 0), v.dim());
        boolean keep = n.i("keepdims", 1) != 0;
        if (n.i("select_last_index", 0) != 0) throw n.error("select_last_index=1 is not supported");
        if (!Ops.isFloat(v)) {
            if (v.shape()[ax] == 0) throw n.error("axis " + ax + " of " + Shape.str(v.shape()) + " is empty");
            return TypedOps.argExtremum(v.to(DType.I64), ax, max, keep);   // exact on integers (BOOL as 0 and 1)
        }
        Tensor idx = max ? v.argmax(ax, keep) : v.argmin(ax, keep);   // whole-number F32 indices
        return idx.to(DType.I64);
    }
}
