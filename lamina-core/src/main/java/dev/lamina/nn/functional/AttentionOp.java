package dev.lamina.nn.functional;

import dev.lamina.kernels.Gemm;
import dev.lamina.kernels.Parallel;
import dev.lamina.tensor.Buffers;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scaled dot-product attention as one fused op: {@code O = dropout(softmax(Q·Kᵀ·scale + masks))·V}, computed per
 * (batch, head) with three {@link Gemm} calls and spread over batch × heads with {@link Parallel}.
 *
 * <p>Forward caches the softmax probabilities P [B, H, Lq, Lk] (and, with dropout, the per-element keep factors
 * 0 or 1/(1−p)). Backward, per (batch, head), with Pd = P∘keep the probabilities actually used:
 * <pre>
 *   dV  = Pdᵀ · dO
 *   dPd = dO · Vᵀ (+ the gradient of the returned weights)
 *   dP  = dPd ∘ keep
 *   dS  = P ∘ (dP − rowsum(dP ∘ P))          (rowsum(dP∘P) = rowsum(dO∘O) without dropout)
 *   dQ  = scale · dS · K,   dK = scale · dSᵀ · Q
 * </pre>
 * Operands are read through strides ({@link Heads}), so heads packed side by side in one projection
 * ([N, 3E] from a single GEMM) are used in place, and their gradients are written straight back into that layout.
 *
 * <p>Masks: boolean and additive {@link AttentionMask}s, a key-padding mask [B, Lk], and {@code causal}, which
 * masks key j for query i when {@code j > i + (Lk − Lq)} (bottom-right aligned: with Lq = Lk it is the usual lower
 * triangle; with a KV cache the new queries are the last Lq positions). Masks receive no gradient.
 *
 * <p>Fully masked rows (every score −inf): PyTorch 1.13 returns NaN for them (softmax of all −inf). Here such a
 * row gets all-zero weights, so its output is zero and it passes no gradient back; everything else is unchanged.
 */
public final class AttentionOp {
    private AttentionOp() {}

    /** Output and, when asked for, the attention weights [B, H, Lq, Lk] (after dropout, as PyTorch returns them). */
    public record Result(Tensor output, Tensor weights) {}

    /**
     * A strided [B, H, L, d] view inside {@code src}: element (b, h, l, j) is read from
     * {@code src.storage()[off + b*sB + h*sH + l*sL + j*sD]}. Its gradient goes into an array shaped like
     * {@code src} at {@code gOff + b*gB + h*gH + l*gL + j}.
     */
    public record Heads(Tensor src, int off, int sB, int sH, int sL, int sD, int gOff, int gB, int gH, int gL) {

        /** A [B, H, L, d] tensor with any strides; its gradient is a contiguous [B, H, L, d]. */
        public static Heads of(Tensor t) {
            int[] st = t.strides(), sh = t.shape();
            return new Heads(t, t.storageOffset(), st[0], st[1], st[2], st[3], 0, sh[1] * sh[2] * sh[3], sh[2] * sh[3], sh[3]);
        }

        /**
         * Heads side by side inside a contiguous 2-D tensor (e.g. the [N, 3E] output of one projection): element
         * (b, h, l, j) at column {@code colOff + h*d + j} of row {@code b*rowB + l*rowL}.
         */
        public static Heads packed(Tensor src, int colOff, int d, int rowB, int rowL) {
            if (!src.isContiguous() || src.dim() != 2) throw new IllegalArgumentException("Heads.packed: needs a contiguous 2-D tensor, got " + Shape.str(src.shape()));
            int w = src.size(1);
            int rel = colOff;
            return new Heads(src, src.storageOffset() + rel, rowB * w, d, rowL * w, 1, rel, rowB * w, d, rowL * w);
        }
    }

    /** Where the output goes: a fresh contiguous tensor of {@code shape}, element (b, h, i, j) at b*oB + h*oH + i*oL + j. */
    public record OutLayout(int[] shape, int oB, int oH, int oL) {}

    /**
     * PyTorch-style {@code scaled_dot_product_attention} with scale 1/√d.
     *
     * @param q [B, H, Lq, d]
     * @param k [B, H, Lk, d]
     * @param v [B, H, Lk, dv]
     * @param attnMask null, or a mask broadcastable to [B, H, Lq, Lk] (e.g. [Lq, Lk])
     * @param keyPaddingMask null, or a mask [B, Lk]
     * @param dropoutP dropout on the attention weights (0 for none), drawn from {@link Rng#global()}
     * @return output [B, H, Lq, dv] and, if {@code needWeights}, the weights [B, H, Lq, Lk]
     */
    public static Result scaledDotProductAttention(Tensor q, Tensor k, Tensor v, AttentionMask attnMask, AttentionMask keyPaddingMask,
                                                   boolean causal, double dropoutP, boolean needWeights) {
        return scaledDotProductAttention(q, k, v, attnMask, keyPaddingMask, causal, dropoutP, needWeights, Double.NaN, null);
    }

    /** As above with an explicit {@code scale} (NaN for 1/√d) and dropout {@code rng} (null for the global one). */
    public static Result scaledDotProductAttention(Tensor q, Tensor k, Tensor v, AttentionMask attnMask, AttentionMask keyPaddingMask,
                                                   boolean causal, double dropoutP, boolean needWeights, double scale, Rng rng) {
        String who = "scaled_dot_product_attention";
        if (q.dim() != 4 || k.dim() != 4 || v.dim() != 4) {
            throw new ShapeException(who + ": expected q [B, H, Lq, d], k [B, H, Lk, d], v [B, H, Lk, dv], got q " + Shape.str(q.shape()) + ", k " + Shape.str(k.shape()) + ", v " + Shape.str(v.shape()));
        }
        int b = q.size(0), h = q.size(1), lq = q.size(2), d = q.size(3), lk = k.size(2), dv = v.size(3);
        if (k.size(0) != b || k.size(1) != h || k.size(3) != d || v.size(0) != b || v.size(1) != h || v.size(2) != lk) {
            throw new ShapeException(who + ": q " + Shape.str(q.shape()) + ", k " + Shape.str(k.shape()) + " and v " + Shape.str(v.shape())
                    + " do not fit q [B, H, Lq, d], k [B, H, Lk, d], v [B, H, Lk, dv]");
        }
        double sc = Double.isNaN(scale) ? 1 / Math.sqrt(d) : scale;
        OutLayout out = new OutLayout(new int[] {b, h, lq, dv}, h * lq * dv, lq * dv, dv);
        return attend(who, Heads.of(q), Heads.of(k), Heads.of(v), b, h, lq, lk, d, dv, attnMask, keyPaddingMask, causal, sc, dropoutP,
                rng, needWeights, out);
    }

    /** A mask resolved to a strided [B, H, Lq, Lk] read. */
    private record MaskView(float[] a, int off, int sB, int sH, int sI, int sJ, boolean additive) {
        float at(int b, int h, int i, int j) {
            return a[off + b * sB + h * sH + i * sI + j * sJ];
        }
    }

    private static MaskView attnMaskView(String who, AttentionMask m, int b, int h, int lq, int lk) {
        if (m == null) return null;
        Tensor t = m.values();
        int[] target = {b, h, lq, lk};
        int[] sh = t.shape(), st = t.strides();
        if (sh.length > 4) throw maskError(who, "attn_mask", t, "broadcastable to " + Shape.str(target));
        int[] s4 = new int[4];
        for (int i = 0; i < sh.length; i++) {
            int axis = 4 - sh.length + i;
            if (sh[i] != target[axis] && sh[i] != 1) throw maskError(who, "attn_mask", t, "broadcastable to " + Shape.str(target) + " ([B, H, Lq, Lk])");
            s4[axis] = sh[i] == 1 ? 0 : st[i];
        }
        return new MaskView(t.storage(), t.storageOffset(), s4[0], s4[1], s4[2], s4[3], m.additive());
    }

    private static MaskView paddingMaskView(String who, AttentionMask m, int b, int lk) {
        if (m == null) return null;
        Tensor t = m.values();
        if (t.dim() != 2 || t.size(0) != b || t.size(1) != lk) throw maskError(who, "key_padding_mask", t, Shape.str(new int[] {b, lk}) + " ([B, Lk])");
        int[] st = t.strides();
        return new MaskView(t.storage(), t.storageOffset(), st[0], 0, 0, st[1], m.additive());
    }

    private static ShapeException maskError(String who, String name, Tensor t, String expected) {
        return new ShapeException(who + ": " + name + " of shape " + Shape.str(t.shape()) + " does not fit; expected " + expected);
    }

    /**
     * The fused attention over strided operands (see {@link Heads}); the building block of
     * {@link #scaledDotProductAttention} and {@code MultiheadAttention}. Operands from one source tensor share one
     * gradient array (their gradients add up), and masks are checked here and named after {@code who}.
     */
    public static Result attend(String who, Heads q, Heads k, Heads v, int b, int h, int lq, int lk, int d, int dv,
                                AttentionMask attnMask, AttentionMask keyPaddingMask, boolean causal, double scale, double dropoutP,
                                Rng rng, boolean needWeights, OutLayout out) {
        if (!(dropoutP >= 0 && dropoutP <= 1)) throw new IllegalArgumentException(who + ": dropout probability must be in [0, 1], got " + dropoutP);
        MaskView am = attnMaskView(who, attnMask, b, h, lq, lk);
        MaskView pm = paddingMaskView(who, keyPaddingMask, b, lk);
        int bh = b * h, pp = lq * lk;
        int nO = Shape.size(out.shape()), nW = bh * pp;
        boolean dropout = dropoutP > 0;
        // With weights requested, output and weights share one buffer (the weights are P itself without dropout).
        float[] o = new float[needWeights ? nO + nW : nO];
        // softmax probabilities: kept for backward, or returned as the weights; otherwise scratch for this call only
        boolean scratchP = !needWeights && !dropout && !Tensor.gradWanted(q.src(), k.src(), v.src());
        float[] p = scratchP ? Buffers.uninitialized(nW) : dropout || !needWeights ? new float[nW] : o;
        int pBase = p == o ? nO : 0;
        float[] keep = null, pd = p;
        int pdBase = pBase;
        if (dropout) {
            keep = new float[nW];
            float f = dropoutP >= 1 ? 0f : (float) (1 / (1 - dropoutP));
            Rng r = rng == null ? Rng.global() : rng;
            synchronized (r) {
                r.dropoutMask(keep, 0, nW, dropoutP, f);
            }
            pd = needWeights ? o : new float[nW];
            pdBase = needWeights ? nO : 0;
        }
        float fscale = (float) scale;
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
                        for (int i = r0 * lk; i < (r0 + rows) * lk; i++) fpd[pdo + i] = fp[po + i] * fkeep[x * pp + i];
                    }
                    Gemm.gemm(rows, dv, kmax, fpd, pdo + r0 * lk, lk, 1, v.src().storage(), vo, v.sL(), v.sD(),
                            o, bi * out.oB() + hi * out.oH() + r0 * out.oL(), out.oL(), false);
                }
            }
        });

        if (scratchP) {
            Buffers.recycle(p);
            return new Result(Tensor.of(o, out.shape()), null);
        }
        List<Tensor> sources = new ArrayList<>();
        for (Heads hd : new Heads[] {q, k, v}) if (!sources.contains(hd.src())) sources.add(hd.src());
        Tensor[] inputs = sources.toArray(new Tensor[0]);
        Cache c = new Cache(q, k, v, b, h, lq, lk, d, dv, fscale, p, pBase, keep, out, causal);
        if (!needWeights) {
            Tensor ot = Tensor.fromOp("scaled_dot_product_attention", Tensor.of(o, out.shape()), g -> backward(c, inputs, g, null), inputs);
            return new Result(ot, null);
        }
        Tensor[] outs = Tensor.fromOps("scaled_dot_product_attention", new Tensor[] {Tensor.ofRegion(o, 0, out.shape()), Tensor.ofRegion(o, nO, b, h, lq, lk)},
                g -> backward(c, inputs, g[0], g[1]), inputs);
        return new Result(outs[0], outs[1]);
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
                    if (am != null) s = am.additive ? s + am.at(bi, hi, i, j) : am.at(bi, hi, i, j) != 0 ? Float.NEGATIVE_INFINITY : s;
                    if (pm != null) s = pm.additive ? s + pm.at(bi, hi, i, j) : pm.at(bi, hi, i, j) != 0 ? Float.NEGATIVE_INFINITY : s;
                    p[row + j] = s;
                    if (s > max) max = s;
                }
            }
            if (max == Float.NEGATIVE_INFINITY) {
                java.util.Arrays.fill(p, row, row + lk, 0f);
                continue;
            }
            float sum = SoftmaxKernels.expSubtractSum(p, row, lim, max);
            SoftmaxKernels.scale(p, row, lim, 1f / sum);
            if (lim < lk) java.util.Arrays.fill(p, row + lim, row + lk, 0f);
        }
    }

    /** What backward needs: the operands (read again in place), P, the dropout factors and the layouts. */
    private record Cache(Heads q, Heads k, Heads v, int b, int h, int lq, int lk, int d, int dv, float scale, float[] p, int pBase,
                         float[] keep, OutLayout out, boolean causal) {}

    /**
     * @param gOut     the gradient of the output, null when the loss reaches only the weights
     * @param gWeights the gradient of the returned attention weights [B, H, Lq, Lk], null when none reached them
     */
    private static Tensor[] backward(Cache c, Tensor[] inputs, Tensor gOut, Tensor gWeights) {
        Map<Tensor, float[]> grads = new IdentityHashMap<>();
        for (Tensor t : inputs) if (t.requiresGrad()) grads.put(t, new float[t.numel()]);
        float[] gq = grads.get(c.q().src()), gk = grads.get(c.k().src()), gv = grads.get(c.v().src());
        Tensor go0 = gOut == null ? Tensor.zeros(c.out().shape()) : gOut.contiguous();
        Tensor gw0 = gWeights == null ? null : gWeights.contiguous();
        float[] g = go0.storage(), gw = gw0 == null ? null : gw0.storage();
        int gBase = go0.storageOffset();
        int lq = c.lq(), lk = c.lk(), h = c.h(), pp = lq * lk, d = c.d(), dv = c.dv();
        float scale = c.scale();
        float[] p = c.p(), keep = c.keep();
        Heads q = c.q(), k = c.k(), v = c.v();
        OutLayout out = c.out();
        int gwBase = gw0 == null ? -1 : gw0.storageOffset();
        int rb = rowBlock(lq, c.causal());
        Parallel.forRange(c.b() * h, 1, (s, e) -> {
            float[] ds = new float[pp];
            float[] pdBuf = keep == null ? null : new float[pp];
            for (int x = s; x < e; x++) {
                int bi = x / h, hi = x % h;
                int po = c.pBase() + x * pp;
                int go = gBase + bi * out.oB() + hi * out.oH();
                int qo = q.off() + bi * q.sB() + hi * q.sH(), ko = k.off() + bi * k.sB() + hi * k.sH(), vo = v.off() + bi * v.sB() + hi * v.sH();
                float[] pdArr = p;
                int pdo = po;
                if (keep != null) {
                    for (int i = 0; i < pp; i++) pdBuf[i] = p[po + i] * keep[x * pp + i];
                    pdArr = pdBuf;
                    pdo = 0;
                }
                int gvo = v.gOff() + bi * v.gB() + hi * v.gH(), gqo = q.gOff() + bi * q.gB() + hi * q.gH(), gko = k.gOff() + bi * k.gB() + hi * k.gH();
                for (int r0 = 0; r0 < lq; r0 += rb) {
                    int rows = Math.min(rb, lq - r0), kmax = keysNeeded(r0 + rows, lq, lk, c.causal());
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
                        if (keep != null) for (int j = 0; j < kmax; j++) ds[r + j] *= keep[x * pp + r + j];
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
        Tensor[] result = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            float[] a = grads.get(inputs[i]);
            result[i] = a == null ? null : Tensor.of(a, inputs[i].shape());
        }
        return result;
    }
}
