package dev.lamina.backend.cpu;

import dev.lamina.backend.Backend;
import dev.lamina.backend.Pointwise;
import dev.lamina.kernels.Elementwise;
import dev.lamina.kernels.Elementwise.Binary;
import dev.lamina.kernels.Elementwise.Unary;
import dev.lamina.kernels.Gemm;
import dev.lamina.kernels.Parallel;
import dev.lamina.kernels.Reductions;
import dev.lamina.tensor.Buffers;
import dev.lamina.tensor.DType;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * The CPU backend: heap {@code float[]} storage, the Vector API kernels of {@code kernels} (with their scalar
 * fallbacks when the incubator module is absent), large runs split across cores. The default backend.
 */
public final class CpuBackend implements Backend, CpuInferenceOps, CpuOptimizerOps, CpuLinearOps, CpuEmbeddingOps, CpuRecurrentOps, CpuAttentionOps, CpuPoolOps, CpuChannelDropoutOps, CpuResampleOps, CpuNormOps, CpuConvOps, CpuLossOps, CpuTypedOps {
    @Override
    public String name() {
        return "cpu";
    }

    private Tensor fresh(int[] shape) {
        return wrap(new float[Shape.size(shape)], shape);
    }

    /** A contiguous result whose every element the caller writes (its array may come from {@link Buffers}). */
    private Tensor freshUninitialized(int[] shape) {
        return wrap(Buffers.uninitialized(Shape.size(shape)), shape);
    }

    /** A zero tensor of any dtype. */
    private Tensor freshOf(DType dtype, int[] shape) {
        int n = Shape.size(shape);
        return switch (dtype) {
            case F32 -> fresh(shape);
            case I64 -> Tensor.onBackend(this, new long[n], shape);
            case BOOL -> Tensor.onBackend(this, new boolean[n], shape);
        };
    }

    /** The storage array of any dtype, for dtype-agnostic data movement ({@link System#arraycopy}). */
    private static Object raw(Tensor x) {
        return switch (x.dtype()) {
            case F32 -> x.storage();
            case I64 -> x.longStorage();
            case BOOL -> x.booleanStorage();
        };
    }

    private Tensor dense(Tensor x) {
        return x.isContiguous() ? x : copy(x);
    }

    // ------------------------------------------------------------------------------------------------ data

    @Override
    public float[] toHost(Tensor x) {
        if (x.isContiguous()) return Arrays.copyOfRange(x.storage(), x.storageOffset(), x.storageOffset() + x.numel());
        return copy(x).storage();
    }

    @Override
    public Tensor copy(Tensor x) {
        int[] shape = x.shape();
        if (x.dtype() != DType.F32) {
            Tensor out = freshOf(x.dtype(), shape);
            Strided.copy(raw(x), x.storageOffset(), shape, x.strides(), raw(out), 0);
            return out;
        }
        if (x.isContiguous()) {   // one block copy, not a row at a time (gradients are copied on every accumulation)
            int from = x.storageOffset();
            return wrap(Arrays.copyOfRange(x.storage(), from, from + x.numel()), shape);
        }
        Tensor out = fresh(shape);
        Strided.copy(x.storage(), x.storageOffset(), shape, x.strides(), out.storage(), 0);
        return out;
    }

    @Override
    public void copyInto_(Tensor src, Tensor dst) {
        Tensor s = dense(src);
        if (dst.dtype() != DType.F32) {
            if (dst.isContiguous()) System.arraycopy(raw(s), s.storageOffset(), raw(dst), dst.storageOffset(), s.numel());
            else Strided.scatter(raw(s), s.storageOffset(), raw(dst), dst.storageOffset(), dst.shape(), dst.strides());
            return;
        }
        if (dst.isContiguous()) {
            System.arraycopy(s.storage(), s.storageOffset(), dst.storage(), dst.storageOffset(), s.numel());
        } else {
            Strided.scatter(s.storage(), s.storageOffset(), dst.storage(), dst.storageOffset(), dst.shape(), dst.strides());
        }
    }

    @Override
    public void fill_(Tensor dst, float value) {
        if (dst.isContiguous()) {
            Arrays.fill(dst.storage(), dst.storageOffset(), dst.storageOffset() + dst.numel(), value);
        } else {
            float[] v = new float[dst.numel()];
            Arrays.fill(v, value);
            Strided.scatter(v, 0, dst.storage(), dst.storageOffset(), dst.shape(), dst.strides());
        }
    }

    @Override
    public void addInto_(Tensor acc, Tensor g) {
        Tensor gc = dense(g);
        float[] a = acc.storage();
        int ao = acc.storageOffset();
        Elementwise.binary(Binary.ADD, a, ao, gc.storage(), gc.storageOffset(), a, ao, acc.numel());
    }

    // ------------------------------------------------------------------------------------------------ elementwise

    @Override
    public Tensor unary(Unary op, Tensor x) {
        Tensor xc = dense(x);
        Tensor out = freshUninitialized(x.shape());
        Elementwise.unary(op, xc.storage(), xc.storageOffset(), out.storage(), 0, out.numel());
        return out;
    }

    @Override
    public Tensor binaryScalar(Binary op, Tensor a, float s) {
        Tensor x = dense(a);
        Tensor out = freshUninitialized(a.shape());
        Elementwise.binaryScalar(op, x.storage(), x.storageOffset(), s, out.storage(), 0, out.numel());
        return out;
    }

    @Override
    public Tensor scalarBinary(Binary op, float s, Tensor a) {
        Tensor x = dense(a);
        Tensor out = freshUninitialized(a.shape());
        Elementwise.scalarBinary(op, s, x.storage(), x.storageOffset(), out.storage(), 0, out.numel());
        return out;
    }

    /** Fast paths for same shape, scalar, trailing-row and leading-block broadcasts; a strided copy otherwise. */
    @Override
    public Tensor binary(Binary op, Tensor a, Tensor b, int[] outShape) {
        Tensor out = freshUninitialized(outShape); // every path below writes all n elements
        int n = out.numel();
        if (n == 0) return out;
        int[] as = a.shape(), bs = b.shape();
        float[] ad = a.storage(), bd = b.storage(), od = out.storage();
        int ao = a.storageOffset(), bo = b.storageOffset();
        boolean aFull = Arrays.equals(as, outShape);
        boolean bFull = Arrays.equals(bs, outShape);
        boolean ac = a.isContiguous(), bc = b.isContiguous();
        if (aFull && bFull && ac && bc) {
            Elementwise.binary(op, ad, ao, bd, bo, od, 0, n);
        } else if (aFull && ac && b.numel() == 1) {
            Elementwise.binaryScalar(op, ad, ao, bd[bo], od, 0, n);
        } else if (bFull && bc && a.numel() == 1) {
            Elementwise.scalarBinary(op, ad[ao], bd, bo, od, 0, n);
        } else if (aFull && ac && bc && Shape.isTrailing(bs, outShape)) {
            int row = b.numel();
            for (int r = 0; r < n; r += row) Elementwise.binary(op, ad, ao + r, bd, bo, od, r, row);
        } else if (bFull && bc && ac && Shape.isTrailing(as, outShape)) {
            int row = a.numel(); // a row broadcast on the left: o[r + i] = a[i] op b[r + i]
            for (int r = 0; r < n; r += row) Elementwise.binary(op, ad, ao, bd, bo + r, od, r, row);
        } else if (aFull && ac && bc && leadingBlock(bs, outShape) > 0) {
            int block = leadingBlock(bs, outShape); // one b element per block of a: [N, C, 1, 1] against [N, C, H, W]
            for (int i = 0, blocks = n / block; i < blocks; i++) {
                Elementwise.binaryScalar(op, ad, ao + i * block, bd[bo + i], od, i * block, block);
            }
        } else if (bFull && bc && ac && leadingBlock(as, outShape) > 0) {
            int block = leadingBlock(as, outShape);
            for (int i = 0, blocks = n / block; i < blocks; i++) {
                Elementwise.scalarBinary(op, ad[ao + i], bd, bo + i * block, od, i * block, block);
            }
        } else {
            Tensor ab = copy(broadcast(a, outShape));
            Tensor bb = copy(broadcast(b, outShape));
            Elementwise.binary(op, ab.storage(), 0, bb.storage(), 0, od, 0, n);
        }
        return out;
    }

    /** A stride-0 view of x as {@code target} (no tape). */
    private static Tensor broadcast(Tensor x, int[] target) {
        return Tensor.view(x, x.storageOffset(), target, Shape.broadcastStrides(x.shape(), x.strides(), target));
    }

    /**
     * The block size when {@code small} (left-padded with 1s) is a prefix of {@code full}'s dimensions followed only by
     * 1s, so each of its elements applies to one contiguous block of {@code full}; 0 otherwise (or for blocks of one).
     */
    private static int leadingBlock(int[] small, int[] full) {
        int pad = full.length - small.length;
        if (pad < 0) return 0;
        int k = full.length;
        while (k > 0 && (k - 1 < pad || small[k - 1 - pad] == 1)) k--;
        for (int i = 0; i < k; i++) {
            if ((i < pad ? 1 : small[i - pad]) != full[i]) return 0;
        }
        long block = 1;
        for (int i = k; i < full.length; i++) block *= full[i];
        return block > 1 && block <= Integer.MAX_VALUE ? (int) block : 0;
    }

    @Override
    public Tensor pointwise(Pointwise f, float alpha, Tensor x) {
        Tensor xc = dense(x);
        float[] xd = xc.storage();
        int xo = xc.storageOffset(), n = x.numel();
        float[] o = new float[n];
        for (int i = 0; i < n; i++) o[i] = (float) f.apply(xd[xo + i], alpha);
        return wrap(o, x.shape());
    }

    @Override
    public Tensor pointwiseBackward(Pointwise f, float alpha, Tensor x, Tensor g) {
        Tensor xc = dense(x), gc = dense(g);
        float[] xd = xc.storage(), gd = gc.storage();
        int xo = xc.storageOffset(), go = gc.storageOffset(), n = x.numel();
        float[] gi = new float[n];
        for (int i = 0; i < n; i++) gi[i] = (float) (gd[go + i] * f.derivative(xd[xo + i], alpha));
        return wrap(gi, x.shape());
    }

    @Override
    public Tensor reluBackward(Tensor g, Tensor y) {
        Tensor gc = dense(g), yc = dense(y);
        float[] gi = new float[y.numel()];
        Elementwise.reluBackward(gc.storage(), gc.storageOffset(), yc.storage(), yc.storageOffset(), gi, 0, gi.length);
        return wrap(gi, y.shape());
    }

    @Override
    public Tensor clamp(Tensor x, float lo, float hi) {
        Tensor xc = dense(x);
        float[] o = Buffers.uninitialized(x.numel());
        Elementwise.clamp(xc.storage(), xc.storageOffset(), lo, hi, o, 0, o.length);
        return wrap(o, x.shape());
    }

    @Override
    public Tensor clampBackward(Tensor g, Tensor x, float lo, float hi) {
        Tensor gc = dense(g), xc = dense(x);
        float[] gi = Buffers.uninitialized(x.numel());
        Elementwise.clampBackward(gc.storage(), gc.storageOffset(), xc.storage(), xc.storageOffset(), lo, hi, gi, 0, gi.length);
        return wrap(gi, x.shape());
    }

    @Override
    public Tensor gelu(Tensor x, Tensor cdf) {
        Tensor xc = dense(x);
        int n = x.numel();
        float[] o = Buffers.uninitialized(n);
        // without a cache the output array takes Φ(x) first, then x·Φ(x)
        Elementwise.gelu(xc.storage(), xc.storageOffset(), o, cdf == null ? o : cdf.storage(), n);
        return wrap(o, x.shape());
    }

    @Override
    public Tensor geluBackward(Tensor x, Tensor cdf, Tensor g) {
        Tensor xc = dense(x), gc = dense(g);
        float[] gi = new float[x.numel()];
        Elementwise.geluBackward(xc.storage(), xc.storageOffset(), cdf.storage(), gc.storage(), gc.storageOffset(), gi, gi.length);
        return wrap(gi, x.shape());
    }

    @Override
    public Tensor where(Tensor cond, Tensor a, Tensor b, int[] outShape) {
        float[] c = toHost(broadcast(cond, outShape));
        float[] av = toHost(broadcast(a, outShape));
        float[] bv = toHost(broadcast(b, outShape));
        float[] o = new float[c.length];
        for (int i = 0; i < o.length; i++) o[i] = c[i] != 0 ? av[i] : bv[i];
        return wrap(o, outShape);
    }

    @Override
    public boolean hasNonFinite(Tensor x) {
        Tensor xc = dense(x);
        float[] d = xc.storage();
        for (int i = xc.storageOffset(), end = i + xc.numel(); i < end; i++) {
            if (!Float.isFinite(d[i])) return true;
        }
        return false;
    }

    // ------------------------------------------------------------------------------------------------ reductions

    @Override
    public double sumAll(Tensor x) {
        Tensor xc = dense(x);
        return Reductions.sum(xc.storage(), xc.storageOffset(), xc.numel());
    }

    @Override
    public Tensor sumAxis(Tensor x, int axis) {
        Tensor xc = dense(x);
        int[] shape = x.shape();
        int outer = Shape.outer(shape, axis), inner = Shape.inner(shape, axis), dn = shape[axis];
        int[] outShape = shape.clone();
        outShape[axis] = 1;
        float[] o = new float[outer * inner];
        float[] xd = xc.storage();
        int xo = xc.storageOffset();
        if (inner == 1) {
            for (int r = 0; r < outer; r++) o[r] = (float) Reductions.sum(xd, xo + r * dn, dn);
        } else {
            for (int r = 0; r < outer; r++) {
                int ob = r * inner;
                for (int k = 0; k < dn; k++) {
                    int base = xo + (r * dn + k) * inner;
                    for (int i = 0; i < inner; i++) o[ob + i] += xd[base + i];
                }
            }
        }
        return wrap(o, outShape);
    }

    @Override
    public Extremum extremum(Tensor x, int axis, boolean isMax) {
        Tensor xc = dense(x);
        int[] shape = x.shape();
        int outer = Shape.outer(shape, axis), inner = Shape.inner(shape, axis), dn = shape[axis];
        float[] o = new float[outer * inner], idx = new float[outer * inner];
        float[] xd = xc.storage();
        for (int r = 0; r < outer; r++) {
            for (int i = 0; i < inner; i++) {
                int base = xc.storageOffset() + r * dn * inner + i;
                float best = xd[base];
                int bi = 0;
                for (int k = 1; k < dn; k++) {
                    float v = xd[base + k * inner];
                    boolean better = isMax ? v > best : v < best;
                    if (better || (Float.isNaN(v) && !Float.isNaN(best))) {
                        best = v;
                        bi = k;
                    }
                }
                o[r * inner + i] = best;
                idx[r * inner + i] = bi;
            }
        }
        int[] keep = shape.clone();
        keep[axis] = 1;
        return new Extremum(wrap(o, keep), wrap(idx, keep.clone()));
    }

    /** Softmax elements per parallel chunk below which rows stay on one thread. */
    private static final int SOFTMAX_GRAIN = 16 * 1024;

    /** Every row along {@code axis} through the one row kernel ({@link SoftmaxKernels#softmaxRow}); rows split across the threads. */
    @Override
    public Tensor softmax(Tensor x, int axis, boolean log) {
        Tensor xc = dense(x);
        int[] shape = x.shape();
        int outer = Shape.outer(shape, axis), inner = Shape.inner(shape, axis), dn = shape[axis];
        float[] o = new float[x.numel()];
        float[] xd = xc.storage();
        int xo = xc.storageOffset();
        if (dn == 0) return wrap(o, shape);
        if (inner == 1) {
            Parallel.forRange(outer, Math.max(1, SOFTMAX_GRAIN / dn), (r0, r1) -> {
                for (int r = r0; r < r1; r++) SoftmaxKernels.softmaxRow(xd, xo + r * dn, o, r * dn, dn, log);
            });
            return wrap(o, shape);
        }
        Parallel.forRange(outer * inner, Math.max(1, SOFTMAX_GRAIN / dn), (c0, c1) -> {
            float[] row = new float[dn];  // a strided row gathered, normalised, scattered back
            for (int c = c0; c < c1; c++) {
                int base = (c / inner) * dn * inner + c % inner;
                for (int k = 0; k < dn; k++) row[k] = xd[xo + base + k * inner];
                SoftmaxKernels.softmaxRow(row, 0, row, 0, dn, log);
                for (int k = 0; k < dn; k++) o[base + k * inner] = row[k];
            }
        });
        return wrap(o, shape);
    }

    // ------------------------------------------------------------------------------------------------ matmul

    @Override
    public Tensor matmul(Tensor a, Tensor b, int[] batch) {
        int[] ash = a.shape(), bsh = b.shape(), ast = a.strides(), bst = b.strides();
        int ad = ash.length, bdim = bsh.length;
        int m = ash[ad - 2], k = ash[ad - 1], n = bsh[bdim - 1];
        int[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        Tensor out = fresh(outShape);
        int[] aBatch = Arrays.copyOf(ash, ad - 2), bBatch = Arrays.copyOf(bsh, bdim - 2);
        int[] aStr = Shape.broadcastStrides(aBatch, Arrays.copyOf(ast, aBatch.length), batch);
        int[] bStr = Shape.broadcastStrides(bBatch, Arrays.copyOf(bst, bBatch.length), batch);
        int batches = Shape.size(batch);
        int[] idx = new int[batch.length];
        int ars = ast[ad - 2], acs = ast[ad - 1], brs = bst[bdim - 2], bcs = bst[bdim - 1];
        float[] adata = a.storage(), bdata = b.storage(), odata = out.storage();
        for (int bi = 0; bi < batches; bi++) {
            int ao = a.storageOffset(), bo = b.storageOffset();
            for (int d = 0; d < batch.length; d++) {
                ao += idx[d] * aStr[d];
                bo += idx[d] * bStr[d];
            }
            Gemm.gemm(m, n, k, adata, ao, ars, acs, bdata, bo, brs, bcs, odata, bi * m * n, n, false);
            for (int d = batch.length - 1; d >= 0; d--) {
                if (++idx[d] < batch[d]) break;
                idx[d] = 0;
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------ indexing

    @Override
    public Tensor cat(List<Tensor> parts, int axis) {
        int[] outShape = parts.get(0).shape();
        int total = 0;
        for (Tensor t : parts) total += t.size(axis);
        outShape[axis] = total;
        Tensor out = freshOf(parts.get(0).dtype(), outShape);
        Object o = raw(out);
        int outer = Shape.outer(outShape, axis), inner = Shape.inner(outShape, axis);
        int at = 0;
        for (Tensor part : parts) {
            Tensor t = dense(part);
            Object src = raw(t);
            int chunk = t.size(axis) * inner;
            for (int r = 0; r < outer; r++) System.arraycopy(src, t.storageOffset() + r * chunk, o, r * total * inner + at * inner, chunk);
            at += t.size(axis);
        }
        return out;
    }

    @Override
    public Tensor gather(Tensor x, int axis, int[] index, int[] outShape) {
        int[] srcPos = Shape.gatherPositions(x.strides(), axis, index, outShape);
        if (x.dtype() != DType.F32) {
            Tensor out = freshOf(x.dtype(), outShape);
            Object src = raw(x), dst = raw(out);
            int base = x.storageOffset();
            for (int p = 0; p < srcPos.length; p++) System.arraycopy(src, base + srcPos[p], dst, p, 1);
            return out;
        }
        float[] d = x.storage(), o = new float[index.length];
        int base = x.storageOffset();
        for (int p = 0; p < o.length; p++) o[p] = d[base + srcPos[p]];
        return wrap(o, outShape);
    }

    @Override
    public Tensor gatherBackward(Tensor g, int axis, int[] index, int[] inShape) {
        int[] strides = Shape.contiguousStrides(inShape);
        int[] dstPos = Shape.gatherPositions(strides, axis, index, g.shape());
        Tensor gc = dense(g);
        float[] gd = gc.storage(), gi = new float[Shape.size(inShape)];
        for (int p = 0; p < dstPos.length; p++) gi[dstPos[p]] += gd[gc.storageOffset() + p];
        return wrap(gi, inShape);
    }

    @Override
    public Tensor indexSelect(Tensor x, int axis, int[] index) {
        Tensor xc = dense(x);
        int[] shape = x.shape();
        int outer = Shape.outer(shape, axis), inner = Shape.inner(shape, axis), dn = shape[axis];
        int[] outShape = shape.clone();
        outShape[axis] = index.length;
        Tensor out = freshOf(x.dtype(), outShape);
        Object src = raw(xc), o = raw(out);
        for (int r = 0; r < outer; r++) {
            for (int j = 0; j < index.length; j++) {
                System.arraycopy(src, xc.storageOffset() + (r * dn + index[j]) * inner, o, (r * index.length + j) * inner, inner);
            }
        }
        return out;
    }

    @Override
    public Tensor indexSelectBackward(Tensor g, int axis, int[] index, int[] inShape) {
        Tensor gc = dense(g);
        int outer = Shape.outer(inShape, axis), inner = Shape.inner(inShape, axis), dn = inShape[axis];
        float[] gd = gc.storage(), gi = new float[Shape.size(inShape)];
        for (int r = 0; r < outer; r++) {
            for (int j = 0; j < index.length; j++) {
                int src = gc.storageOffset() + (r * index.length + j) * inner, dst = (r * dn + index[j]) * inner;
                for (int i = 0; i < inner; i++) gi[dst + i] += gd[src + i];
            }
        }
        return wrap(gi, inShape);
    }
}
