package dev.lamina.optim;

import dev.lamina.tensor.Tensor;

import java.util.List;

/** Gradient clipping, in place on the parameters' gradients (PyTorch's clip_grad_norm_ and clip_grad_value_). */
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
            float[] d = g.storage();
            for (int i = g.storageOffset(), e = i + g.numel(); i < e; i++) sq += (double) d[i] * d[i];
        }
        double norm = Math.sqrt(sq);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1) {
            float c = (float) coef;
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g == null) continue;
                float[] d = g.storage();
                for (int i = g.storageOffset(), e = i + g.numel(); i < e; i++) d[i] *= c;
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
            float[] d = g.storage();
            for (int i = g.storageOffset(), e = i + g.numel(); i < e; i++) d[i] = Math.max(-c, Math.min(c, d[i]));
        }
    }
}
