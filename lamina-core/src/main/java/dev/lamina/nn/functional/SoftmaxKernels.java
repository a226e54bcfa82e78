package dev.lamina.nn.functional;

import dev.lamina.kernels.Gemm;

/** Row kernels of the fused softmax in {@link AttentionOp}: Vector API when present, scalar otherwise. */
final class SoftmaxKernels {
    private SoftmaxKernels() {}

    /** x[o..o+n) = exp(x − max) in place; returns their sum. */
    static float expSubtractSum(float[] x, int o, int n, float max) {
        int i = 0;
        float sum = 0;
        if (Gemm.VECTOR && n >= 16) {
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
}
