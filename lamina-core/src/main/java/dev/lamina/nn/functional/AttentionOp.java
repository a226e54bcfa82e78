package dev.lamina.nn.functional;

import dev.lamina.backend.AttentionOps;
import dev.lamina.backend.AttentionOps.AttentionOptions;
import dev.lamina.backend.AttentionOps.AttentionResult;
import dev.lamina.backend.AttentionOps.Heads;
import dev.lamina.backend.AttentionOps.OutLayout;
import dev.lamina.backend.AttentionOps.ScoreMask;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Scaled dot-product attention as one fused op: {@code O = dropout(softmax(Q·Kᵀ·scale + masks))·V}. Shapes and masks
 * are checked here, the dropout factors drawn and the tape node recorded; the values come from the backend's
 * {@link AttentionOps} (on the CPU three GEMMs per (batch, head), spread over batch × heads).
 *
 * <p>Forward keeps the softmax probabilities P [B, H, Lq, Lk] (and, with dropout, the per-element keep factors
 * 0 or 1/(1−p)). Backward, with Pd = P∘keep the probabilities actually used:
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

    /** attn_mask checked and seen as a [B, H, Lq, Lk] view (broadcast dimensions with stride 0). */
    private static ScoreMask attnMaskView(String who, AttentionMask m, int b, int h, int lq, int lk) {
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
        return new ScoreMask(Tensor.view(t, t.storageOffset(), target, s4), m.additive());
    }

    /** key_padding_mask [B, Lk] checked and seen as a [B, H, Lq, Lk] view. */
    private static ScoreMask paddingMaskView(String who, AttentionMask m, int b, int h, int lq, int lk) {
        if (m == null) return null;
        Tensor t = m.values();
        if (t.dim() != 2 || t.size(0) != b || t.size(1) != lk) throw maskError(who, "key_padding_mask", t, Shape.str(new int[] {b, lk}) + " ([B, Lk])");
        int[] st = t.strides();
        return new ScoreMask(Tensor.view(t, t.storageOffset(), new int[] {b, h, lq, lk}, new int[] {st[0], 0, 0, st[1]}), m.additive());
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
        ScoreMask am = attnMaskView(who, attnMask, b, h, lq, lk);
        ScoreMask pm = paddingMaskView(who, keyPaddingMask, b, h, lq, lk);
        Tensor keep = null;
        if (dropoutP > 0) {
            int nW = b * h * lq * lk;
            float[] kf = new float[nW];   // the per-element dropout factors: 0 or 1/(1−p)
            float f = dropoutP >= 1 ? 0f : (float) (1 / (1 - dropoutP));
            Rng r = rng == null ? Rng.global() : rng;
            synchronized (r) {
                r.dropoutMask(kf, 0, nW, dropoutP, f);
            }
            keep = Tensor.of(kf, b, h, lq, lk);
        }
        boolean forBackward = Tensor.gradWanted(q.src(), k.src(), v.src());
        AttentionOptions o = new AttentionOptions(b, h, lq, lk, d, dv, (float) scale, causal, keep, needWeights, forBackward);
        AttentionOps be = q.src().backend();
        AttentionResult res = be.attentionForward(q, k, v, am, pm, o, out);
        if (!forBackward) return new Result(res.output(), res.weights());
        List<Tensor> sources = new ArrayList<>();
        for (Heads hd : new Heads[] {q, k, v}) if (!sources.contains(hd.src())) sources.add(hd.src());
        Tensor[] inputs = sources.toArray(new Tensor[0]);
        AttentionOps.Saved saved = res.saved();
        if (!needWeights) {
            Tensor ot = Tensor.fromOp("scaled_dot_product_attention", res.output(), g -> be.attentionBackward(q, k, v, o, out, saved, inputs, g, null).bySource(), inputs);
            return new Result(ot, null);
        }
        Tensor[] outs = Tensor.fromOps("scaled_dot_product_attention", new Tensor[] {res.output(), res.weights()},
                g -> be.attentionBackward(q, k, v, o, out, saved, inputs, g[0], g[1]).bySource(), inputs);
        return new Result(outs[0], outs[1]);
    }
}
