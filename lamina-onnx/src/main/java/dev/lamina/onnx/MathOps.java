package dev.lamina.onnx;

import static dev.lamina.onnx.Ops.MANY;
import static dev.lamina.onnx.Ops.axis;
import static dev.lamina.onnx.Ops.floatInput;
import static dev.lamina.onnx.Ops.one;
import static dev.lamina.onnx.Ops.register;

import dev.lamina.nn.functional.LinearOp;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

import java.util.Arrays;
import java.util.function.BinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.UnaryOperator;

/**
 * Element-wise, comparison, reduction and matrix operators. Float tensors go through Lamina's {@link Tensor} ops;
 * integer values (shape arithmetic) are computed on their {@code long}s with the same broadcasting rules.
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
        register("Neg", 1, 1, 1, (n, in) -> one(in[0].isFloat() ? Value.of(in[0].f.neg()) : intUnary(in[0], v -> -v)));
        register("Abs", 1, 1, 1, (n, in) -> one(in[0].isFloat() ? Value.of(in[0].f.abs()) : intUnary(in[0], Math::abs)));
        register("Sign", 1, 1, 1, (n, in) -> one(in[0].isFloat() ? Value.of(in[0].f.sign()) : intUnary(in[0], Long::signum)));
        register("LeakyRelu", 1, 1, 1, (n, in) -> one(Value.of(floatInput(n, in[0], "X").f.leakyRelu(n.f("alpha", 0.01f)))));
        register("Elu", 1, 1, 1, (n, in) -> one(Value.of(floatInput(n, in[0], "X").f.elu(n.f("alpha", 1f)))));
        register("Selu", 1, 1, 1, (n, in) -> {
            double alpha = n.f("alpha", 1.67326319217681884765625f), gamma = n.f("gamma", 1.05070102214813232421875f);
            return one(Value.of(map(floatInput(n, in[0], "X").f, v -> gamma * (v > 0 ? v : alpha * Math.expm1(v)))));
        });
        register("HardSigmoid", 1, 1, 1, (n, in) -> {
            double alpha = n.f("alpha", 0.2f), beta = n.f("beta", 0.5f);
            return one(Value.of(map(floatInput(n, in[0], "X").f, v -> Math.max(0, Math.min(1, alpha * v + beta)))));
        });
        register("HardSwish", 1, 1, 1, (n, in) -> one(Value.of(map(floatInput(n, in[0], "X").f, v -> v * Math.max(0, Math.min(1, v / 6 + 0.5))))));
        register("PRelu", 2, 2, 1, (n, in) -> {
            Tensor x = floatInput(n, in[0], "X").f, slope = floatInput(n, in[1], "slope").f;
            return one(Value.of(Tensor.where(x.lt(0f), x.mul(slope), x)));
        });
        register("Clip", 1, 3, 1, (n, in) -> {
            Tensor x = floatInput(n, in[0], "input").f;
            float lo = in.length > 1 && in[1] != null ? (float) Ops.scalar(n, in[1], "min") : Float.NEGATIVE_INFINITY;
            float hi = in.length > 2 && in[2] != null ? (float) Ops.scalar(n, in[2], "max") : Float.POSITIVE_INFINITY;
            return one(Value.of(x.clamp(lo, hi)));
        });
        register("IsNaN", 1, 1, 1, (n, in) -> one(floatTest(n, in[0], v -> Float.isNaN(v))));
        register("IsInf", 1, 1, 1, (n, in) -> {
            boolean neg = n.i("detect_negative", 1) != 0, pos = n.i("detect_positive", 1) != 0;
            return one(floatTest(n, in[0], v -> v == Float.POSITIVE_INFINITY ? pos : v == Float.NEGATIVE_INFINITY && neg));
        });
        register("Not", 1, 1, 1, (n, in) -> one(Value.ints(intUnary(Ops.floatToBool(n, in[0]), v -> v == 0 ? 1 : 0).ints, in[0].shape, DataTypes.BOOL)));

        binary("Add", Tensor::add, Long::sum);
        binary("Sub", Tensor::sub, (a, b) -> a - b);
        binary("Mul", Tensor::mul, (a, b) -> a * b);
        binary("Div", Tensor::div, (a, b) -> {
            if (b == 0) throw new ArithmeticException("integer division by zero");
            return a / b;
        });
        binary("Pow", Tensor::pow, (a, b) -> (long) Math.pow(a, b));
        register("Sum", 1, MANY, 1, (n, in) -> one(fold(n, in, Tensor::add, Long::sum)));
        register("Mean", 1, MANY, 1, (n, in) -> one(Value.of(fold(n, in, Tensor::add, Long::sum).toFloat().div(in.length))));
        register("Max", 1, MANY, 1, (n, in) -> one(fold(n, in, Tensor::maximum, Math::max)));
        register("Min", 1, MANY, 1, (n, in) -> one(fold(n, in, Tensor::minimum, Math::min)));
        register("Mod", 2, 2, 1, (n, in) -> {
            boolean fmod = n.i("fmod", 0) != 0;
            if (in[0].isFloat() || in[1].isFloat()) {
                if (!fmod) throw n.error("float Mod needs fmod=1");
                return one(floatBinary(in[0], in[1], (a, b) -> a.sub(b.mul(map(a.div(b), v -> v < 0 ? Math.ceil(v) : Math.floor(v))))));
            }
            return one(intBinary(n, in[0], in[1], fmod ? (a, b) -> a % b : Math::floorMod, in[0].type));
        });

        compare("Equal", Tensor::eq, (a, b) -> a == b ? 1 : 0);
        compare("Greater", Tensor::gt, (a, b) -> a > b ? 1 : 0);
        compare("Less", Tensor::lt, (a, b) -> a < b ? 1 : 0);
        compare("GreaterOrEqual", Tensor::ge, (a, b) -> a >= b ? 1 : 0);
        compare("LessOrEqual", Tensor::le, (a, b) -> a <= b ? 1 : 0);
        logical("And", (a, b) -> a != 0 && b != 0 ? 1 : 0);
        logical("Or", (a, b) -> a != 0 || b != 0 ? 1 : 0);
        logical("Xor", (a, b) -> (a != 0) != (b != 0) ? 1 : 0);

        register("Where", 3, 3, 1, (n, in) -> one(where(n, in[0], in[1], in[2])));
        register("Cast", 1, 1, 1, (n, in) -> one(cast(n, in[0], (int) n.i("to", 0))));
        register("CastLike", 2, 2, 1, (n, in) -> one(cast(n, in[0], in[1].type)));

        register("MatMul", 2, 2, 1, (n, in) -> {
            Tensor a = floatInput(n, in[0], "A").f, b = floatInput(n, in[1], "B").f;
            if (n.packedB != null && a.dim() >= 2 && a.size(a.dim() - 1) == n.packedB.k()) return one(Value.of(packedProduct(n, a, false, null)));
            return one(Value.of(a.matmul(b)));
        });
        register("Gemm", 2, 3, 1, MathOps::gemm);

        register("Softmax", 1, 1, 1, (n, in) -> {
            Tensor x = floatInput(n, in[0], "input").f;
            return one(Value.of(x.dim() == 0 ? Tensor.ones() : x.softmax(axis(n, n.i("axis", -1), x.dim()))));
        });
        register("LogSoftmax", 1, 1, 1, (n, in) -> {
            Tensor x = floatInput(n, in[0], "input").f;
            return one(Value.of(x.dim() == 0 ? Tensor.zeros() : x.logSoftmax(axis(n, n.i("axis", -1), x.dim()))));
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
        register(op, 1, 1, 1, (n, in) -> one(Value.of(fn.apply(floatInput(n, in[0], "X").f))));
    }

    /** Applies a double function to every element (a fresh contiguous tensor). */
    static Tensor map(Tensor t, DoubleUnaryOperator fn) {
        float[] a = t.toArray();
        for (int k = 0; k < a.length; k++) a[k] = (float) fn.applyAsDouble(a[k]);
        return Tensor.of(a, t.shape());
    }

    /** A bool tensor: whether each element of the float input X passes {@code test} (IsNaN, IsInf). */
    private static Value floatTest(Node n, Value x, java.util.function.Predicate<Float> test) {
        float[] a = floatInput(n, x, "X").f.toArray();
        long[] o = new long[a.length];
        for (int k = 0; k < a.length; k++) o[k] = test.test(a[k]) ? 1 : 0;
        return Value.ints(o, x.shape, DataTypes.BOOL);
    }

    private static Value intUnary(Value v, java.util.function.LongUnaryOperator fn) {
        long[] o = new long[v.ints.length];
        for (int k = 0; k < o.length; k++) o[k] = fn.applyAsLong(v.ints[k]);
        return Value.ints(o, v.shape, v.type);
    }

    private static void binary(String op, BinaryOperator<Tensor> f, LongBinaryOperator i) {
        register(op, 2, 2, 1, (n, in) -> one(apply(n, in[0], in[1], f, i)));
    }

    private static Value apply(Node n, Value a, Value b, BinaryOperator<Tensor> f, LongBinaryOperator i) {
        if (a == null || b == null) throw n.error("two inputs are required");
        if (a.isFloat() || b.isFloat()) return floatBinary(a, b, f);
        return intBinary(n, a, b, i, a.type);
    }

    private static Value fold(Node n, Value[] in, BinaryOperator<Tensor> f, LongBinaryOperator i) {
        Value acc = in[0];
        for (int k = 1; k < in.length; k++) acc = apply(n, acc, in[k], f, i);
        return acc;
    }

    private static Value floatBinary(Value a, Value b, BinaryOperator<Tensor> f) {
        return Value.of(f.apply(a.toFloat(), b.toFloat()));
    }

    /** The longs of {@code v} broadcast to {@code out}. */
    static long[] broadcastLongs(Value v, int[] out) {
        if (Arrays.equals(v.shape, out)) return v.ints;
        int[] padded = new int[out.length];
        Arrays.fill(padded, 1);
        System.arraycopy(v.shape, 0, padded, out.length - v.shape.length, v.shape.length);
        return v.pick(v.positions().reshape(padded).expand(out));
    }

    static Value intBinary(Node n, Value a, Value b, LongBinaryOperator op, int outType) {
        int[] out = Shape.broadcast(n.op, a.shape, b.shape);
        Ops.checkSize(n, out);
        long[] av = broadcastLongs(a, out), bv = broadcastLongs(b, out);
        long[] o = new long[av.length];
        for (int k = 0; k < o.length; k++) o[k] = op.applyAsLong(av[k], bv[k]);
        return Value.ints(o, out, outType);
    }

    private static void compare(String op, BinaryOperator<Tensor> f, LongBinaryOperator i) {
        register(op, 2, 2, 1, (n, in) -> {
            if (in[0].isFloat() || in[1].isFloat()) return one(Value.bool(f.apply(in[0].toFloat(), in[1].toFloat())));
            return one(intBinary(n, in[0], in[1], i, DataTypes.BOOL));
        });
    }

    private static void logical(String op, LongBinaryOperator i) {
        register(op, 2, 2, 1, (n, in) -> one(intBinary(n, Ops.floatToBool(n, in[0]), Ops.floatToBool(n, in[1]), i, DataTypes.BOOL)));
    }

    private static Value where(Node n, Value cond, Value x, Value y) {
        if (cond.isFloat()) throw n.error("condition must be bool, got float");
        if (x.isFloat() || y.isFloat()) return Value.of(Tensor.where(cond.toFloat(), x.toFloat(), y.toFloat()));
        int[] out = Shape.broadcast("Where", Shape.broadcast("Where", cond.shape, x.shape), y.shape);
        Ops.checkSize(n, out);
        long[] c = broadcastLongs(cond, out), xv = broadcastLongs(x, out), yv = broadcastLongs(y, out);
        long[] o = new long[c.length];
        for (int k = 0; k < o.length; k++) o[k] = c[k] != 0 ? xv[k] : yv[k];
        return Value.ints(o, out, x.type);
    }

    static Value cast(Node n, Value v, int to) {
        if (DataTypes.isFloating(to)) {
            if (v.isFloat()) {
                if (to != DataTypes.FLOAT16) return v;
                return Value.of(map(v.f, d -> Float.float16ToFloat(Float.floatToFloat16((float) d))));
            }
            return Value.of(v.toFloat());
        }
        if (!DataTypes.isInteger(to)) throw n.error("cast to " + DataTypes.name(to) + " is not supported");
        long[] src;
        if (v.isFloat()) {
            float[] a = v.f.toArray();
            src = new long[a.length];
            for (int k = 0; k < a.length; k++) src[k] = to == DataTypes.BOOL ? (a[k] != 0 ? 1 : 0) : (long) a[k];
        } else {
            src = v.ints;
        }
        long[] o = new long[src.length];
        for (int k = 0; k < o.length; k++) {
            long x = src[k];
            o[k] = switch (to) {
                case DataTypes.BOOL -> x != 0 ? 1 : 0;
                case DataTypes.INT32 -> (int) x;
                case DataTypes.INT16 -> (short) x;
                case DataTypes.INT8 -> (byte) x;
                case DataTypes.UINT8 -> x & 0xFF;
                case DataTypes.UINT16 -> x & 0xFFFF;
                case DataTypes.UINT32 -> x & 0xFFFFFFFFL;
                default -> x;
            };
        }
        return Value.ints(o, v.shape, to);
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

    private static Value[] gemm(Node n, Value[] in) {
        Tensor a = floatInput(n, in[0], "A").f, b = floatInput(n, in[1], "B").f;
        Tensor c = in.length > 2 && in[2] != null ? floatInput(n, in[2], "C").f : null;
        if (a.dim() != 2 || b.dim() != 2) throw n.error("A and B must be 2-D, got " + Shape.str(a.shape()) + " and " + Shape.str(b.shape()));
        float alpha = n.f("alpha", 1f), beta = n.f("beta", 1f);
        boolean ta = n.i("transA", 0) != 0, tb = n.i("transB", 0) != 0;
        if (n.packedB != null && alpha == 1f && beta == 1f && (c == null || c.dim() == 1 && c.size(0) == n.packedB.n())
                && (ta ? a.size(0) : a.size(1)) == n.packedB.k()) {
            return one(Value.of(packedProduct(n, a, ta, c)));
        }
        if (ta) a = a.t();
        if (alpha == 1f && beta == 1f && tb && (c == null || (c.dim() == 1 && c.size(0) == b.size(0)))) {
            // the usual Linear layer: y = A·Bᵀ + c with B in PyTorch's [out, in] layout
            return one(Value.of(LinearOp.linear(a, b, c)));
        }
        Tensor y = a.matmul(tb ? b.t() : b);
        if (alpha != 1f) y = y.mul(alpha);
        if (c != null) y = y.add(beta == 1f ? c : c.mul(beta));
        return one(Value.of(y));
    }

    /**
     * A · B (+ bias row) with B the node's constant packed at load: A [..., M, K] (or, transposed, a 2-D [K, M]) →
     * [..., M, N]. No gradient is recorded (inference).
     */
    private static Tensor packedProduct(Node n, Tensor a, boolean transA, Tensor bias) {
        return a.backend().matmulPacked(a, transA, n.packedB, bias);
    }

    // ------------------------------------------------------------------------------------------------ reductions

    static int[] axesInput(Node n, Value[] in) {
        if (in.length < 2 || in[1] == null) return null;
        return Ops.toInts(n, Ops.longs(n, in[1], "axes"), "axes");
    }

    static Value reduce(Node n, Value v, int[] axes, String kind) {
        if (v.type == DataTypes.BOOL && !(n.opset >= 20 && (kind.equals("max") || kind.equals("min")))) {
            throw n.error("bool input is not supported (only ReduceMax and ReduceMin take bool, from opset 20)");
        }
        boolean keep = n.i("keepdims", 1) != 0;
        if (axes == null || axes.length == 0) {
            if (n.i("noop_with_empty_axes", 0) != 0) return v;
            axes = new int[v.rank()];
            for (int k = 0; k < axes.length; k++) axes[k] = k;
        }
        int[] dims = new int[axes.length];
        for (int k = 0; k < axes.length; k++) dims[k] = axis(n, axes[k], v.rank());
        dims = Arrays.stream(dims).distinct().sorted().toArray();
        if (dims.length == 0) return v;
        Tensor x = v.toFloat();
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
        return v.isFloat() ? Value.of(y) : cast(n, Value.of(y), v.type);
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

    private static Value argReduce(Node n, Value v, boolean max) {
        Tensor x = v.toFloat();
        int ax = axis(n, n.i("axis", 0), x.dim());
        boolean keep = n.i("keepdims", 1) != 0;
        if (n.i("select_last_index", 0) != 0) throw n.error("select_last_index=1 is not supported");
        Tensor idx = max ? x.argmax(ax, keep) : x.argmin(ax, keep);
        return cast(n, Value.of(idx), DataTypes.INT64);
    }
}
