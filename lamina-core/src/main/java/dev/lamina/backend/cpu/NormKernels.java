package dev.lamina.backend.cpu;

import dev.lamina.kernels.Reductions;

/**
 * Reductions of the normalization ops: runs of 64 or more floats (with the Vector API) in four float vector
 * accumulators whose lanes are added in double, shorter runs in double with four independent accumulators. Either
 * way a fixed summation order (deterministic, independent of threads).
 */
public final class NormKernels {
    private NormKernels() {}

    /** Σ a[o..o+n). */
    public static double sum(float[] a, int o, int n) {
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

    /** Σ (a − m)² over a[o..o+n). */
    public static double sumSqDev(float[] a, int o, int n, double m) {
        if (Reductions.vectorFor(n)) return Reductions.sumSqDevVector(a, o, n, m);
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int k = 0;
        for (; k + 4 <= n; k += 4) {
            double d0 = a[o + k] - m, d1 = a[o + k + 1] - m, d2 = a[o + k + 2] - m, d3 = a[o + k + 3] - m;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; k < n; k++) {
            double d = a[o + k] - m;
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Σ g·h over g[go..go+n), h[ho..ho+n). */
    public static double dot(float[] g, int go, float[] h, int ho, int n) {
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

    /** Σ g·((x − m)·r) over g[go..go+n), x[xo..xo+n), the normalized x recomputed in float as the forward writes it. */
    public static double dotNormalized(float[] g, int go, float[] x, int xo, int n, float m, float r) {
        if (Reductions.vectorFor(n)) return Reductions.dotNormalizedVector(g, go, x, xo, n, m, r);
        double s0 = 0, s1 = 0;
        int k = 0;
        for (; k + 2 <= n; k += 2) {
            s0 += g[go + k] * ((x[xo + k] - m) * r);
            s1 += g[go + k + 1] * ((x[xo + k + 1] - m) * r);
        }
        for (; k < n; k++) s0 += g[go + k] * ((x[xo + k] - m) * r);
        return s0 + s1;
    }
}
