package dev.lamina.backend;

import dev.lamina.autograd.Autograd;
import dev.lamina.tensor.Tensor;

/**
 * The fused affine map y = x·Wᵀ + b of {@code nn.functional.LinearOp}: one forward and its backward pieces. The op
 * checks shapes and records the tape node; these methods compute values only.
 */
public interface LinearOps extends TensorOps {
    /** The gradients of (x, W, b); each null when it was not asked for. */
    record LinearGrads(Tensor x, Tensor weight, Tensor bias) {}

    /**
     * y = x·Wᵀ (+ b).
     *
     * @param x [m, in] contiguous
     * @param weight [out, in] contiguous
     * @param bias [out] contiguous, or null
     * @return [m, out]
     */
    default Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        try (var s = Autograd.noGrad()) {
            Tensor y = x.matmul(weight.t());
            return bias == null ? y.contiguous() : y.add(bias).contiguous();
        }
    }

    /**
     * The gradients from g [m, out]: dx = g·W [m, in], dW = gᵀ·x [out, in], db = column sums of g [out]; only those
     * whose flag is set are computed.
     */
    default LinearGrads linearBackward(Tensor g, Tensor x, Tensor weight, boolean needX, boolean needWeight, boolean needBias) {
        try (var s = Autograd.noGrad()) {
            Tensor gx = needX ? g.matmul(weight).contiguous() : null;
            Tensor gw = needWeight ? g.t().matmul(x).contiguous() : null;
            Tensor gb = needBias ? g.sum(0, false).contiguous() : null;
            return new LinearGrads(gx, gw, gb);
        }
    }
}
