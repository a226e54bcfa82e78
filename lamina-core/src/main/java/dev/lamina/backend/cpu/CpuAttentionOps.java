package dev.lamina.backend.cpu;

import dev.lamina.backend.AttentionOps;
import dev.lamina.kernels.Gemm;
import dev.lamina.kernels.Parallel;
import dev.lamina.tensor.Buffers;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

/**
 * The CPU's fused attention: per (batch, head) three {@link Gemm} calls and a row softmax ({@link SoftmaxKernels}),
 * spread over batch × heads with {@link Parallel}. Operands are read through strides ({@link Heads}), so heads packed
 * side by side in one projection ([N, 3E] from a single GEMM) are used in place, and their gradients are written
 * straight back into that layout. With weights requested, output and weights share one buffer (the weights are P
 * itself without dropout); when backward will not run and no weights are asked for, P is scratch for this call.
 */
public interface CpuAttentionOps extends AttentionOps {
    /** A mask as a strided [B, H, Lq, Lk] read. */
    record MaskView(float[] a, int off, int sB, int sH, int sI, int sJ, boolean additive) {
        static MaskView of(ScoreMask m) {
            if (m == null) return null;
            Tensor t = m.values();
            int[] st = t.strides();
            return new MaskView(t.storage(), t.storageOffset(), st[0], st[1], st[2], st[3], m.additive());
        }

        float at(int b, int h, int i, int j) {
            return a[off + b * sB + h * sH + i * sI + j * sJ];
        }
    }

    @Override
    default AttentionResult attentionForward(Heads q, Heads k, Heads v, ScoreMask attnMask, ScoreMask paddingMask, AttentionOptions o, OutLayout out) {
        MaskView am = MaskView.of(attnMask), pm = MaskView.of(paddingMask);
        int b = o.b(), h = o.h(), lq = o.lq(), lk = o.lk(), d = o.d(), dv = o.dv();
        boolean needWeights = o.needWeights(), causal = o.causal();
        int bh = b * h, pp = lq * lk;
        int nO = Shape.size(out.shape()), nW = bh * pp;
        float[] keep = o.keep() == null ? null : o.keep().storage();
        int keepBase = o.keep() == null ? 0 : o.keep().storageOffset();
        boolean dropout = keep != null;
        float[] ob = new float[needWeights ? nO + nW : nO];
        // softmax probabilities: kept for backward, or returned as the weights; otherwise scratch for this call only
        boolean scratchP = !needWeights && !dropout && !o.forBackward();
        float[] p = scratchP ? Buffers.uninitialized(nW) : dropout || !needWeights ? new float[nW] : ob;
        int pBase = p == ob ? nO : 0;
        float[] pd = p;
        int pdBase = pBase;
        if (dropout) {
            pd = needWeights ? ob : new float[nW];
            pdBase = needWeights ? nO : 0;
        }
        float fscale = o.scale();
        float[] fp = p, fpd = pd, fkeep = keep;
        int fpBase = pBase, fpdBase = pdBase;
        int rb = rowBlock(lq, causal);
        Parallel.forRange(bh, 1, (s, e) -> {
            for (int x = s; x < e; x++) {
                int bi = x / h, hi = x % h;
                int po = fpBase + x * pp;
                int qo = q.off() + bi * q.sB() + hi * q.sH(), ko = k.off() + bi * k.sB() + hi * k.sH();
                int vo = v.off() + bi * v.sB() + hi * v.sH();
                int pdo = fkeep != null ? fpdBase + x * pp : po;
                for (int r0 = 0; r0 < lq; r0 += rb) {
                    int rows = Math.min(rb, lq - r0), kmax = keysNeeded(r0 + rows, lq, lk, causal);
                    // S = Q·Kᵀ over the keys these rows can see, written where P goes; K(j, p) read as Kᵀ(p, j)
                    Gemm.gemm(rows, kmax, d, q.src().storage(), qo + r0 * q.sL(), q.sL(), q.sD(), k.src().storage(), ko, k.sD(), k.sL(),
                            fp, po + r0 * lk, lk, false);
                    softmaxRows(fp, po, r0, rows, lq, lk, bi, hi, fscale, am, pm, causal);
                    if (fkeep != null) {
                        for (int i = r0 * lk; i < (r0 + rows) * lk; i++) fpd[pdo + i] = fp[po + i] * fkeep[keepBase + x * pp + i];
                    }
                    Gemm.gemm(rows, dv, kmax, fpd, pdo + r0 * lk, lk, 1, v.src().storage(), vo, v.sL(), v.sD(),
                            ob, bi * out.oB() + hi * out.oH() + r0 * out.oL(), out.oL(), false);
                }
            }
        });
        if (scratchP) {
            Buffers.recycle(p);
            return new AttentionResult(wrap(ob, out.shape()), null, null);
        }
        int[] w4 = {b, h, lq, lk}, c4 = Shape.contiguousStrides(w4);
        Tensor buffer = wrap(ob, ob.length);
        Tensor output = needWeights ? Tensor.view(buffer, 0, out.shape(), Shape.contiguousStrides(out.shape())) : wrap(ob, out.shape());
        Tensor weights = needWeights ? Tensor.view(buffer, nO, w4, c4) : null;
        Tensor probs = p == ob ? Tensor.view(buffer, nO, w4, c4) : Tensor.view(wrap(p, nW), 0, w4, c4);
        return new AttentionResult(output, weights, o.forBackward() ? new Saved(probs, o.keep()) : null);
    }

    /**
     * Rows handled together. Causal attention works in row blocks so that each block multiplies only by the keys
     * it can see (about a third less work at Lq = Lk = 64); otherwise all rows form one block.
     */
    private static int rowBlock(int lq, boolean causal) {
        return causal && lq >= 32 ? 16 : Math.max(1, lq);
    }

    /** Keys 0..n-1 visible to some row before {@code rowEnd}: all Lk, or with causality up to the last row's diagonal. */
    private static int keysNeeded(int rowEnd, int lq, int lk, boolean causal) {
        return causal ? Math.min(lk, Math.max(0, rowEnd + (lk - lq))) : lk;
    }

    /**
     * Row-wise masked softmax in place over P[lq, lk] at {@code po}: s·scale (+ additive masks), −inf where a
     * boolean mask or causality masks; rows with nothing left become all zero.
     */
    private static void softmaxRows(float[] p, int po, int r0, int rows, int lq, int lk, int bi, int hi, float scale, MaskView am, MaskView pm,
                                    boolean causal) {
        for (int i = r0; i < r0 + rows; i++) {
            int row = po + i * lk;
            int lim = causal ? Math.min(lk, Math.max(0, i + (lk - lq) + 1)) : lk;
            float max;
            if (am == null && pm == null) {
                max = SoftmaxKernels.scaleMax(p, row, lim, scale);
            } else {
                max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < lim; j++) {
                    float s = p[row + j] * scale;
                    if (am != null) s = am.additive() ? s + am.at(bi, hi, i, j) : am.at(bi, hi, i, j) != 0 ? Float.NEGATIVE_INFINITY : s;
                    if (pm != null) s = pm.additive() ? s + pm.at(bi, hi, i, j) : pm.at(bi, hi, i, j) != 0 ? Float.NEGATIVE_INFINITY : s;
                    p[row + j] = s;
                    if (s > max) max = s;
                }
            }
            if (max == Float.NEGATIVE_INFINITY) {
                java.util.Arrays.fill(p, row, row + lk, 0f);
                continue;
            }
            SoftmaxKernels.normalizeRow(p, row, lim, max);
            if (lim < lk) java.util.Arrays.fill(p, row + lim, row + lk, 0f);
        }
    }

    @Override
    default AttentionGrads attentionBackward(Heads q, Heads k, Heads v, AttentionOptions o, OutLayout out, Saved saved, Tensor[] sources,
                                             Tensor gOut, Tensor gWeights) {
        float[][] grads = new float[sources.length][];
        for (int i = 0; i < sources.length; i++) if (sources[i].requiresGrad()) grads[i] = new float[sources[i].numel()];
        float[] gq = grads[indexOf(sources, q.src())], gk = grads[indexOf(sources, k.src())], gv = grads[indexOf(sources, v.src())];
        Tensor go0 = gOut == null ? wrap(new float[Shape.size(out.shape())], out.shape()) : gOut.contiguous();
        Tensor gw0 = gWeights == null ? null : gWeights.contiguous();
        float[] g = go0.storage(), gw = gw0 == null ? null : gw0.storage();
        int gBase = go0.storageOffset();
        int lq = o.lq(), lk = o.lk(), h = o.h(), pp = lq * lk, d = o.d(), dv = o.dv();
        float scale = o.scale();
        float[] p = saved.probabilities().storage(), keep = saved.keep() == null ? null : saved.keep().storage();
        int pBase = saved.probabilities().storageOffset(), keepBase = saved.keep() == null ? 0 : saved.keep().storageOffset();
        int gwBase = gw0 == null ? -1 : gw0.storageOffset();
        int rb = rowBlock(lq, o.causal());
        Parallel.forRange(o.b() * h, 1, (s, e) -> {
            float[] ds = new float[pp];
            float[] pdBuf = keep == null ? null : new float[pp];
            for (int x = s; x < e; x++) {
                int bi = x / h, hi = x % h;
                int po = pBase + x * pp;
                int go = gBase + bi * out.oB() + hi * out.oH();
                int qo = q.off() + bi * q.sB() + hi * q.sH(), ko = k.off() + bi * k.sB() + hi * k.sH(), vo = v.off() + bi * v.sB() + hi * v.sH();
                float[] pdArr = p;
                int pdo = po;
                if (keep != null) {
                    for (int i = 0; i < pp; i++) pdBuf[i] = p[po + i] * keep[keepBase + x * pp + i];
                    pdArr = pdBuf;
                    pdo = 0;
                }
                int gvo = v.gOff() + bi * v.gB() + hi * v.gH(), gqo = q.gOff() + bi * q.gB() + hi * q.gH(), gko = k.gOff() + bi * k.gB() + hi * k.gH();
                for (int r0 = 0; r0 < lq; r0 += rb) {
                    int rows = Math.min(rb, lq - r0), kmax = keysNeeded(r0 + rows, lq, lk, o.causal());
                    if (kmax == 0) continue;
                    int gr = go + r0 * out.oL();
                    if (gv != null) {
                        // dV[0..kmax) += Pdᵀ · dO over these rows
                        Gemm.gemm(kmax, dv, rows, pdArr, pdo + r0 * lk, 1, lk, g, gr, out.oL(), 1, gv, gvo, v.gL(), true);
                    }
                    if (gq == null && gk == null) continue;
                    // dPd = dO · Vᵀ (+ dWeights)
                    boolean acc = gwBase >= 0;
                    if (acc) {
                        for (int i = r0; i < r0 + rows; i++) System.arraycopy(gw, gwBase + x * pp + i * lk, ds, i * lk, kmax);
                    }
                    Gemm.gemm(rows, kmax, dv, g, gr, out.oL(), 1, v.src().storage(), vo, v.sD(), v.sL(), ds, r0 * lk, lk, acc);
                    for (int i = r0; i < r0 + rows; i++) {
                        int r = i * lk, pr = po + i * lk;
                        if (keep != null) for (int j = 0; j < kmax; j++) ds[r + j] *= keep[keepBase + x * pp + r + j];
                        SoftmaxKernels.softmaxGrad(ds, r, p, pr, kmax, SoftmaxKernels.dot(ds, r, p, pr, kmax), scale);
                    }
                    if (gq != null) {
                        Gemm.gemm(rows, d, kmax, ds, r0 * lk, lk, 1, k.src().storage(), ko, k.sL(), k.sD(), gq, gqo + r0 * q.gL(), q.gL(), true);
                    }
                    if (gk != null) {
                        Gemm.gemm(kmax, d, rows, ds, r0 * lk, 1, lk, q.src().storage(), qo + r0 * q.sL(), q.sL(), q.sD(), gk, gko, k.gL(), true);
                    }
                }
            }
        });
        Tensor[] result = new Tensor[sources.length];
        for (int i = 0; i < sources.length; i++) result[i] = grads[i] == null ? null : wrap(grads[i], sources[i].shape());
        return new AttentionGrads(result);
    }

    private static int indexOf(Tensor[] sources, Tensor src) {
        for (int i = 0; i < sources.length; i++) if (sources[i] == src) return i;
        throw new IllegalArgumentException("attention backward: an operand's source is not among the sources");
    }
}
