package dev.lamina.backend.cpu;

import dev.lamina.kernels.CpuFeatures;
import dev.lamina.kernels.Reductions;

/**
 * The dot products and sums of the convolution kernels' weight and bias gradients, in a fixed summation order
 * (deterministic, independent of threads). The same arithmetic as {@code nn.functional.NormKernels.sum}/{@code dot}
 * (runs of 64 or more floats with the Vector API in four float vector accumulators whose lanes are added in double,
 * shorter runs in double with four independent accumulators) and {@code SoftmaxKernels.dot} (float): copies kept here
 * until those families move behind the seam and can share them.
 */
final class ConvReductions {
    private ConvReductions() {}

    /** Σ a[o..o+n), in double. */
    static double sum(float[] a, int o, int n) {
        if (Reductions.vectorFor(n)) return Reductions.sum(a, o, n);
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int k = 0;
        for (; k + 4 <= n; k += 4) {
            s0 += a[o + k];
            s1 += a[o + k + 1];
            s2 += a[o + k + 2];
            s3 += a[o + k + 3];
        }
        for (; k < n; k++) s0 += a[o + k];
        return (s0 + s1) + (s2 + s3);
    }

    /** Σ g·h over g[go..go+n), h[ho..ho+n), in double. */
    static double dot(float[] g, int go, float[] h, int ho, int n) {
        if (Reductions.vectorFor(n)) return Reductions.dotVector(g, go, h, ho, n);
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int k = 0;
        for (; k + 4 <= n; k += 4) {
            s0 += g[go + k] * h[ho + k];
            s1 += g[go + k + 1] * h[ho + k + 1];
            s2 += g[go + k + 2] * h[ho + k + 2];
            s3 += g[go + k + 3] * h[ho + k + 3];
        }
        for (; k < n; k++) s0 += g[go + k] * h[ho + k];
        return (s0 + s1) + (s2 + s3);
    }

    /** Σ a·b over n floats, in float. */
    static float dotFloat(float[] a, int ao, float[] b, int bo, int n) {
        int i = 0;
        float s = 0;
        if (CpuFeatures.VECTOR && n >= 16) {
            s = VectorSmallConv.dot(a, ao, b, bo, n);
            i = VectorSmallConv.bound(n);
        }
        for (; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }
}
