package dev.lamina.nn.functional;

import dev.lamina.kernels.Gemm;
import dev.lamina.kernels.PackedGemm;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

import java.util.Arrays;

/**
 * One direction of one GRU layer over a whole sequence, fused, with PyTorch's equations (gates r, z, n):
 * <pre>
 *   r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r·(W_hn h + b_hn)),   h' = (1 − z)·n + z·h
 * </pre>
 *
 * <p>Forward: the input projection of ALL steps is one GEMM ([seq·batch, in]·W_ihᵀ with b_ih and the r, z parts
 * of b_hh folded in), then per step one GEMM for h·W_hhᵀ (W_hhᵀ packed once per call, {@link PackedGemm}) and one
 * pass of gate math. Backward: one GEMM per step for dh (W_hh packed once); dx, dW_ih and dW_hh each ONE GEMM over
 * all steps. Steps are split across threads by hidden units as in {@link LstmOp}.
 *
 * <p>Cached for backward: {@code gi} [seq, batch, 3H] (r, z, n after the forward), {@code gh} [seq, batch, 3H]
 * (h·W_hhᵀ; its n part holds W_hn h + b_hn) and the hidden states (see {@link RnnLayout}). Masks as in
 * {@link LstmOp}.
 */
public final class GruOp {
    private GruOp() {}

    /** output [seq, batch, H] and hN [batch, H]: views of one tensor, so both take part in backward. */
    public record Result(Tensor output, Tensor hN) {}

    /**
     * @param x [seq, batch, in] (time-major)
     * @param h0 [batch, H] or null (zeros)
     * @param wIh [3H, in]
     * @param wHh [3H, H]
     * @param bIh [3H] or null
     * @param bHh [3H] or null
     * @param mask [seq·batch] 0/1 time-major, or null (every step valid)
     * @param reverse run from the last step to the first
     */
    public static Result gru(Tensor x, Tensor h0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh, float[] mask, boolean reverse) {
        if (x.dim() != 3) throw new ShapeException("gru: input " + Shape.str(x.shape()) + " is not [seq, batch, in]");
        return gru(RnnInput.dense(x), h0, wIh, wHh, bIh, bHh, mask, reverse);
    }

    /** As {@link #gru(Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, float[], boolean)} with the input given as an {@link RnnInput}. */
    public static Result gru(RnnInput input, Tensor h0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh, float[] mask, boolean reverse) {
        if (wHh.dim() != 2 || wHh.size(0) != 3 * wHh.size(1)) throw new ShapeException("gru: weight_hh " + Shape.str(wHh.shape()) + " is not [3H, H]");
        int hid = wHh.size(1), g3 = 3 * hid;
        int steps = input.steps, batch = input.batch, in = input.in;
        if (wIh.dim() != 2 || wIh.size(0) != g3 || wIh.size(1) != in) throw new ShapeException("gru: weight_ih " + Shape.str(wIh.shape()) + " does not match [" + g3 + ", " + in + "] for input " + input.describe());
        LstmOp.checkVector("bias_ih", bIh, g3);
        LstmOp.checkVector("bias_hh", bHh, g3);
        LstmOp.checkState("h0", h0, batch, hid);
        if (mask != null && mask.length != steps * batch) throw new ShapeException("gru: mask of " + mask.length + " values for " + steps + " steps × " + batch + " rows");
        Tensor xc = input.tensor(), wi = wIh.contiguous(), wh = wHh.contiguous();
        Tensor bi = bIh == null ? null : bIh.contiguous(), bh = bHh == null ? null : bHh.contiguous();
        Tensor hc = h0 == null ? null : h0.contiguous();
        RnnLayout l = new RnnLayout(steps, batch, hid, reverse, mask != null, false);

        float[] packed = new float[l.total];
        float[] gi = new float[steps * batch * g3];
        float[] gh = new float[steps * batch * g3];
        if (hc != null) System.arraycopy(hc.storage(), hc.storageOffset(), packed, l.initialBlock() * l.bh, l.bh);

        float[] bhn = null, bias = null;
        if (bi != null || bh != null) {
            bias = new float[g3];
            if (bi != null) for (int j = 0; j < g3; j++) bias[j] += bi.storage()[bi.storageOffset() + j];
            if (bh != null) {
                for (int j = 0; j < 2 * hid; j++) bias[j] += bh.storage()[bh.storageOffset() + j];
                bhn = Arrays.copyOfRange(bh.storage(), bh.storageOffset() + 2 * hid, bh.storageOffset() + g3);
            }
        }
        float[] whd = wh.storage(), bn = bhn;
        int who = wh.storageOffset();
        input.project(gi, g3, bias, wi.storage(), wi.storageOffset());   // gi[seq·batch, 3H] = b + x · W_ihᵀ

        PackedGemm whT = PackedGemm.pack(hid, g3, whd, who, 1, hid);   // W_hhᵀ [H, 3H], packed once for all steps
        int grain = whT.columnGrain();
        boolean byUnits = RnnKernels.byUnits(hid, grain);
        for (int s = 0; s < steps; s++) {
            int t = reverse ? steps - 1 - s : s;
            int prev = l.prevBlock(t), cur = l.curBlock(t), gt = t * batch * g3;
            // gh[t] = h_prev[batch, H] · W_hhᵀ: by units, each thread its own columns of each gate inside the step
            if (byUnits) whT.prepare(batch, packed, prev * l.bh, hid, 1);
            else whT.multiply(batch, packed, prev * l.bh, hid, 1, gh, gt, g3, false);
            RnnKernels.forStep(batch, hid, 3, grain, (r0, r1, j0, j1) -> {
                if (byUnits) for (int q = 0; q < 3; q++) whT.multiplyColumns(q * hid + j0, q * hid + j1, gh, gt, g3, false);
                for (int b = r0; b < r1; b++) {
                    int po = prev * l.bh + b * hid + j0, co = cur * l.bh + b * hid + j0, go = gt + b * g3 + j0;
                    if (mask != null && mask[t * batch + b] == 0f) {
                        System.arraycopy(packed, po, packed, co, j1 - j0);
                    } else {
                        RnnKernels.gruForward(gi, go, gh, go, bn, j0, packed, po, packed, co, hid, j1 - j0);
                    }
                }
            });
        }
        System.arraycopy(packed, l.finalBlock() * l.bh, packed, l.hnOff, l.bh);
        if (mask != null) l.writeMaskedOutput(packed, mask);

        Tensor[] outs = Tensor.fromOps("gru", new Tensor[] {Tensor.ofRegion(packed, l.outOff, steps, batch, hid), Tensor.ofRegion(packed, l.hnOff, batch, hid)},
                g -> backward(g[0], g[1], l, mask, input, hc, wi, wh, bi, bh, packed, gi, gh),
                xc, hc, wi, wh, bi, bh);
        return new Result(outs[0], outs[1]);
    }

    /**
     * Backward through all steps. {@code gOut} [seq, batch, H] and {@code gHn} [batch, H] are the gradients of the two
     * outputs, each null when the loss does not reach it. Saved from forward: the states (blocks of
     * {@link RnnLayout}) and the input and hidden projections of every step ({@code gi}, {@code gh}).
     */
    private static Tensor[] backward(Tensor gOut, Tensor gHn, RnnLayout l, float[] mask, RnnInput input, Tensor h0, Tensor wi, Tensor wh, Tensor bi,
                                     Tensor bh, float[] states, float[] gi, float[] gh) {
        int steps = l.steps, batch = l.batch, hid = l.hid, g3 = 3 * hid;
        Tensor gc = gOut == null ? null : gOut.contiguous();
        float[] gd = gc == null ? null : gc.storage();
        int gBase = gc == null ? 0 : gc.storageOffset();
        float[] dh = RnnKernels.copyOrZeros(gHn, l.bh);
        float[] dgi = new float[steps * batch * g3];
        float[] dgh = new float[steps * batch * g3];
        PackedGemm whP = PackedGemm.pack(g3, hid, wh.storage(), wh.storageOffset(), hid, 1);   // W_hh [3H, H], packed once
        int grain = whP.columnGrain();
        boolean byUnits = RnnKernels.byUnits(hid, grain);
        // as in LstmOp: dh at step t still lacks dgh[next]·W_hh, which each thread adds for its own columns
        for (int s = steps - 1; s >= 0; s--) {
            int t = l.reverse ? steps - 1 - s : s;
            int next = s == steps - 1 ? -1 : (l.reverse ? steps - 2 - s : s + 1);
            int prev = l.prevBlock(t), gOff = gBase + t * l.bh, gt = t * batch * g3;
            if (next >= 0) {
                if (byUnits) whP.prepare(batch, dgh, next * batch * g3, g3, 1);
                else whP.multiply(batch, dgh, next * batch * g3, g3, 1, dh, 0, hid, true);
            }
            RnnKernels.forStep(batch, hid, 3, grain, (r0, r1, j0, j1) -> {
                if (byUnits && next >= 0) whP.multiplyColumns(j0, j1, dh, 0, hid, true);
                for (int b = r0; b < r1; b++) {
                    if (mask != null && mask[t * batch + b] == 0f) continue;   // skipped step: dh passes through
                    int ro = b * hid + j0, ko = gt + b * g3 + j0;
                    if (gd != null) for (int j = 0; j < j1 - j0; j++) dh[ro + j] += gd[gOff + ro + j];
                    // dh is replaced in place by its direct part dh·z; dgh[t]·W_hh is added at the next step
                    RnnKernels.gruBackward(gi, ko, gh, ko, states, prev * l.bh + ro, dh, ro, dgi, ko, dgh, ko, dh, ro, hid, j1 - j0);
                }
            });
        }
        int firstStep = l.reverse ? steps - 1 : 0;
        whP.multiply(batch, dgh, firstStep * batch * g3, g3, 1, dh, 0, hid, true);   // → dh0
        int rows = steps * batch;
        Tensor gx = null, gh0 = null, gwi = null, gwh = null, gbi = null, gbh = null;
        if (input.tensor().requiresGrad()) gx = input.inputGrad(dgi, g3, wi.storage(), wi.storageOffset());
        if (h0 != null && h0.requiresGrad()) gh0 = Tensor.of(dh, batch, hid);
        if (wi.requiresGrad()) gwi = input.weightGrad(dgi, g3);
        if (wh.requiresGrad()) {
            float[] d = new float[g3 * hid];
            Gemm.gemm(g3, hid, rows, dgh, 0, 1, g3, states, l.prevBlock(0) * l.bh, hid, 1, d, 0, hid, false);
            gwh = Tensor.of(d, g3, hid);
        }
        if (bi != null && bi.requiresGrad()) {
            float[] db = new float[g3];
            RnnKernels.addColumnSums(dgi, 0, rows, g3, db, 0);
            gbi = Tensor.of(db, g3);
        }
        if (bh != null && bh.requiresGrad()) {
            float[] db = new float[g3];
            RnnKernels.addColumnSums(dgh, 0, rows, g3, db, 0);
            gbh = Tensor.of(db, g3);
        }
        return new Tensor[] {gx, gh0, gwi, gwh, gbi, gbh};
    }
}
