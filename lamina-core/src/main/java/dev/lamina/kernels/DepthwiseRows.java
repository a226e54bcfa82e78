package dev.lamina.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The inner loop of a direct depthwise convolution: one output row from a zero-padded (and, for strides above 1,
 * phase-split) input plane, every output element accumulated from all its taps in a register and stored once:
 * {@code y[yo + j] = bias + Σ_t w[wo + t] · src[base + tap[t] + j]} for j in [0, n). The source must hold
 * {@link #SLACK} readable floats past the last element a row needs (lanes past n are computed and not stored).
 */
public final class DepthwiseRows {
    private DepthwiseRows() {}

    /** Floats a source buffer needs past its last used element (one vector). */
    public static final int SLACK = Gemm.VECTOR ? VectorRows.L : 0;

    public static void row(float[] src, int base, int[] tap, float[] w, int wo, float bias, float[] y, int yo, int n) {
        if (Gemm.VECTOR) {
            VectorRows.row(src, base, tap, w, wo, bias, y, yo, n);
            return;
        }
        for (int j = 0; j < n; j++) {
            float acc = bias;
            for (int t = 0; t < tap.length; t++) acc = Math.fma(w[wo + t], src[base + tap[t] + j], acc);
            y[yo + j] = acc;
        }
    }

    /** Vector API body; loaded only with the incubator module. */
    private static final class VectorRows {
        static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
        static final int L = S.length();

        static void row(float[] src, int base, int[] tap, float[] w, int wo, float bias, float[] y, int yo, int n) {
            int j = 0;
            for (int bound = S.loopBound(n); j < bound; j += L) acc(src, base + j, tap, w, wo, bias).intoArray(y, yo + j);
            if (j < n) {
                VectorMask<Float> m = S.indexInRange(j, n);
                acc(src, base + j, tap, w, wo, bias).intoArray(y, yo + j, m);
            }
        }

        private static FloatVector acc(float[] src, int at, int[] tap, float[] w, int wo, float bias) {
            FloatVector acc = FloatVector.broadcast(S, bias);
            for (int t = 0; t < tap.length; t++) {
                acc = FloatVector.fromArray(S, src, at + tap[t]).fma(FloatVector.broadcast(S, w[wo + t]), acc);
            }
            return acc;
        }
    }
}
