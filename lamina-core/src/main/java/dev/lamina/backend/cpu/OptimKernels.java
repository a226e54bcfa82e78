package dev.lamina.backend.cpu;

import dev.lamina.kernels.CpuFeatures;
import dev.lamina.kernels.Parallel;

/**
 * Fused optimizer updates over a parameter's flat storage, split across cores for large parameters. The Vector
 * API path is used when the module is present; the scalar path computes the same formula.
 */
final class OptimKernels {
    private OptimKernels() {}

    private static final int GRAIN = 1 << 15;

    /**
     * One Adam step for elements [0, n) of p from po, g from go, m from mo, v from vo, vmax from xo: g ← g + l2·p; m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
     * (AMSGrad: vmax ← max(vmax, v), used instead of v); p ← p − stepSize·m / (√v·invSqrtBc2 + eps).
     */
    static void adam(float[] p, int po, float[] g, int go, float[] m, int mo, float[] v, int vo, float[] vmax, int xo, int n,
                            float b1, float b2, float eps, float stepSize, float invSqrtBc2, float l2) {
        if (n >= 2 * GRAIN) {
            Parallel.forRange(n, GRAIN, (s, e) -> adamRange(p, po, g, go, m, mo, v, vo, vmax, xo, s, e, b1, b2, eps, stepSize, invSqrtBc2, l2));
        } else {
            adamRange(p, po, g, go, m, mo, v, vo, vmax, xo, 0, n, b1, b2, eps, stepSize, invSqrtBc2, l2);
        }
    }

    private static void adamRange(float[] p, int po, float[] g, int go, float[] m, int mo, float[] v, int vo, float[] vmax, int xo, int from, int to,
                                  float b1, float b2, float eps, float stepSize, float invSqrtBc2, float l2) {
        int i = from;
        if (CpuFeatures.VECTOR && vmax == null) {
            i = VectorOptimKernels.adam(p, po, g, go, m, mo, v, vo, from, to, b1, b2, eps, stepSize, invSqrtBc2, l2);
        }
        for (; i < to; i++) {
            float gi = g[go + i] + l2 * p[po + i];
            float mv = b1 * m[mo + i] + (1 - b1) * gi;
            float vv = b2 * v[vo + i] + (1 - b2) * gi * gi;
            m[mo + i] = mv;
            v[vo + i] = vv;
            float second = vv;
            if (vmax != null) {
                second = Math.max(vmax[xo + i], vv);
                vmax[xo + i] = second;
            }
            p[po + i] -= stepSize * mv / ((float) Math.sqrt(second) * invSqrtBc2 + eps);
        }
    }
}
