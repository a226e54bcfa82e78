package dev.lamina.nn.functional;

import dev.lamina.backend.RecurrentOps;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * One direction of one GRU layer over a whole sequence, fused, with PyTorch's equations (gates r, z, n):
 * <pre>
 *   r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r·(W_hn h + b_hn)),   h' = (1 − z)·n + z·h
 * </pre>
 *
 * <p>Shapes are checked here and the tape node recorded; the values come from the backend's {@link RecurrentOps}.
 * Masks as in {@link LstmOp}.
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
        RecurrentOps.RecurrentWeights w = new RecurrentOps.RecurrentWeights(wi, wh, bi, bh);
        RecurrentOps.Direction dir = new RecurrentOps.Direction(reverse, mask);
        RecurrentOps.RecurrentResult r = xc.backend().gruForward(input.input, hc, w, dir);
        // output and hN: one tape node; backward from the gradients of both (null where the loss does not reach)
        Tensor[] outs = Tensor.fromOps("gru", new Tensor[] {r.output(), r.hN()}, g -> {
            RecurrentOps.RecurrentGrads d = xc.backend().gruBackward(input.input, hc, w, dir, r.saved(), g[0], g[1]);
            return new Tensor[] {d.input(), d.h0(), d.wIh(), d.wHh(), d.bIh(), d.bHh()};
        }, xc, hc, wi, wh, bi, bh);
        return new Result(outs[0], outs[1]);
    }
}
