package dev.lamina.nn.functional;

import dev.lamina.backend.NormOps.BatchNormed;
import dev.lamina.backend.NormOps.Grads;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * Fused batch normalization over an NCHW-style input {@code [N, C, *]}: one statistic per channel, taken over the
 * batch and every trailing (spatial) position. Forward and backward are paired explicitly and share the named
 * cached values {@link BatchNormed#mean}, {@link BatchNormed#invStd} (per channel) and, for [N, C] input, {@link BatchNormed#xHat}
 * (the normalized input); with spatial positions x̂ = (x − mean)·invStd is recomputed in float from x in backward
 * (the same values, one large array less to write and keep). This class checks the shapes and records the tape; the
 * values come from the tensor's backend ({@link dev.lamina.backend.NormOps#batchNorm_}).
 *
 * <p>Training mode normalizes with the batch mean and the biased variance and, when running buffers are given,
 * updates them in place as PyTorch does: {@code running = (1 − momentum)·running + momentum·batch}, with the
 * unbiased variance for {@code running_var}. Evaluation mode normalizes with the running buffers.
 */
public final class BatchNormOp {
    private BatchNormOp() {}

    /**
     * @param x [N, C, *] (any number of trailing dims, including none)
     * @param runningMean [C] or null; updated in place in training mode
     * @param runningVar [C] or null (null together with runningMean)
     * @param weight [C] or null (no affine scale)
     * @param bias [C] or null
     * @param training true: batch statistics (and running-buffer update); false: running statistics, which must
     *     then be given
     * @param momentum the running-average factor used in training (PyTorch's exponential_average_factor)
     * @param eps added to the variance
     * @return [N, C, *]
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        if (x.dim() < 2) throw new ShapeException("batch_norm: expected input of shape [N, C, *], got " + Shape.str(x.shape()));
        int n = x.size(0), c = x.size(1), s = n * c == 0 ? 0 : x.numel() / (n * c);
        checkVec("weight", weight, c, x);
        checkVec("bias", bias, c, x);
        checkVec("running_mean", runningMean, c, x);
        checkVec("running_var", runningVar, c, x);
        if ((runningMean == null) != (runningVar == null)) throw new IllegalArgumentException("batch_norm: running_mean and running_var must be given together");
        if (!training && runningMean == null) throw new IllegalArgumentException("batch_norm: evaluation mode needs running_mean and running_var");
        long count = (long) n * s;
        if (training && count <= 1) {
            throw new ShapeException("batch_norm: expected more than 1 value per channel when training, got input of shape " + Shape.str(x.shape()));
        }
        Tensor xc = x.contiguous();
        Tensor w = weight == null ? null : weight.contiguous(), b = bias == null ? null : bias.contiguous();
        Tensor x3 = xc.reshape(n, c, s);
        BatchNormed saved = xc.backend().batchNorm_(x3, runningMean, runningVar, w, b, training, momentum, eps);
        return Tensor.fromOp("batch_norm", saved.output().reshape(x.shape()), g -> {
            Grads gr = g.backend().batchNormBackward(g.reshape(n, c, s), x3, saved, w, xc.requiresGrad(),
                    w != null && w.requiresGrad(), b != null && b.requiresGrad());
            return new Tensor[] {gr.x() == null ? null : gr.x().reshape(xc.shape()), gr.weight(), gr.bias()};
        }, xc, w, b);
    }

    private static void checkVec(String name, Tensor t, int c, Tensor x) {
        if (t != null && (t.dim() != 1 || t.size(0) != c)) {
            throw new ShapeException("batch_norm: " + name + " of shape " + Shape.str(t.shape()) + " does not match input "
                    + Shape.str(x.shape()) + " with " + c + " channels (expected [" + c + "])");
        }
    }
}
