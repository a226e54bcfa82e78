package dev.lamina.backend;

import dev.lamina.autograd.Autograd;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Scaled dot-product attention {@code O = dropout(softmax(Q·Kᵀ·scale + masks))·V} for {@code nn.functional.AttentionOp}
 * and {@code nn.MultiheadAttention}: forward, returning the output, the weights when asked for and what backward
 * needs ({@link Saved}), and backward ({@link AttentionGrads}). The callers check shapes and masks and record the tape
 * node; these methods compute values only.
 *
 * <p>Backward, with Pd = P∘keep the probabilities actually used:
 * <pre>
 *   dV  = Pdᵀ · dO
 *   dPd = dO · Vᵀ (+ the gradient of the returned weights)
 *   dP  = dPd ∘ keep
 *   dS  = P ∘ (dP − rowsum(dP ∘ P))
 *   dQ  = scale · dS · K,   dK = scale · dSᵀ · Q
 * </pre>
 *
 * <p>Causal: key j is masked for query i when {@code j > i + (Lk − Lq)}. A row whose every score is masked gets
 * all-zero weights (so zero output and no gradient).
 */
public interface AttentionOps extends TensorOps {
    /**
     * A strided [B, H, L, d] operand inside {@code src}: element (b, h, l, j) is element
     * {@code off + b*sB + h*sH + l*sL + j*sD} of src's storage (a {@link Tensor#view} of src). Its gradient goes into a
     * contiguous tensor shaped like {@code src}, at {@code gOff + b*gB + h*gH + l*gL + j}; operands with one source
     * add their gradients into the same tensor.
     */
    record Heads(Tensor src, int off, int sB, int sH, int sL, int sD, int gOff, int gB, int gH, int gL) {

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
            return new Heads(src, src.storageOffset() + colOff, rowB * w, d, rowL * w, 1, colOff, rowB * w, d, rowL * w);
        }

        /** The operand as a tape-free [b, h, l, d] view of src. */
        public Tensor view(int b, int h, int l, int d) {
            return Tensor.view(src, off, new int[] {b, h, l, d}, new int[] {sB, sH, sL, sD});
        }
    }

    /** Where the output goes: a fresh contiguous tensor of {@code shape}, element (b, h, i, j) at b*oB + h*oH + i*oL + j. */
    record OutLayout(int[] shape, int oB, int oH, int oL) {}

    /**
     * A mask on the scores as a [B, H, Lq, Lk] view (broadcast dimensions with stride 0), checked by the caller:
     * {@code additive} values are added to the scores, else any non-zero value masks the score (−inf).
     */
    record ScoreMask(Tensor values, boolean additive) {}

    /**
     * The geometry and options of one call: q [b, h, lq, d], k [b, h, lk, d], v [b, h, lk, dv]; {@code keep} the
     * dropout factors [b, h, lq, lk] (0 or 1/(1−p)) or null without dropout; {@code needWeights} to return the
     * weights; {@code forBackward} whether backward will run (else a backend may drop what only backward needs).
     */
    record AttentionOptions(int b, int h, int lq, int lk, int d, int dv, float scale, boolean causal, Tensor keep, boolean needWeights,
                            boolean forBackward) {}

    /** What backward reads: the softmax probabilities P [b, h, lq, lk] and the dropout factors (or null). */
    record Saved(Tensor probabilities, Tensor keep) {}

    /** The output (laid out as {@link OutLayout}), the weights [b, h, lq, lk] or null, and what backward needs (null when not for backward). */
    record AttentionResult(Tensor output, Tensor weights, Saved saved) {}

    /** The gradients of the distinct sources of q, k and v, in the order of the {@code sources} passed to backward; null where not needed. */
    record AttentionGrads(Tensor[] bySource) {}

    /** Attention forward over strided operands with optional masks (null for none). */
    default AttentionResult attentionForward(Heads q, Heads k, Heads v, ScoreMask attnMask, ScoreMask paddingMask, AttentionOptions o, OutLayout out) {
        try (var s = Autograd.noGrad()) {
            int b = o.b(), h = o.h(), lq = o.lq(), lk = o.lk();
            Tensor qv = q.view(b, h, lq, o.d()), kv = k.view(b, h, lk, o.d()), vv = v.view(b, h, lk, o.dv());
            Tensor scores = qv.matmul(kv.transpose(2, 3)).mul(o.scale());   // [b, h, lq, lk]
            Tensor minusInf = wrap(new float[] {Float.NEGATIVE_INFINITY}, 1);
            for (ScoreMask m : new ScoreMask[] {attnMask, paddingMask}) {
                if (m == null) continue;
                scores = m.additive() ? scores.add(m.values()) : Tensor.where(m.values().eq(0f), scores, minusInf);
            }
            if (o.causal()) {
                float[] visible = new float[lq * lk];
                for (int i = 0; i < lq; i++) for (int j = 0; j < lk; j++) visible[i * lk + j] = j <= i + (lk - lq) ? 1f : 0f;
                scores = Tensor.where(wrap(visible, lq, lk), scores, minusInf);
            }
            Tensor dead = scores.max(3, true).eq(Float.NEGATIVE_INFINITY);   // rows with nothing left: all-zero weights
            Tensor p = Tensor.where(dead, wrap(new float[1], 1), scores.softmax(3)).contiguous();
            Tensor pd = o.keep() == null ? p : p.mul(o.keep()).contiguous();
            Tensor ov = pd.matmul(vv);   // [b, h, lq, dv]
            Tensor result = wrap(new float[Shape.size(out.shape())], out.shape());
            copyInto_(ov, Tensor.view(result, 0, new int[] {b, h, lq, o.dv()}, new int[] {out.oB(), out.oH(), out.oL(), 1}));
            return new AttentionResult(result, o.needWeights() ? pd : null, o.forBackward() ? new Saved(p, o.keep()) : null);
        }
    }

    /**
     * Attention backward.
     *
     * @param sources the distinct source tensors of q, k and v; a gradient is computed for each that requires grad
     * @param gOut the gradient of the output (laid out as {@code out}), null when the loss reaches only the weights
     * @param gWeights the gradient of the returned weights [b, h, lq, lk], null when none reached them
     */
    default AttentionGrads attentionBackward(Heads q, Heads k, Heads v, AttentionOptions o, OutLayout out, Saved saved, Tensor[] sources,
                                             Tensor gOut, Tensor gWeights) {
        try (var s = Autograd.noGrad()) {
            int b = o.b(), h = o.h(), lq = o.lq(), lk = o.lk();
            Tensor qv = q.view(b, h, lq, o.d()), kv = k.view(b, h, lk, o.d()), vv = v.view(b, h, lk, o.dv());
            Tensor p = saved.probabilities(), keep = saved.keep();
            Tensor pd = keep == null ? p : p.mul(keep);
            Tensor gc = gOut == null ? null : gOut.contiguous();
            Tensor go = gc == null ? wrap(new float[b * h * lq * o.dv()], b, h, lq, o.dv())
                    : Tensor.view(gc, gc.storageOffset(), new int[] {b, h, lq, o.dv()}, new int[] {out.oB(), out.oH(), out.oL(), 1});
            Tensor dv = pd.transpose(2, 3).matmul(go);
            Tensor dpd = go.matmul(vv.transpose(2, 3));
            if (gWeights != null) dpd = dpd.add(gWeights);
            Tensor dp = keep == null ? dpd : dpd.mul(keep);
            Tensor ds = p.mul(dp.sub(dp.mul(p).sum(3, true))).mul(o.scale());
            Tensor dq = ds.matmul(kv), dk = ds.transpose(2, 3).matmul(qv);
            List<Tensor> grads = new ArrayList<>();
            for (Tensor src : sources) grads.add(src.requiresGrad() ? wrap(new float[src.numel()], src.shape()) : null);
            Object[][] parts = {{q, dq}, {k, dk}, {v, dv}};
            for (Object[] part : parts) {
                Heads hd = (Heads) part[0];
                Tensor g = (Tensor) part[1];
                int at = indexOf(sources, hd.src());
                if (grads.get(at) == null) continue;
                Tensor dst = Tensor.view(grads.get(at), hd.gOff(), g.shape(), new int[] {hd.gB(), hd.gH(), hd.gL(), 1});
                copyInto_(dst.add(g), dst);   // q, k, v of one source add up
            }
            return new AttentionGrads(grads.toArray(new Tensor[0]));
        }
    }

    private static int indexOf(Tensor[] sources, Tensor src) {
        for (int i = 0; i < sources.length; i++) if (sources[i] == src) return i;
        throw new IllegalArgumentException("attention backward: an operand's source is not among the sources");
    }
}
