package dev.lamina.nn.functional;

import dev.lamina.kernels.Gemm;
import dev.lamina.kernels.PackedGemm;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

import java.util.Arrays;

/**
 * One direction of one LSTM layer over a whole sequence, fused: PyTorch's equations with gates (i, f, g, o)
 * <pre>
 *   i, f, o = σ(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh)[i, f, o parts],  g = tanh(...)[g part]
 *   c' = f·c + i·g,   h' = o·tanh(c')
 * </pre>
 *
 * <p>Forward: the input projection of ALL steps is one GEMM ([seq·batch, in]·W_ihᵀ, both biases folded in),
 * then per step one GEMM adds h·W_hhᵀ (W_hhᵀ packed once per call, {@link PackedGemm}) and one pass of gate math.
 * Backward runs the steps in reverse with one GEMM per step for dh (W_hh packed once); dW_ih, dW_hh and dx are each
 * ONE GEMM over all steps from the stored gate gradients. When H is a multiple of the GEMM's strip width, a step
 * is split across threads by hidden units: each thread computes its columns of the step's GEMM (for all four gates)
 * and then the gate math on them, so a step costs one fork-join ({@link RnnKernels#forStep}).
 *
 * <p>Cached for backward (allocated once per call): {@code gates} [seq, batch, 4H] (activated i, f, g, o),
 * {@code states} [(seq+1), batch, H] (h, with h0 in the block before the first step processed), {@code cells}
 * (the same for c) and {@code tanhC} [seq, batch, H].
 *
 * <p>Optional {@code mask} [seq·batch] (time-major, 0/1): where 0, the step is skipped for that row (state carried
 * over unchanged, output 0). A prefix mask from per-row lengths gives PyTorch's packed-sequence semantics in both
 * directions (the reverse direction starts at each row's last valid step).
 */
public final class LstmOp {
    private LstmOp() {}

    /** output [seq, batch, H], hN and cN [batch, H]: views of one tensor, so all three take part in backward. */
    public record Result(Tensor output, Tensor hN, Tensor cN) {}

    /**
     * @param x [seq, batch, in] (time-major)
     * @param h0 [batch, H] or null (zeros)
     * @param c0 [batch, H] or null (zeros)
     * @param wIh [4H, in]
     * @param wHh [4H, H]
     * @param bIh [4H] or null
     * @param bHh [4H] or null
     * @param mask [seq·batch] 0/1 time-major, or null (every step valid)
     * @param reverse run from the last step to the first
     */
    public static Result lstm(Tensor x, Tensor h0, Tensor c0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh, float[] mask, boolean reverse) {
        if (x.dim() != 3) throw new ShapeException("lstm: input " + Shape.str(x.shape()) + " is not [seq, batch, in]");
        return lstm(RnnInput.dense(x), h0, c0, wIh, wHh, bIh, bHh, mask, reverse);
    }

    /** As {@link #lstm(Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, float[], boolean)} with the input given as an {@link RnnInput}. */
    public static Result lstm(RnnInput input, Tensor h0, Tensor c0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh, float[] mask, boolean reverse) {
        if (wHh.dim() != 2 || wHh.size(0) != 4 * wHh.size(1)) throw new ShapeException("lstm: weight_hh " + Shape.str(wHh.shape()) + " is not [4H, H]");
        int hid = wHh.size(1), g4 = 4 * hid;
        int steps = input.steps, batch = input.batch, in = input.in;
        if (wIh.dim() != 2 || wIh.size(0) != g4 || wIh.size(1) != in) throw new ShapeException("lstm: weight_ih " + Shape.str(wIh.shape()) + " does not match [" + g4 + ", " + in + "] for input " + input.describe());
        checkVector("bias_ih", bIh, g4);
        checkVector("bias_hh", bHh, g4);
        checkState("h0", h0, batch, hid);
        checkState("c0", c0, batch, hid);
        if (mask != null && mask.length != steps * batch) throw new ShapeException("lstm: mask of " + mask.length + " values for " + steps + " steps × " + batch + " rows");
        Tensor xc = input.tensor(), wi = wIh.contiguous(), wh = wHh.contiguous();
        Tensor bi = bIh == null ? null : bIh.contiguous(), bh = bHh == null ? null : bHh.contiguous();
        Tensor hc = h0 == null ? null : h0.contiguous(), cc = c0 == null ? null : c0.contiguous();
        RnnLayout l = new RnnLayout(steps, batch, hid, reverse, mask != null, true);

        float[] packed = new float[l.total];
        float[] cells = new float[l.hnOff];
        float[] tanhC = new float[steps * l.bh];
        float[] gates = new float[steps * batch * g4];
        int first = l.initialBlock();
        if (hc != null) System.arraycopy(hc.storage(), hc.storageOffset(), packed, first * l.bh, l.bh);
        if (cc != null) System.arraycopy(cc.storage(), cc.storageOffset(), cells, first * l.bh, l.bh);

        float[] bias = null;
        if (bi != null || bh != null) {
            bias = new float[g4];
            if (bi != null) for (int j = 0; j < g4; j++) bias[j] += bi.storage()[bi.storageOffset() + j];
            if (bh != null) for (int j = 0; j < g4; j++) bias[j] += bh.storage()[bh.storageOffset() + j];
        }
        float[] whd = wh.storage();
        int who = wh.storageOffset();
        input.project(gates, g4, bias, wi.storage(), wi.storageOffset());   // gates[seq·batch, 4H] = b + x · W_ihᵀ

        PackedGemm whT = PackedGemm.pack(hid, g4, whd, who, 1, hid);   // W_hhᵀ [H, 4H], packed once for all steps
        int grain = whT.columnGrain();
        boolean byUnits = RnnKernels.byUnits(hid, grain);
        for (int s = 0; s < steps; s++) {
            int t = reverse ? steps - 1 - s : s;
            int prev = l.prevBlock(t), cur = l.curBlock(t), gt = t * batch * g4;
            // gates[t] += h_prev[batch, H] · W_hhᵀ: by units, each thread its own columns of each gate inside the step
            if (byUnits) whT.prepare(batch, packed, prev * l.bh, hid, 1);
            else whT.multiply(batch, packed, prev * l.bh, hid, 1, gates, gt, g4, true);
            RnnKernels.forStep(batch, hid, 4, grain, (r0, r1, j0, j1) -> {
                if (byUnits) for (int q = 0; q < 4; q++) whT.multiplyColumns(q * hid + j0, q * hid + j1, gates, gt, g4, true);
                for (int b = r0; b < r1; b++) {
                    int po = prev * l.bh + b * hid + j0, co = cur * l.bh + b * hid + j0;
                    if (mask != null && mask[t * batch + b] == 0f) {
                        System.arraycopy(packed, po, packed, co, j1 - j0);
                        System.arraycopy(cells, po, cells, co, j1 - j0);
                    } else {
                        RnnKernels.lstmForward(gates, gt + b * g4 + j0, cells, po, cells, co, tanhC, t * l.bh + b * hid + j0, packed, co, hid, j1 - j0);
                    }
                }
            });
        }
        int last = l.finalBlock();
        System.arraycopy(packed, last * l.bh, packed, l.hnOff, l.bh);
        System.arraycopy(cells, last * l.bh, packed, l.cnOff, l.bh);
        if (mask != null) l.writeMaskedOutput(packed, mask);

        Tensor[] outs = Tensor.fromOps("lstm", new Tensor[] {
                Tensor.ofRegion(packed, l.outOff, steps, batch, hid), Tensor.ofRegion(packed, l.hnOff, batch, hid), Tensor.ofRegion(packed, l.cnOff, batch, hid)},
                g -> backward(g[0], g[1], g[2], l, mask, input, hc, cc, wi, wh, bi, bh, packed, cells, tanhC, gates),
                xc, hc, cc, wi, wh, bi, bh);
        return new Result(outs[0], outs[1], outs[2]);
    }

    /**
     * Backward through all steps. {@code gOut} [seq, batch, H], {@code gHn} and {@code gCn} [batch, H] are the
     * gradients of the three outputs, each null when the loss does not reach it. Saved from forward: the states
     * (blocks of {@link RnnLayout}), the cells, tanh(c) and the activated gates of every step.
     */
    private static Tensor[] backward(Tensor gOut, Tensor gHn, Tensor gCn, RnnLayout l, float[] mask, RnnInput input, Tensor h0, Tensor c0, Tensor wi,
                                     Tensor wh, Tensor bi, Tensor bh, float[] states, float[] cells, float[] tanhC, float[] gates) {
        int steps = l.steps, batch = l.batch, hid = l.hid, g4 = 4 * hid;
        Tensor go = gOut == null ? null : gOut.contiguous();
        float[] gd = go == null ? null : go.storage();
        int gBase = go == null ? 0 : go.storageOffset();
        float[] dh = RnnKernels.copyOrZeros(gHn, l.bh);
        float[] dc = RnnKernels.copyOrZeros(gCn, l.bh);
        float[] dGates = new float[steps * batch * g4];
        PackedGemm whP = PackedGemm.pack(g4, hid, wh.storage(), wh.storageOffset(), hid, 1);   // W_hh [4H, H], packed once
        int grain = whP.columnGrain();
        boolean byUnits = RnnKernels.byUnits(hid, grain);
        // dh holds the gradient of the state after the step being processed. At step t it still lacks the recurrent
        // part dGates[next]·W_hh (next = the step processed just before), which each thread adds for its own columns.
        for (int s = steps - 1; s >= 0; s--) {
            int t = l.reverse ? steps - 1 - s : s;
            int next = s == steps - 1 ? -1 : (l.reverse ? steps - 2 - s : s + 1);
            int prev = l.prevBlock(t), gOff = gBase + t * l.bh, gt = t * batch * g4;
            if (next >= 0) {
                if (byUnits) whP.prepare(batch, dGates, next * batch * g4, g4, 1);
                else whP.multiply(batch, dGates, next * batch * g4, g4, 1, dh, 0, hid, true);
            }
            RnnKernels.forStep(batch, hid, 4, grain, (r0, r1, j0, j1) -> {
                if (byUnits && next >= 0) whP.multiplyColumns(j0, j1, dh, 0, hid, true);
                for (int b = r0; b < r1; b++) {
                    if (mask != null && mask[t * batch + b] == 0f) continue;   // skipped step: dh, dc pass through
                    int ro = b * hid + j0;
                    if (gd != null) for (int j = 0; j < j1 - j0; j++) dh[ro + j] += gd[gOff + ro + j];
                    RnnKernels.lstmBackward(gates, gt + b * g4 + j0, tanhC, t * l.bh + ro, cells, prev * l.bh + ro, dh, ro, dc, ro, dGates, gt + b * g4 + j0, hid, j1 - j0);
                    Arrays.fill(dh, ro, ro + j1 - j0, 0f);   // consumed: reaches h_prev only through dGates·W_hh
                }
            });
        }
        int firstStep = l.reverse ? steps - 1 : 0;
        whP.multiply(batch, dGates, firstStep * batch * g4, g4, 1, dh, 0, hid, true);   // → dh0
        int rows = steps * batch;
        Tensor gx = null, gh0 = null, gc0 = null, gwi = null, gwh = null, gbi = null, gbh = null;
        if (input.tensor().requiresGrad()) gx = input.inputGrad(dGates, g4, wi.storage(), wi.storageOffset());   // dGates · W_ih
        if (h0 != null && h0.requiresGrad()) gh0 = Tensor.of(dh, batch, hid);
        if (c0 != null && c0.requiresGrad()) gc0 = Tensor.of(dc, batch, hid);
        if (wi.requiresGrad()) gwi = input.weightGrad(dGates, g4);   // dW_ih[4H, in] = dGatesᵀ · x, all steps at once
        if (wh.requiresGrad()) {
            float[] d = new float[g4 * hid];
            // dW_hh[4H, H] = dGatesᵀ · h_prev, h_prev of step t being block prevBlock(t): one contiguous run of blocks
            Gemm.gemm(g4, hid, rows, dGates, 0, 1, g4, states, l.prevBlock(0) * l.bh, hid, 1, d, 0, hid, false);
            gwh = Tensor.of(d, g4, hid);
        }
        if ((bi != null && bi.requiresGrad()) || (bh != null && bh.requiresGrad())) {
            float[] db = new float[g4];
            RnnKernels.addColumnSums(dGates, 0, rows, g4, db, 0);
            if (bi != null && bi.requiresGrad()) gbi = Tensor.of(db, g4);
            if (bh != null && bh.requiresGrad()) gbh = Tensor.of(bi != null && bi.requiresGrad() ? db.clone() : db, g4);
        }
        return new Tensor[] {gx, gh0, gc0, gwi, gwh, gbi, gbh};
    }

    static void checkVector(String name, Tensor b, int n) {
        if (b != null && (b.dim() != 1 || b.size(0) != n)) throw new ShapeException("recurrent op: " + name + " " + Shape.str(b.shape()) + " is not [" + n + "]");
    }

    static void checkState(String name, Tensor s, int batch, int hid) {
        if (s != null && (s.dim() != 2 || s.size(0) != batch || s.size(1) != hid)) {
            throw new ShapeException("recurrent op: " + name + " " + Shape.str(s.shape()) + " is not [" + batch + ", " + hid + "]");
        }
    }
}
