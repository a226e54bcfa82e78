package dev.lamina.backend.cpu;

import dev.lamina.kernels.CpuFeatures;

/**
 * Row kernels of the fused softmax in {@link CpuAttentionOps} (and the dot product of the depthwise convolution's
 * backward): Vector API when present, scalar otherwise. Float accumulation and the Vector API's exp, so not the same
 * bits as {@code CpuBackend.softmax} (double sums, {@link Math#exp}); each keeps its own.
 */
public final class SoftmaxKernels {
    private SoftmaxKernels() {}

    /** x[o..o+n) *= scale in place; returns the largest result. */
    static float scaleMax(float[] x, int o, int n, float scale) {
        int i = 0;
        float max = Float.NEGATIVE_INFINITY;
        if (CpuFeatures.VECTOR && n >= 16) {
            max = VectorSoftmaxKernels.scaleMax(x, o, n, scale);
            i = VectorSoftmaxKernels.bound(n);
        }
        for (; i < n; i++) {
            float s = x[o + i] * scale;
            x[o + i] = s;
            if (s > max) max = s;
        }
        return max;
    }

    /** x[o..o+n) *= f in place. */
    static void scale(float[] x, int o, int n, float f) {
        int i = 0;
        if (CpuFeatures.VECTOR && n >= 16) {
            VectorSoftmaxKernels.scale(x, o, n, f);
            i = VectorSoftmaxKernels.bound(n);
        }
        for (; i < n; i++) x[o + i] *= f;
    }

    /** x[o..o+n) = exp(x − max) in place; returns their sum. */
    static float expSubtractSum(float[] x, int o, int n, float max) {
        int i = 0;
        float sum = 0;
        if (CpuFeatures.VECTOR && n >= 16) {
            sum = VectorSoftmaxKernels.expSubtractSum(x, o, n, max);
            i = VectorSoftmaxKernels.bound(n);
        }
        for (; i < n; i++) {
            float e = (float) Math.exp(x[o + i] - max);
            x[o + i] = e;
            sum += e;
        }
        return sum;
    }

    /** Σ a·b over n floats. */
    public static float dot(float[] a, int ao, float[] b, int bo, int n) {
        int i = 0;
        float s = 0;
        if (CpuFeatures.VECTOR && n >= 16) {
            s = VectorSoftmaxKernels.dot(a, ao, b, bo, n);
            i = VectorSoftmaxKernels.bound(n);
        }
        for (; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    /** The softmax backward of one row in place: g = p·(g − dot)·scale. */
    static void softmaxGrad(float[] g, int go, float[] p, int po, int n, float dot, float scale) {
        int i = 0;
        if (CpuFeatures.VECTOR && n >= 16) {
            VectorSoftmaxKernels.softmaxGrad(g, go, p, po, n, dot, scale);
            i = VectorSoftmaxKernels.bound(n);
        }
        for (; i < n; i++) g[go + i] = p[po + i] * (g[go + i] - dot) * scale;
    }
}
