package dev.lamina.nn.functional;

import dev.lamina.backend.NormOps.BnReluPooled;
import dev.lamina.backend.NormOps.Grads;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * {@code max_pool2d(relu(batch_norm(x)), 2, 2)} over NCHW input as one op: the sequence a CNN block ends with
 * (BatchNorm2d → ReLU → MaxPool2d(2)), which {@code Sequential} runs through here. Unfused, the three layers write
 * and re-read the full-size normalized and rectified activations forward and three full-size gradients backward;
 * fused, forward reads x for the statistics and once more to normalize, rectify and pool it plane by plane (in an
 * L1-sized scratch plane), writing only the pooled output; backward writes only the input gradient.
 *
 * <p>This class checks the shapes and records the tape; the values come from the tensor's backend
 * ({@link dev.lamina.backend.NormOps#batchNormReluMaxPool2d_}, whose default runs batch norm, ReLU and max pool one
 * after another). On the CPU, forward values are bit-identical to the three layers run one after another: the
 * statistics come from the same code as batch norm's, each element is normalized with the same
 * float operations and rectified with {@code Math.max(y, 0)}, and the 2×2 maximum follows {@link PoolOps}' rule
 * (the first maximum in row-major order wins; a NaN wins). Backward gives the same gradients up to
 * float rounding (the per-channel sums Σgy and Σgy·x̂ run over the pooled outputs only, where the unfused backward
 * also adds the zeros in between): the pooled gradient reaches the winning element where the pooled value is
 * positive, which is what ReLU's backward (passes where its output is &gt; 0) after max-pool's (to the arg-max)
 * gives.
 *
 * <p>Cached for backward: what the backend returned ({@link dev.lamina.backend.NormOps.FusedSaved}; on the CPU the
 * per-channel mean and invStd, per output one byte, the window slot of the maximum and whether it is positive,
 * and the input value x at the maximum) and x itself (x̂ is recomputed from it for the input gradient, as
 * BatchNormOp does). Odd H or W: the last row or column is in no window (floor mode), as MaxPool2d(2).
 */
public final class BatchNormReluPoolOp {
    private BatchNormReluPoolOp() {}

    /** Whether the fused op computes {@code maxPool(relu(batchNorm(x)))} for this pooling window and input. */
    public static boolean applies(PoolOps.Window window, Tensor x) {
        return window.isFused2x2() && !window.oneD() && x.dim() == 4 && x.size(2) >= 2 && x.size(3) >= 2
                && window.outH(x.size(2)) == x.size(2) / 2 && window.outW(x.size(3)) == x.size(3) / 2;
    }

    /**
     * Arguments as {@link BatchNormOp#batchNorm}; x must be [N, C, H, W] with H, W ≥ 2.
     *
     * @return [N, C, H/2, W/2]
     */
    public static Tensor forward(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                 boolean training, double momentum, double eps) {
        if (x.dim() != 4 || x.size(2) < 2 || x.size(3) < 2) {
            throw new ShapeException("batch_norm_relu_max_pool2d: expected input [N, C, H, W] with H, W ≥ 2, got " + Shape.str(x.shape()));
        }
        int n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3), s = h * wd;
        if (training && (long) n * s <= 1) throw new ShapeException("batch_norm: expected more than 1 value per channel when training, got input of shape " + Shape.str(x.shape()));
        if (!training && runningMean == null) throw new IllegalArgumentException("batch_norm: evaluation mode needs running_mean and running_var");
        Tensor xc = x.contiguous();
        Tensor w = weight == null ? null : weight.contiguous(), b = bias == null ? null : bias.contiguous();
        boolean tape = training || Tensor.gradWanted(xc, w, b);
        BnReluPooled r = xc.backend().batchNormReluMaxPool2d_(xc, runningMean, runningVar, w, b, training, momentum, eps, tape);
        if (!tape) return r.output();
        return Tensor.fromOp("batch_norm_relu_max_pool2d", r.output(), g -> {
            Grads gr = g.backend().batchNormReluMaxPool2dBackward(g, xc, r.saved(), w, xc.requiresGrad(),
                    w != null && w.requiresGrad(), b != null && b.requiresGrad());
            return new Tensor[] {gr.x(), gr.weight(), gr.bias()};
        }, xc, w, b);
    }
}
