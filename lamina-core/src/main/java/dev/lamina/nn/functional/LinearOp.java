package dev.lamina.nn.functional;

import dev.lamina.backend.LinearOps;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * The fused affine map y = x·Wᵀ + b as one tape node: shapes checked here, values from the backend's
 * {@link LinearOps} (on the CPU one GEMM forward and two backward, nothing transposed in memory).
 */
public final class LinearOp {
    private LinearOp() {}

    /**
     * @param x [..., in]
     * @param weight [out, in]
     * @param bias [out] or null
     * @return [..., out]
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        int in = weight.size(1), out = weight.size(0);
        if (x.dim() == 0 || x.size(-1) != in) throw new ShapeException("linear: input " + Shape.str(x.shape()) + " does not end in " + in + " features for weight " + Shape.str(weight.shape()));
        if (bias != null && (bias.dim() != 1 || bias.size(0) != out)) throw new ShapeException("linear: bias " + Shape.str(bias.shape()) + " does not match weight " + Shape.str(weight.shape()));
        int[] outShape = x.shape();
        outShape[outShape.length - 1] = out;
        Tensor x2 = x.dim() == 2 ? x.contiguous() : x.reshape(-1, in);
        Tensor w = weight.contiguous(), b = bias == null ? null : bias.contiguous();
        Tensor result = Tensor.fromOp("linear", x.backend().linear(x2, w, b), g -> backward(g.contiguous(), x2, w, b), x2, w, b);
        return x.dim() == 2 ? result : result.reshape(outShape);
    }

    /** Gradients for (x, W, b) from g [m, out]: gx = g·W, gW = gᵀ·x, gb = column sums of g. */
    private static Tensor[] backward(Tensor g, Tensor x, Tensor w, Tensor b) {
        LinearOps.LinearGrads d = g.backend().linearBackward(g, x, w, x.requiresGrad(), w.requiresGrad(), b != null && b.requiresGrad());
        return new Tensor[] {d.x(), d.weight(), d.bias()};
    }
}
