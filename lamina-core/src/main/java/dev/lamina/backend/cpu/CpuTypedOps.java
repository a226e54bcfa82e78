package dev.lamina.backend.cpu;

import dev.lamina.backend.Comparison;
import dev.lamina.backend.IntegerBinary;
import dev.lamina.backend.IntegerReduction;
import dev.lamina.backend.IntegerUnary;
import dev.lamina.backend.Logical;
import dev.lamina.backend.TensorOps;
import dev.lamina.tensor.DType;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

import java.util.Arrays;

/**
 * The typed primitives on the CPU: integer arithmetic and reductions on I64, comparisons giving BOOL, logic on BOOL and
 * a select for every dtype. Plain loops over dense arrays (these tensors are shapes, indices and masks, small beside
 * the float activations): an operand already dense in the output's shape is read in place, any other (strided or
 * broadcast) is copied once into a dense row-major array first.
 */
interface CpuTypedOps extends TensorOps {
    /** An operand's elements as a dense array in {@code outShape} and the offset of the first. */
    private Dense dense(Tensor x, int[] outShape) {
        Tensor d = x;
        if (!(x.isContiguous() && Arrays.equals(x.shape(), outShape))) {
            Tensor view = Tensor.view(x, x.storageOffset(), outShape, Shape.broadcastStrides(x.shape(), x.strides(), outShape));
            d = copy(view);
        }
        return new Dense(d, d.storageOffset());
    }

    /** A dense operand: its tensor and the storage position of element 0. */
    record Dense(Tensor t, int at) {
        long[] longs() {
            return t.longStorage();
        }

        float[] floats() {
            return t.storage();
        }

        boolean[] bools() {
            return t.booleanStorage();
        }
    }

    private Tensor longs(long[] v, int[] shape) {
        return Tensor.onBackend((dev.lamina.backend.Backend) this, v, shape);
    }

    private Tensor bools(boolean[] v, int[] shape) {
        return Tensor.onBackend((dev.lamina.backend.Backend) this, v, shape);
    }

    @Override
    default Tensor integerBinary(IntegerBinary op, Tensor a, Tensor b, int[] outShape) {
        Dense x = dense(a, outShape), y = dense(b, outShape);
        long[] xv = x.longs(), yv = y.longs(), o = new long[Shape.size(outShape)];
        int xa = x.at(), ya = y.at();
        switch (op) {   // the common ops without the per-element switch of IntegerBinary.apply
            case ADD -> { for (int i = 0; i < o.length; i++) o[i] = xv[xa + i] + yv[ya + i]; }
            case SUB -> { for (int i = 0; i < o.length; i++) o[i] = xv[xa + i] - yv[ya + i]; }
            case MUL -> { for (int i = 0; i < o.length; i++) o[i] = xv[xa + i] * yv[ya + i]; }
            default -> { for (int i = 0; i < o.length; i++) o[i] = op.apply(xv[xa + i], yv[ya + i]); }
        }
        return longs(o, outShape);
    }

    @Override
    default Tensor integerUnary(IntegerUnary op, Tensor x) {
        int[] shape = x.shape();
        Dense d = dense(x, shape);
        long[] v = d.longs(), o = new long[x.numel()];
        for (int i = 0; i < o.length; i++) o[i] = op.apply(v[d.at() + i]);
        return longs(o, shape);
    }

    @Override
    default Tensor compare(Comparison op, Tensor a, Tensor b, int[] outShape) {
        Dense x = dense(a, outShape), y = dense(b, outShape);
        boolean[] o = new boolean[Shape.size(outShape)];
        int xa = x.at(), ya = y.at();
        switch (a.dtype()) {
            case F32 -> {
                float[] xv = x.floats(), yv = y.floats();
                for (int i = 0; i < o.length; i++) o[i] = op.test(xv[xa + i], yv[ya + i]);
            }
            case I64 -> {
                long[] xv = x.longs(), yv = y.longs();
                for (int i = 0; i < o.length; i++) o[i] = op.test(xv[xa + i], yv[ya + i]);
            }
            case BOOL -> {
                boolean[] xv = x.bools(), yv = y.bools();
                for (int i = 0; i < o.length; i++) o[i] = op.test(xv[xa + i], yv[ya + i]);
            }
        }
        return bools(o, outShape);
    }

    @Override
    default Tensor logical(Logical op, Tensor a, Tensor b, int[] outShape) {
        Dense x = dense(a, outShape), y = dense(b, outShape);
        boolean[] xv = x.bools(), yv = y.bools(), o = new boolean[Shape.size(outShape)];
        for (int i = 0; i < o.length; i++) o[i] = op.apply(xv[x.at() + i], yv[y.at() + i]);
        return bools(o, outShape);
    }

    @Override
    default Tensor logicalNot(Tensor x) {
        int[] shape = x.shape();
        Dense d = dense(x, shape);
        boolean[] v = d.bools(), o = new boolean[x.numel()];
        for (int i = 0; i < o.length; i++) o[i] = !v[d.at() + i];
        return bools(o, shape);
    }

    @Override
    default Tensor whereAny(Tensor cond, Tensor a, Tensor b, int[] outShape) {
        Dense c = dense(cond, outShape), x = dense(a, outShape), y = dense(b, outShape);
        boolean[] cv = c.bools();
        int n = Shape.size(outShape), ca = c.at(), xa = x.at(), ya = y.at();
        return switch (a.dtype()) {
            case F32 -> {
                float[] xv = x.floats(), yv = y.floats(), o = new float[n];
                for (int i = 0; i < n; i++) o[i] = cv[ca + i] ? xv[xa + i] : yv[ya + i];
                yield wrap(o, outShape);
            }
            case I64 -> {
                long[] xv = x.longs(), yv = y.longs(), o = new long[n];
                for (int i = 0; i < n; i++) o[i] = cv[ca + i] ? xv[xa + i] : yv[ya + i];
                yield longs(o, outShape);
            }
            case BOOL -> {
                boolean[] xv = x.bools(), yv = y.bools(), o = new boolean[n];
                for (int i = 0; i < n; i++) o[i] = cv[ca + i] ? xv[xa + i] : yv[ya + i];
                yield bools(o, outShape);
            }
        };
    }

    @Override
    default Tensor integerReduce(IntegerReduction op, Tensor x, int axis) {
        int[] shape = x.shape();
        Dense d = dense(x, shape);
        long[] v = d.longs();
        int outer = Shape.outer(shape, axis), inner = Shape.inner(shape, axis), dn = shape[axis];
        long[] o = new long[outer * inner];
        Arrays.fill(o, op.identity());
        for (int r = 0; r < outer; r++) {
            for (int k = 0; k < dn; k++) {
                int base = d.at() + (r * dn + k) * inner;
                for (int i = 0; i < inner; i++) o[r * inner + i] = op.combine(o[r * inner + i], v[base + i]);
            }
        }
        int[] keep = shape.clone();
        keep[axis] = 1;
        return longs(o, keep);
    }

    @Override
    default Tensor integerArgExtremum(Tensor x, int axis, boolean max) {
        int[] shape = x.shape();
        Dense d = dense(x, shape);
        long[] v = d.longs();
        int outer = Shape.outer(shape, axis), inner = Shape.inner(shape, axis), dn = shape[axis];
        long[] o = new long[outer * inner];
        for (int r = 0; r < outer; r++) {
            for (int i = 0; i < inner; i++) {
                int base = d.at() + r * dn * inner + i, best = 0;
                long bv = v[base];
                for (int k = 1; k < dn; k++) {
                    long c = v[base + k * inner];
                    if (max ? c > bv : c < bv) {
                        bv = c;
                        best = k;
                    }
                }
                o[r * inner + i] = best;
            }
        }
        int[] keep = shape.clone();
        keep[axis] = 1;
        return longs(o, keep);
    }

    @Override
    default Tensor cumsum(Tensor x, int axis, boolean exclusive, boolean reverse) {
        int[] shape = x.shape();
        Dense d = dense(x, shape);
        int outer = Shape.outer(shape, axis), inner = Shape.inner(shape, axis), dn = shape[axis], n = x.numel();
        if (x.dtype() == DType.F32) {
            float[] v = d.floats(), o = new float[n];
            for (int r = 0; r < outer; r++) {
                for (int i = 0; i < inner; i++) {
                    double s = 0;
                    for (int k = 0; k < dn; k++) {
                        int p = (r * dn + (reverse ? dn - 1 - k : k)) * inner + i;
                        if (exclusive) o[p] = (float) s;
                        s += v[d.at() + p];
                        if (!exclusive) o[p] = (float) s;
                    }
                }
            }
            return wrap(o, shape);
        }
        long[] v = d.longs(), o = new long[n];
        for (int r = 0; r < outer; r++) {
            for (int i = 0; i < inner; i++) {
                long s = 0;
                for (int k = 0; k < dn; k++) {
                    int p = (r * dn + (reverse ? dn - 1 - k : k)) * inner + i;
                    if (exclusive) o[p] = s;
                    s += v[d.at() + p];
                    if (!exclusive) o[p] = s;
                }
            }
        }
        return longs(o, shape);
    }

    @Override
    default Tensor nonZero(Tensor x) {
        int[] shape = x.shape();
        Dense d = dense(x, shape);
        int n = x.numel(), rank = shape.length;
        boolean[] hit = new boolean[n];
        int count = 0;
        for (int p = 0; p < n; p++) {
            hit[p] = switch (x.dtype()) {
                case F32 -> d.floats()[d.at() + p] != 0;
                case I64 -> d.longs()[d.at() + p] != 0;
                case BOOL -> d.bools()[d.at() + p];
            };
            if (hit[p]) count++;
        }
        long[] o = new long[rank * count];
        int[] coord = new int[rank];
        for (int p = 0, c = 0; p < n; p++) {
            if (hit[p]) {
                for (int k = 0; k < rank; k++) o[k * count + c] = coord[k];
                c++;
            }
            for (int k = rank - 1; k >= 0 && ++coord[k] == shape[k]; k--) coord[k] = 0;
        }
        return longs(o, new int[] {rank, count});
    }
}
