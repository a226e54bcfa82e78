package dev.lamina.optim;

import dev.lamina.tensor.Tensor;

import java.util.List;

/**
 * Gradient clipping, in place on the parameters' gradients (PyTorch's clip_grad_norm_ and clip_grad_value_), through
 * each gradient's backend ({@link dev.lamina.backend.OptimizerOps#sumOfSquares}, {@code scale_}, {@code clampSymmetric_}).
 */
public final class GradClip {
    private GradClip() {}

    /**
     * Scales all gradients together so their global L2 norm is at most {@code maxNorm}.
     *
     * @return the global norm before clipping (NaN or infinite if a gradient is)
     */
    public static double clipGradNorm(List<Tensor> params, double maxNorm) {
        double sq = 0;
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g == null) continue;
            sq += g.backend().sumOfSquares(contiguous(g));
        }
        double norm = Math.sqrt(sq);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1) {
            float c = (float) coef;
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g == null) continue;
                if (g.isContiguous()) {
                    g.backend().scale_(g, c);
                } else {
                    Tensor s = contiguous(g);
                    g.backend().scale_(s, c);
                    g.backend().copyInto_(s, g);
                }
            }
        }
        return norm;
    }

    /** Clamps every gradient element into [−clip, clip]. */
    public static void clipGradValue(List<Tensor> params, double clip) {
        float c = (float) clip;
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g == null) continue;
            if (g.isContiguous()) {
                g.backend().clampSymmetric_(g, c);
            } else {
                Tensor s = contiguous(g);
                g.backend().clampSymmetric_(s, c);
                g.backend().copyInto_(s, g);
            }
        }
    }

    /** {@code g} itself when contiguous, else a contiguous copy (off the tape). */
    private static Tensor contiguous(Tensor g) {
        return g.isContiguous() ? g : g.backend().copy(g);
    }
}
