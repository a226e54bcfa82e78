package dev.lamina.backend.reference;

import dev.lamina.backend.Backend;
import dev.lamina.backend.Comparison;
import dev.lamina.backend.IntegerBinary;
import dev.lamina.backend.IntegerReduction;
import dev.lamina.backend.IntegerUnary;
import dev.lamina.backend.Logical;
import dev.lamina.backend.Pointwise;
import dev.lamina.kernels.Elementwise;
import dev.lamina.kernels.Elementwise.Binary;
import dev.lamina.kernels.Elementwise.Unary;
import dev.lamina.tensor.DType;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

import java.util.List;

/**
 * A deliberately simple second backend: the primitives of {@link Backend} as plain Java loops over row-major
 * copies, one thread, no Vector API, no fast paths, and no module-op overrides, so every module op runs the default
 * body composed from these primitives. It proves the seam: the fixture suite runs on it unchanged
 * ({@code -Dlamina.backend=reference}), and a new backend can start as a copy of it.
 */
public final class ReferenceBackend implements Backend {
    @Override
    public String name() {
        return "reference";
    }

    /** Storage position of each element of x in row-major order. */
    private static int[] positions(Tensor x) {
        int[] shape = x.shape(), strides = x.strides();
        int n = x.numel();
        int[] pos = new int[n];
        int[] coord = new int[shape.length];
        for (int p = 0; p < n; p++) {
            int at = x.storageOffset();
            for (int d = 0; d < shape.length; d++) at += coord[d] * strides[d];
            pos[p] = at;
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++coord[d] < shape[d]) break;
                coord[d] = 0;
            }
        }
        return pos;
    }

    /** The values of x (any strides, broadcast views included) in row-major order. */
    private static float[] values(Tensor x) {
        int[] pos = positions(x);
        float[] d = x.storage(), v = new float[pos.length];
        for (int p = 0; p < pos.length; p++) v[p] = d[pos[p]];
        return v;
    }

    /** The storage array of any dtype. */
    private static Object raw(Tensor x) {
        return switch (x.dtype()) {
            case F32 -> x.storage();
            case I64 -> x.longStorage();
            case BOOL -> x.booleanStorage();
        };
    }

    /** A zeroed array of n elements of the dtype. */
    private static Object allocate(DType dtype, int n) {
        return switch (dtype) {
            case F32 -> new float[n];
            case I64 -> new long[n];
            case BOOL -> new boolean[n];
        };
    }

    /** A contiguous tensor of this backend over an array of the dtype. */
    private Tensor wrapAny(DType dtype, Object values, int[] shape) {
        return switch (dtype) {
            case F32 -> wrap((float[]) values, shape);
            case I64 -> Tensor.onBackend(this, (long[]) values, shape);
            case BOOL -> Tensor.onBackend(this, (boolean[]) values, shape);
        };
    }

    /** {@link #values} for any dtype: the elements of x in row-major order, one at a time. */
    private static Object valuesAny(Tensor x) {
        int[] pos = positions(x);
        Object d = raw(x), v = allocate(x.dtype(), pos.length);
        for (int p = 0; p < pos.length; p++) System.arraycopy(d, pos[p], v, p, 1);
        return v;
    }

    /** values(x) viewed as outShape through broadcasting. */
    private static float[] broadcastValues(Tensor x, int[] outShape) {
        return values(Tensor.view(x, x.storageOffset(), outShape, Shape.broadcastStrides(x.shape(), x.strides(), outShape)));
    }

    /** outer = product of dimensions before axis, inner = after. */
    private static int[] outerInner(int[] shape, int axis) {
        return new int[] {Shape.outer(shape, axis), Shape.inner(shape, axis)};
    }

    // ------------------------------------------------------------------------------------------------ data

    @Override
    public float[] toHost(Tensor x) {
        return values(x);
    }

    @Override
    public Tensor copy(Tensor x) {
        if (x.dtype() != DType.F32) return wrapAny(x.dtype(), valuesAny(x), x.shape());
        return wrap(values(x), x.shape());
    }

    @Override
    public void copyInto_(Tensor src, Tensor dst) {
        if (dst.dtype() != DType.F32) {
            Object v = valuesAny(src), d = raw(dst);
            int[] pos = positions(dst);
            for (int p = 0; p < pos.length; p++) System.arraycopy(v, p, d, pos[p], 1);
            return;
        }
        float[] v = values(src), d = dst.storage();
        int[] pos = positions(dst);
        for (int p = 0; p < pos.length; p++) d[pos[p]] = v[p];
    }

    @Override
    public void fill_(Tensor dst, float value) {
        float[] d = dst.storage();
        for (int p : positions(dst)) d[p] = value;
    }

    @Override
    public void addInto_(Tensor acc, Tensor g) {
        float[] v = values(g), d = acc.storage();
        int[] pos = positions(acc);
        for (int p = 0; p < pos.length; p++) d[pos[p]] += v[p];
    }

    // ------------------------------------------------------------------------------------------------ elementwise

    static float unary(Unary op, float x) {
        return switch (op) {
            case NEG -> -x;
            case EXP -> (float) Math.exp(x);
            case LOG -> (float) Math.log(x);
            case SQRT -> (float) Math.sqrt(x);
            case ABS -> Math.abs(x);
            case TANH -> (float) Math.tanh(x);
            case SIGMOID -> (float) (1 / (1 + Math.exp(-(double) x)));
            case RELU -> x > 0 ? x : 0f;
            case SQUARE -> x * x;
            case RECIPROCAL -> 1f / x;
            case SIGN -> Math.signum(x);
        };
    }

    @Override
    public Tensor unary(Unary op, Tensor x) {
        float[] v = values(x);
        for (int i = 0; i < v.length; i++) v[i] = unary(op, v[i]);
        return wrap(v, x.shape());
    }

    @Override
    public Tensor binary(Binary op, Tensor a, Tensor b, int[] outShape) {
        float[] av = broadcastValues(a, outShape), bv = broadcastValues(b, outShape);
        for (int i = 0; i < av.length; i++) av[i] = Elementwise.apply(op, av[i], bv[i]);
        return wrap(av, outShape);
    }

    @Override
    public Tensor binaryScalar(Binary op, Tensor a, float s) {
        float[] v = values(a);
        for (int i = 0; i < v.length; i++) v[i] = Elementwise.apply(op, v[i], s);
        return wrap(v, a.shape());
    }

    @Override
    public Tensor scalarBinary(Binary op, float s, Tensor a) {
        float[] v = values(a);
        for (int i = 0; i < v.length; i++) v[i] = Elementwise.apply(op, s, v[i]);
        return wrap(v, a.shape());
    }

    @Override
    public Tensor pointwise(Pointwise f, float alpha, Tensor x) {
        float[] v = values(x);
        for (int i = 0; i < v.length; i++) v[i] = (float) f.apply(v[i], alpha);
        return wrap(v, x.shape());
    }

    @Override
    public Tensor pointwiseBackward(Pointwise f, float alpha, Tensor x, Tensor g) {
        float[] v = values(x), gv = values(g);
        for (int i = 0; i < v.length; i++) v[i] = (float) (gv[i] * f.derivative(v[i], alpha));
        return wrap(v, x.shape());
    }

    @Override
    public Tensor clamp(Tensor x, float lo, float hi) {
        float[] v = values(x);
        for (int i = 0; i < v.length; i++) v[i] = Math.min(Math.max(v[i], lo), hi);
        return wrap(v, x.shape());
    }

    @Override
    public Tensor clampBackward(Tensor g, Tensor x, float lo, float hi) {
        float[] gv = values(g), xv = values(x);
        for (int i = 0; i < gv.length; i++) gv[i] = xv[i] >= lo && xv[i] <= hi ? gv[i] : 0f;
        return wrap(gv, x.shape());
    }

    @Override
    public Tensor reluBackward(Tensor g, Tensor y) {
        float[] gv = values(g), yv = values(y);
        for (int i = 0; i < gv.length; i++) gv[i] = yv[i] > 0 ? gv[i] : 0f;
        return wrap(gv, y.shape());
    }

    /** Φ(x), the standard normal CDF, through erf in double. */
    private static double normalCdf(double x) {
        return 0.5 * (1 + erf(x / Math.sqrt(2)));
    }

    /** erf in double by its Taylor series near 0 and a continued fraction for the tail (|error| below 1e-12). */
    static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 2.5) {
            double term = ax, sum = ax, x2 = ax * ax;
            for (int n = 1; n < 80; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17) break;
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            // erfc(x) = exp(-x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))), evaluated from the tail up
            double f = ax;
            for (int k = 60; k >= 1; k--) f = ax + (k / 2.0) / f;
            r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
        }
        return x < 0 ? -r : r;
    }

    @Override
    public Tensor gelu(Tensor x, Tensor cdf) {
        float[] v = values(x);
        float[] c = cdf == null ? null : cdf.storage();
        for (int i = 0; i < v.length; i++) {
            double phi = normalCdf(v[i]);
            if (c != null) c[cdf.storageOffset() + i] = (float) phi;
            v[i] = (float) (v[i] * phi);
        }
        return wrap(v, x.shape());
    }

    @Override
    public Tensor geluBackward(Tensor x, Tensor cdf, Tensor g) {
        float[] v = values(x), c = values(cdf), gv = values(g);
        for (int i = 0; i < v.length; i++) {
            double pdf = Math.exp(-0.5 * v[i] * v[i]) / Math.sqrt(2 * Math.PI);
            v[i] = (float) (gv[i] * (c[i] + v[i] * pdf));
        }
        return wrap(v, x.shape());
    }

    @Override
    public Tensor where(Tensor cond, Tensor a, Tensor b, int[] outShape) {
        float[] c = broadcastValues(cond, outShape), av = broadcastValues(a, outShape), bv = broadcastValues(b, outShape);
        for (int i = 0; i < c.length; i++) av[i] = c[i] != 0 ? av[i] : bv[i];
        return wrap(av, outShape);
    }

    @Override
    public boolean hasNonFinite(Tensor x) {
        for (float v : values(x)) if (!Float.isFinite(v)) return true;
        return false;
    }

    // ------------------------------------------------------------------------------------------------ reductions

    @Override
    public double sumAll(Tensor x) {
        double s = 0;
        for (float v : values(x)) s += v;
        return s;
    }

    @Override
    public Tensor sumAxis(Tensor x, int axis) {
        int[] shape = x.shape(), oi = outerInner(shape, axis);
        int dn = shape[axis];
        float[] v = values(x), o = new float[oi[0] * oi[1]];
        for (int r = 0; r < oi[0]; r++) {
            for (int i = 0; i < oi[1]; i++) {
                double s = 0;
                for (int k = 0; k < dn; k++) s += v[(r * dn + k) * oi[1] + i];
                o[r * oi[1] + i] = (float) s;
            }
        }
        shape[axis] = 1;
        return wrap(o, shape);
    }

    @Override
    public Extremum extremum(Tensor x, int axis, boolean isMax) {
        int[] shape = x.shape(), oi = outerInner(shape, axis);
        int dn = shape[axis];
        float[] v = values(x), o = new float[oi[0] * oi[1]], idx = new float[o.length];
        for (int r = 0; r < oi[0]; r++) {
            for (int i = 0; i < oi[1]; i++) {
                int best = 0;
                for (int k = 1; k < dn; k++) {
                    float c = v[(r * dn + k) * oi[1] + i], b = v[(r * dn + best) * oi[1] + i];
                    if (Float.isNaN(b)) break; // the first NaN wins, as in PyTorch
                    if (Float.isNaN(c) || (isMax ? c > b : c < b)) best = k;
                }
                o[r * oi[1] + i] = v[(r * dn + best) * oi[1] + i];
                idx[r * oi[1] + i] = best;
            }
        }
        shape[axis] = 1;
        return new Extremum(wrap(o, shape), wrap(idx, shape.clone()));
    }

    @Override
    public Tensor softmax(Tensor x, int axis, boolean log) {
        int[] shape = x.shape(), oi = outerInner(shape, axis);
        int dn = shape[axis];
        float[] v = values(x), o = new float[v.length];
        for (int r = 0; r < oi[0]; r++) {
            for (int i = 0; i < oi[1]; i++) {
                double m = Double.NEGATIVE_INFINITY, s = 0;
                for (int k = 0; k < dn; k++) m = Math.max(m, v[(r * dn + k) * oi[1] + i]);
                for (int k = 0; k < dn; k++) s += Math.exp(v[(r * dn + k) * oi[1] + i] - m);
                for (int k = 0; k < dn; k++) {
                    int p = (r * dn + k) * oi[1] + i;
                    o[p] = (float) (log ? v[p] - m - Math.log(s) : Math.exp(v[p] - m) / s);
                }
            }
        }
        return wrap(o, shape);
    }

    // ------------------------------------------------------------------------------------------------ matmul

    @Override
    public Tensor matmul(Tensor a, Tensor b, int[] batch) {
        int[] ash = a.shape(), bsh = b.shape();
        int m = ash[ash.length - 2], k = ash[ash.length - 1], n = bsh[bsh.length - 1];
        int[] aShape = java.util.Arrays.copyOf(batch, batch.length + 2), bShape = aShape.clone();
        aShape[batch.length] = m;
        aShape[batch.length + 1] = k;
        bShape[batch.length] = k;
        bShape[batch.length + 1] = n;
        float[] av = broadcastValues(a, aShape), bv = broadcastValues(b, bShape);
        int batches = Shape.size(batch);
        float[] o = new float[batches * m * n];
        for (int t = 0; t < batches; t++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += (double) av[(t * m + i) * k + p] * bv[(t * k + p) * n + j];
                    o[(t * m + i) * n + j] = (float) s;
                }
            }
        }
        int[] outShape = aShape.clone();
        outShape[batch.length + 1] = n;
        return wrap(o, outShape);
    }

    // ------------------------------------------------------------------------------------------------ indexing

    @Override
    public Tensor cat(List<Tensor> parts, int axis) {
        int[] outShape = parts.get(0).shape();
        int total = 0;
        for (Tensor t : parts) total += t.size(axis);
        outShape[axis] = total;
        int[] oi = outerInner(outShape, axis);
        DType dtype = parts.get(0).dtype();
        if (dtype != DType.F32) {
            Object o = allocate(dtype, Shape.size(outShape));
            int at = 0;
            for (Tensor t : parts) {
                Object v = valuesAny(t);
                int dn = t.size(axis);
                for (int r = 0; r < oi[0]; r++) {
                    for (int k = 0; k < dn; k++) {
                        for (int i = 0; i < oi[1]; i++) System.arraycopy(v, (r * dn + k) * oi[1] + i, o, (r * total + at + k) * oi[1] + i, 1);
                    }
                }
                at += dn;
            }
            return wrapAny(dtype, o, outShape);
        }
        float[] o = new float[Shape.size(outShape)];
        int at = 0;
        for (Tensor t : parts) {
            float[] v = values(t);
            int dn = t.size(axis);
            for (int r = 0; r < oi[0]; r++) {
                for (int k = 0; k < dn; k++) {
                    for (int i = 0; i < oi[1]; i++) o[(r * total + at + k) * oi[1] + i] = v[(r * dn + k) * oi[1] + i];
                }
            }
            at += dn;
        }
        return wrap(o, outShape);
    }

    /** Row-major position in inShape of each element p of an index-shaped tensor, with coordinate axis = index[p]. */
    private static int[] gatherPositions(int[] inShape, int axis, int[] index, int[] outShape) {
        return Shape.gatherPositions(Shape.contiguousStrides(inShape), axis, index, outShape);
    }

    @Override
    public Tensor gather(Tensor x, int axis, int[] index, int[] outShape) {
        if (x.dtype() != DType.F32) {
            Object v = valuesAny(x), o = allocate(x.dtype(), index.length);
            int[] pos = gatherPositions(x.shape(), axis, index, outShape);
            for (int p = 0; p < index.length; p++) System.arraycopy(v, pos[p], o, p, 1);
            return wrapAny(x.dtype(), o, outShape);
        }
        float[] v = values(x), o = new float[index.length];
        int[] pos = gatherPositions(x.shape(), axis, index, outShape);
        for (int p = 0; p < o.length; p++) o[p] = v[pos[p]];
        return wrap(o, outShape);
    }

    @Override
    public Tensor gatherBackward(Tensor g, int axis, int[] index, int[] inShape) {
        float[] gv = values(g), o = new float[Shape.size(inShape)];
        int[] pos = gatherPositions(inShape, axis, index, g.shape());
        for (int p = 0; p < gv.length; p++) o[pos[p]] += gv[p];
        return wrap(o, inShape);
    }

    @Override
    public Tensor indexSelect(Tensor x, int axis, int[] index) {
        int[] shape = x.shape(), oi = outerInner(shape, axis);
        int dn = shape[axis];
        if (x.dtype() != DType.F32) {
            Object v = valuesAny(x), o = allocate(x.dtype(), oi[0] * index.length * oi[1]);
            for (int r = 0; r < oi[0]; r++) {
                for (int j = 0; j < index.length; j++) {
                    for (int i = 0; i < oi[1]; i++) System.arraycopy(v, (r * dn + index[j]) * oi[1] + i, o, (r * index.length + j) * oi[1] + i, 1);
                }
            }
            shape[axis] = index.length;
            return wrapAny(x.dtype(), o, shape);
        }
        float[] v = values(x), o = new float[oi[0] * index.length * oi[1]];
        for (int r = 0; r < oi[0]; r++) {
            for (int j = 0; j < index.length; j++) {
                for (int i = 0; i < oi[1]; i++) o[(r * index.length + j) * oi[1] + i] = v[(r * dn + index[j]) * oi[1] + i];
            }
        }
        shape[axis] = index.length;
        return wrap(o, shape);
    }

    @Override
    public Tensor indexSelectBackward(Tensor g, int axis, int[] index, int[] inShape) {
        int[] oi = outerInner(inShape, axis);
        int dn = inShape[axis];
        float[] gv = values(g), o = new float[Shape.size(inShape)];
        for (int r = 0; r < oi[0]; r++) {
            for (int j = 0; j < index.length; j++) {
                for (int i = 0; i < oi[1]; i++) o[(r * dn + index[j]) * oi[1] + i] += gv[(r * index.length + j) * oi[1] + i];
            }
        }
        return wrap(o, inShape);
    }

    // ------------------------------------------------------------------------------------------------ typed (I64, BOOL)

    /** The elements of x (any dtype) broadcast to outShape, in row-major order. */
    private static Object broadcastAny(Tensor x, int[] outShape) {
        return valuesAny(Tensor.view(x, x.storageOffset(), outShape, Shape.broadcastStrides(x.shape(), x.strides(), outShape)));
    }

    @Override
    public Tensor integerBinary(IntegerBinary op, Tensor a, Tensor b, int[] outShape) {
        long[] av = (long[]) broadcastAny(a, outShape), bv = (long[]) broadcastAny(b, outShape);
        for (int i = 0; i < av.length; i++) av[i] = op.apply(av[i], bv[i]);
        return Tensor.onBackend(this, av, outShape);
    }

    @Override
    public Tensor integerUnary(IntegerUnary op, Tensor x) {
        long[] v = (long[]) valuesAny(x);
        for (int i = 0; i < v.length; i++) v[i] = op.apply(v[i]);
        return Tensor.onBackend(this, v, x.shape());
    }

    @Override
    public Tensor compare(Comparison op, Tensor a, Tensor b, int[] outShape) {
        Object av = broadcastAny(a, outShape), bv = broadcastAny(b, outShape);
        boolean[] o = new boolean[Shape.size(outShape)];
        for (int i = 0; i < o.length; i++) {
            o[i] = switch (a.dtype()) {
                case F32 -> op.test(((float[]) av)[i], ((float[]) bv)[i]);
                case I64 -> op.test(((long[]) av)[i], ((long[]) bv)[i]);
                case BOOL -> op.test(((boolean[]) av)[i], ((boolean[]) bv)[i]);
            };
        }
        return Tensor.onBackend(this, o, outShape);
    }

    @Override
    public Tensor logical(Logical op, Tensor a, Tensor b, int[] outShape) {
        boolean[] av = (boolean[]) broadcastAny(a, outShape), bv = (boolean[]) broadcastAny(b, outShape);
        for (int i = 0; i < av.length; i++) av[i] = op.apply(av[i], bv[i]);
        return Tensor.onBackend(this, av, outShape);
    }

    @Override
    public Tensor logicalNot(Tensor x) {
        boolean[] v = (boolean[]) valuesAny(x);
        for (int i = 0; i < v.length; i++) v[i] = !v[i];
        return Tensor.onBackend(this, v, x.shape());
    }

    @Override
    public Tensor whereAny(Tensor cond, Tensor a, Tensor b, int[] outShape) {
        boolean[] c = (boolean[]) broadcastAny(cond, outShape);
        Object av = broadcastAny(a, outShape), bv = broadcastAny(b, outShape);
        for (int i = 0; i < c.length; i++) {
            if (!c[i]) System.arraycopy(bv, i, av, i, 1);
        }
        return wrapAny(a.dtype(), av, outShape);
    }

    @Override
    public Tensor integerReduce(IntegerReduction op, Tensor x, int axis) {
        int[] shape = x.shape(), oi = outerInner(shape, axis);
        int dn = shape[axis];
        long[] v = (long[]) valuesAny(x), o = new long[oi[0] * oi[1]];
        for (int r = 0; r < oi[0]; r++) {
            for (int i = 0; i < oi[1]; i++) {
                long acc = op.identity();
                for (int k = 0; k < dn; k++) acc = op.combine(acc, v[(r * dn + k) * oi[1] + i]);
                o[r * oi[1] + i] = acc;
            }
        }
        shape[axis] = 1;
        return Tensor.onBackend(this, o, shape);
    }

    @Override
    public Tensor integerArgExtremum(Tensor x, int axis, boolean max) {
        int[] shape = x.shape(), oi = outerInner(shape, axis);
        int dn = shape[axis];
        long[] v = (long[]) valuesAny(x), o = new long[oi[0] * oi[1]];
        for (int r = 0; r < oi[0]; r++) {
            for (int i = 0; i < oi[1]; i++) {
                int best = 0;
                for (int k = 1; k < dn; k++) {
                    long c = v[(r * dn + k) * oi[1] + i], b = v[(r * dn + best) * oi[1] + i];
                    if (max ? c > b : c < b) best = k;
                }
                o[r * oi[1] + i] = best;
            }
        }
        shape[axis] = 1;
        return Tensor.onBackend(this, o, shape);
    }

    @Override
    public Tensor cumsum(Tensor x, int axis, boolean exclusive, boolean reverse) {
        int[] shape = x.shape(), oi = outerInner(shape, axis);
        int dn = shape[axis];
        Object v = valuesAny(x), o = allocate(x.dtype(), x.numel());
        for (int r = 0; r < oi[0]; r++) {
            for (int i = 0; i < oi[1]; i++) {
                double fs = 0;
                long ls = 0;
                for (int k = 0; k < dn; k++) {
                    int p = (r * dn + (reverse ? dn - 1 - k : k)) * oi[1] + i;
                    if (x.dtype() == DType.F32) {
                        float before = (float) fs;
                        fs += ((float[]) v)[p];
                        ((float[]) o)[p] = exclusive ? before : (float) fs;
                    } else {
                        long before = ls;
                        ls += ((long[]) v)[p];
                        ((long[]) o)[p] = exclusive ? before : ls;
                    }
                }
            }
        }
        return wrapAny(x.dtype(), o, shape);
    }

    @Override
    public Tensor nonZero(Tensor x) {
        int[] shape = x.shape();
        Object v = valuesAny(x);
        java.util.List<int[]> hits = new java.util.ArrayList<>();
        int[] coord = new int[shape.length];
        for (int p = 0; p < x.numel(); p++) {
            boolean nz = switch (x.dtype()) {
                case F32 -> ((float[]) v)[p] != 0;
                case I64 -> ((long[]) v)[p] != 0;
                case BOOL -> ((boolean[]) v)[p];
            };
            if (nz) hits.add(coord.clone());
            for (int k = shape.length - 1; k >= 0 && ++coord[k] == shape[k]; k--) coord[k] = 0;
        }
        long[] o = new long[shape.length * hits.size()];
        for (int c = 0; c < hits.size(); c++) {
            for (int k = 0; k < shape.length; k++) o[k * hits.size() + c] = hits.get(c)[k];
        }
        return Tensor.onBackend(this, o, shape.length, hits.size());
    }
}
