package dev.lamina.backend.cpu;

import dev.lamina.kernels.CpuFeatures;

/**
 * The CPU's one row softmax: {@link #softmaxRow} (softmax or log-softmax of a row) serves {@code CpuBackend.softmax},
 * the cross-entropy rows of {@link CpuLossOps}, and, through {@link #normalizeRow} after its scale and masks, the
 * fused attention of {@link CpuAttentionOps}. Vector API when present (its exp, float sums over the lanes), scalar
 * otherwise; the same inputs give the same bits on every path that uses it. Also the dot product of the depthwise
 * convolution's backward.
 */
public final class SoftmaxKernels {
    private SoftmaxKernels() {}

    /**
     * Softmax (or, when {@code log}, log-softmax) of the row x[xo..xo+n) into out[oo..oo+n); x and out may be the
     * same row. A row whose largest value is −∞ (nothing unmasked) comes out NaN, as in PyTorch.
     */
    static void softmaxRow(float[] x, int xo, float[] out, int oo, int n, boolean log) {
        if (x != out || xo != oo) System.arraycopy(x, xo, out, oo, n);
        float max = scaleMax(out, oo, n, 1f);
        if (log) {
            float lse = (float) (max + Math.log(expSum(out, oo, n, max)));
            shift(out, oo, n, -lse);
        } else {
            normalizeRow(out, oo, n, max);
        }
    }

    /** x[o..o+n) = exp(x − max) / Σ exp(x − max) in place, given the row's largest value {@code max}. */
    static void normalizeRow(float[] x, int o, int n, float max) {
        float sum = expSubtractSum(x, o, n, max);
        scale(x, o, n, 1f / sum);
    }

    /** Σ exp(x − max) over x[o..o+n), leaving x as it is. */
    static float expSum(float[] x, int o, int n, float max) {
        int i = 0;
        float sum = 0;
        if (CpuFeatures.VECTOR && n >= 16) {
            sum = VectorSoftmaxKernels.expSum(x, o, n, max);
            i = VectorSoftmaxKernels.bound(n);
        }
        for (; i < n; i++) sum += (float) Math.exp(x[o + i] - max);
        return sum;
    }

    /** x[o..o+n) += d in place. */
    static void shift(float[] x, int o, int n, float d) {
        int i = 0;
        if (CpuFeatures.VECTOR && n >= 16) {
            VectorSoftmaxKernels.shift(x, o, n, d);
            i = VectorSoftmaxKernels.bound(n);
        }
        for (; i < n; i++) x[o + i] += d;
    }

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
