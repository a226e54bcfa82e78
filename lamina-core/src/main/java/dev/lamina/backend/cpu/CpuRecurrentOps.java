package dev.lamina.backend.cpu;

import dev.lamina.backend.RecurrentOps;
import dev.lamina.kernels.Gemm;
import dev.lamina.kernels.PackedGemm;
import dev.lamina.tensor.Buffers;
import dev.lamina.tensor.Tensor;

import java.util.Arrays;

/**
 * The CPU's fused LSTM and GRU sequences.
 *
 * <p>Forward: the input projection of ALL steps is one GEMM ([seq·batch, in]·W_ihᵀ, biases folded in: both for the
 * LSTM, b_ih and the r, z parts of b_hh for the GRU), then per step one GEMM adds h·W_hhᵀ (W_hhᵀ packed once per
 * call, {@link PackedGemm}) and one pass of gate math. Backward runs the steps in reverse with one GEMM per step for
 * dh (W_hh packed once); dW_ih, dW_hh and dx are each ONE GEMM over all steps from the stored gate gradients. When H
 * is a multiple of the GEMM's strip width, a step is split across threads by hidden units: each thread computes its
 * columns of the step's GEMM (for all gates) and then the gate math on them, so a step costs one fork-join
 * ({@link RnnKernels#forStep}).
 *
 * <p>Saved for backward (allocated once per call): the packed states (see {@link RnnLayout}; the outputs are views
 * of it); LSTM: {@code gates} [seq, batch, 4H] (activated i, f, g, o), {@code cells} (laid out as the states) and
 * {@code tanhC} [seq, batch, H]; GRU: {@code gi} [seq, batch, 3H] (r, z, n after the forward) and {@code gh}
 * [seq, batch, 3H] (h·W_hhᵀ; its n part holds W_hn h + b_hn).
 */
public interface CpuRecurrentOps extends RecurrentOps {
    /** LSTM weights prepared for inference: W_hhᵀ [H, 4H] packed for the GEMM, and b_ih + b_hh [4H] (null without biases). */
    record PackedLstm(RecurrentWeights weights, PackedGemm whT, float[] bias) implements PreparedLstm {}

    @Override
    default PreparedLstm prepareLstm(RecurrentWeights w) {
        return new PackedLstm(w, packRecurrentT(w.wHh(), 4), summedBias(w.bIh(), w.bHh(), 4 * w.hidden()));
    }

    @Override
    default RecurrentResult lstmForward(SequenceInput x, Tensor h0, Tensor c0, RecurrentWeights w, Direction dir) {
        return lstmSequence(x, h0, c0, w, packRecurrentT(w.wHh(), 4), summedBias(w.bIh(), w.bHh(), 4 * w.hidden()), dir, false);
    }

    /**
     * As {@link #lstmForward}, same bits, with W_hhᵀ packed and the biases summed once at preparation; the work arrays
     * come from the inference engine's buffer pool when one is in use and only the states survive the call.
     */
    @Override
    default RecurrentResult lstmInference(SequenceInput x, Tensor h0, Tensor c0, PreparedLstm w, Direction dir) {
        if (!(w instanceof PackedLstm p)) return RecurrentOps.super.lstmInference(x, h0, c0, w, dir);
        return lstmSequence(x, h0, c0, p.weights(), p.whT().sharingB(), p.bias(), dir, true);
    }

    /** W_hhᵀ [H, G·H] of a contiguous W_hh [G·H, H], packed for the GEMM. */
    private static PackedGemm packRecurrentT(Tensor wh, int gates) {
        int hid = wh.size(1);
        return PackedGemm.pack(hid, gates * hid, wh.storage(), wh.storageOffset(), 1, hid);
    }

    /** b_ih + b_hh [n] (either may be null), or null when both are. */
    private static float[] summedBias(Tensor bi, Tensor bh, int n) {
        if (bi == null && bh == null) return null;
        float[] bias = new float[n];
        if (bi != null) for (int j = 0; j < n; j++) bias[j] += bi.storage()[bi.storageOffset() + j];
        if (bh != null) for (int j = 0; j < n; j++) bias[j] += bh.storage()[bh.storageOffset() + j];
        return bias;
    }

    /**
     * The LSTM forward with W_hhᵀ packed ({@code whT}, this call's own A state) and the summed bias. For inference
     * ({@code inference}) the gates, cells and tanh(c) are working space taken from the buffer pool and given back,
     * and nothing is saved.
     */
    private RecurrentResult lstmSequence(SequenceInput x, Tensor h0, Tensor c0, RecurrentWeights w, PackedGemm whT, float[] bias,
                                         Direction dir, boolean inference) {
        CpuSequenceInput input = new CpuSequenceInput(x, this);
        Tensor wi = w.wIh();
        float[] mask = dir.mask();
        boolean reverse = dir.reverse();
        int hid = w.hidden(), g4 = 4 * hid;
        int steps = input.steps, batch = input.batch;
        RnnLayout l = new RnnLayout(steps, batch, hid, reverse, mask != null, true);

        float[] packed = zeroed(l.total, inference);
        float[] cells = zeroed(l.hnOff, inference);
        float[] tanhC = zeroed(steps * l.bh, inference);
        float[] gates = zeroed(steps * batch * g4, inference);
        int first = l.initialBlock();
        if (h0 != null) System.arraycopy(h0.storage(), h0.storageOffset(), packed, first * l.bh, l.bh);
        if (c0 != null) System.arraycopy(c0.storage(), c0.storageOffset(), cells, first * l.bh, l.bh);

        input.project(gates, g4, bias, wi.storage(), wi.storageOffset());   // gates[seq·batch, 4H] = b + x · W_ihᵀ

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

        Tensor states = wrap(packed, packed.length);
        if (inference) {
            Buffers.recycle(cells);
            Buffers.recycle(tanhC);
            Buffers.recycle(gates);
            return new RecurrentResult(l.output(states), l.hN(states), l.cN(states), Saved.NOTHING);
        }
        return new RecurrentResult(l.output(states), l.hN(states), l.cN(states),
                new Saved(states, wrap(cells, cells.length), wrap(tanhC, tanhC.length), wrap(gates, gates.length), null));
    }

    /** n zeros: a new array, or for inference one from the buffer pool (filled with zeros, as new arrays are). */
    private static float[] zeroed(int n, boolean inference) {
        if (!inference) return new float[n];
        float[] a = Buffers.uninitialized(n);
        Arrays.fill(a, 0f);
        return a;
    }

    @Override
    default RecurrentGrads lstmBackward(SequenceInput x, Tensor h0, Tensor c0, RecurrentWeights w, Direction dir, Saved saved,
                                        Tensor gOut, Tensor gHn, Tensor gCn) {
        CpuSequenceInput input = new CpuSequenceInput(x, this);
        Tensor wi = w.wIh(), wh = w.wHh(), bi = w.bIh(), bh = w.bHh();
        float[] mask = dir.mask();
        int hid = w.hidden(), g4 = 4 * hid;
        RnnLayout l = new RnnLayout(input.steps, input.batch, hid, dir.reverse(), mask != null, true);
        float[] states = saved.states().storage(), cells = saved.cells().storage(), tanhC = saved.tanhCells().storage(), gates = saved.gates().storage();
        int steps = l.steps, batch = l.batch;
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
        if (x.tensor().requiresGrad()) gx = input.inputGrad(dGates, g4, wi.storage(), wi.storageOffset());   // dGates · W_ih
        if (h0 != null && h0.requiresGrad()) gh0 = wrap(dh, batch, hid);
        if (c0 != null && c0.requiresGrad()) gc0 = wrap(dc, batch, hid);
        if (wi.requiresGrad()) gwi = input.weightGrad(dGates, g4);   // dW_ih[4H, in] = dGatesᵀ · x, all steps at once
        if (wh.requiresGrad()) {
            float[] d = new float[g4 * hid];
            // dW_hh[4H, H] = dGatesᵀ · h_prev, h_prev of step t being block prevBlock(t): one contiguous run of blocks
            Gemm.gemm(g4, hid, rows, dGates, 0, 1, g4, states, l.prevBlock(0) * l.bh, hid, 1, d, 0, hid, false);
            gwh = wrap(d, g4, hid);
        }
        if ((bi != null && bi.requiresGrad()) || (bh != null && bh.requiresGrad())) {
            float[] db = new float[g4];
            RnnKernels.addColumnSums(dGates, 0, rows, g4, db, 0);
            if (bi != null && bi.requiresGrad()) gbi = wrap(db, g4);
            if (bh != null && bh.requiresGrad()) gbh = wrap(bi != null && bi.requiresGrad() ? db.clone() : db, g4);
        }
        return new RecurrentGrads(gx, gh0, gc0, gwi, gwh, gbi, gbh);
    }

    @Override
    default RecurrentResult gruForward(SequenceInput x, Tensor h0, RecurrentWeights w, Direction dir) {
        CpuSequenceInput input = new CpuSequenceInput(x, this);
        Tensor wi = w.wIh(), wh = w.wHh(), bi = w.bIh(), bh = w.bHh();
        float[] mask = dir.mask();
        boolean reverse = dir.reverse();
        int hid = w.hidden(), g3 = 3 * hid;
        int steps = input.steps, batch = input.batch;
        RnnLayout l = new RnnLayout(steps, batch, hid, reverse, mask != null, false);

        float[] packed = new float[l.total];
        float[] gi = new float[steps * batch * g3];
        float[] gh = new float[steps * batch * g3];
        if (h0 != null) System.arraycopy(h0.storage(), h0.storageOffset(), packed, l.initialBlock() * l.bh, l.bh);

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

        Tensor states = wrap(packed, packed.length);
        return new RecurrentResult(l.output(states), l.hN(states), null, new Saved(states, null, null, wrap(gi, gi.length), wrap(gh, gh.length)));
    }

    @Override
    default RecurrentGrads gruBackward(SequenceInput x, Tensor h0, RecurrentWeights w, Direction dir, Saved saved, Tensor gOut, Tensor gHn) {
        CpuSequenceInput input = new CpuSequenceInput(x, this);
        Tensor wi = w.wIh(), wh = w.wHh(), bi = w.bIh(), bh = w.bHh();
        float[] mask = dir.mask();
        int hid = w.hidden(), g3 = 3 * hid;
        RnnLayout l = new RnnLayout(input.steps, input.batch, hid, dir.reverse(), mask != null, false);
        float[] states = saved.states().storage(), gi = saved.gates().storage(), gh = saved.hiddenGates().storage();
        int steps = l.steps, batch = l.batch;
        Tensor gc = gOut == null ? null : gOut.contiguous();
        float[] gd = gc == null ? null : gc.storage();
        int gBase = gc == null ? 0 : gc.storageOffset();
        float[] dh = RnnKernels.copyOrZeros(gHn, l.bh);
        float[] dgi = new float[steps * batch * g3];
        float[] dgh = new float[steps * batch * g3];
        PackedGemm whP = PackedGemm.pack(g3, hid, wh.storage(), wh.storageOffset(), hid, 1);   // W_hh [3H, H], packed once
        int grain = whP.columnGrain();
        boolean byUnits = RnnKernels.byUnits(hid, grain);
        // as in the LSTM: dh at step t still lacks dgh[next]·W_hh, which each thread adds for its own columns
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
        if (x.tensor().requiresGrad()) gx = input.inputGrad(dgi, g3, wi.storage(), wi.storageOffset());
        if (h0 != null && h0.requiresGrad()) gh0 = wrap(dh, batch, hid);
        if (wi.requiresGrad()) gwi = input.weightGrad(dgi, g3);
        if (wh.requiresGrad()) {
            float[] d = new float[g3 * hid];
            Gemm.gemm(g3, hid, rows, dgh, 0, 1, g3, states, l.prevBlock(0) * l.bh, hid, 1, d, 0, hid, false);
            gwh = wrap(d, g3, hid);
        }
        if (bi != null && bi.requiresGrad()) {
            float[] db = new float[g3];
            RnnKernels.addColumnSums(dgi, 0, rows, g3, db, 0);
            gbi = wrap(db, g3);
        }
        if (bh != null && bh.requiresGrad()) {
            float[] db = new float[g3];
            RnnKernels.addColumnSums(dgh, 0, rows, g3, db, 0);
            gbh = wrap(db, g3);
        }
        return new RecurrentGrads(gx, gh0, null, gwi, gwh, gbi, gbh);
    }
}
