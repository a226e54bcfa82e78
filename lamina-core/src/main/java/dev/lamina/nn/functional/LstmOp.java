package dev.lamina.nn.functional;

import dev.lamina.backend.RecurrentOps;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * One direction of one LSTM layer over a whole sequence, fused: PyTorch's equations with gates (i, f, g, o)
 * <pre>
 *   i, f, o = σ(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh)[i, f, o parts],  g = tanh(...)[g part]
 *   c' = f·c + i·g,   h' = o·tanh(c')
 * </pre>
 *
 * <p>Shapes are checked here and the tape node recorded; the values come from the backend's {@link RecurrentOps}
 * (on the CPU: one GEMM for the input projection of all steps, one per step for the recurrence).
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
        RecurrentOps.RecurrentWeights w = new RecurrentOps.RecurrentWeights(wi, wh, bi, bh);
        RecurrentOps.Direction dir = new RecurrentOps.Direction(reverse, mask);
        RecurrentOps.RecurrentResult r = xc.backend().lstmForward(input.input, hc, cc, w, dir);
        // output, hN and cN: one tape node; backward from the gradients of all three (null where the loss does not reach)
        Tensor[] outs = Tensor.fromOps("lstm", new Tensor[] {r.output(), r.hN(), r.cN()}, g -> {
            RecurrentOps.RecurrentGrads d = xc.backend().lstmBackward(input.input, hc, cc, w, dir, r.saved(), g[0], g[1], g[2]);
            return new Tensor[] {d.input(), d.h0(), d.c0(), d.wIh(), d.wHh(), d.bIh(), d.bHh()};
        }, xc, hc, cc, wi, wh, bi, bh);
        return new Result(outs[0], outs[1], outs[2]);
    }

    /**
     * Constant weights of one direction prepared by their backend once, for repeated inference ({@link
     * RecurrentOps#prepareLstm}: on the CPU, W_hhᵀ packed for the GEMM and the biases summed). They must not change
     * afterwards.
     */
    public static final class Prepared {
        final RecurrentOps.PreparedLstm prepared;
        final int hidden, in;

        private Prepared(RecurrentOps.PreparedLstm prepared, int hidden, int in) {
            this.prepared = prepared;
            this.hidden = hidden;
            this.in = in;
        }
    }

    /** Prepares constant weights (shapes as for {@link #lstm(Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, float[], boolean)}). */
    public static Prepared prepare(Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        if (wHh.dim() != 2 || wHh.size(0) != 4 * wHh.size(1)) throw new ShapeException("lstm: weight_hh " + Shape.str(wHh.shape()) + " is not [4H, H]");
        int g4 = wHh.size(0);
        if (wIh.dim() != 2 || wIh.size(0) != g4) throw new ShapeException("lstm: weight_ih " + Shape.str(wIh.shape()) + " is not [" + g4 + ", in]");
        checkVector("bias_ih", bIh, g4);
        checkVector("bias_hh", bHh, g4);
        Tensor wi = wIh.detach().contiguous(), wh = wHh.detach().contiguous();
        Tensor bi = bIh == null ? null : bIh.detach().contiguous(), bh = bHh == null ? null : bHh.detach().contiguous();
        var w = new RecurrentOps.RecurrentWeights(wi, wh, bi, bh);
        return new Prepared(wh.backend().prepareLstm(w), wHh.size(1), wIh.size(1));
    }

    /**
     * The LSTM with prepared weights, for inference (nothing is recorded for backward): the same values as {@link
     * #lstm(Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, float[], boolean)} with those weights.
     */
    public static Result lstm(Tensor x, Tensor h0, Tensor c0, Prepared w, float[] mask, boolean reverse) {
        if (x.dim() != 3 || x.size(2) != w.in) throw new ShapeException("lstm: input " + Shape.str(x.shape()) + " is not [seq, batch, " + w.in + "]");
        RnnInput input = RnnInput.dense(x);
        checkState("h0", h0, input.batch, w.hidden);
        checkState("c0", c0, input.batch, w.hidden);
        if (mask != null && mask.length != input.steps * input.batch) throw new ShapeException("lstm: mask of " + mask.length + " values for " + input.steps + " steps × " + input.batch + " rows");
        Tensor hc = h0 == null ? null : h0.detach().contiguous(), cc = c0 == null ? null : c0.detach().contiguous();
        RecurrentOps.RecurrentResult r = x.backend().lstmInference(input.input, hc, cc, w.prepared, new RecurrentOps.Direction(reverse, mask));
        return new Result(r.output(), r.hN(), r.cN());
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
