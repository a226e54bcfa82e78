package dev.lamina.backend.cpu;

import dev.lamina.kernels.CpuFeatures;
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
    public static final int SLACK = CpuFeatures.VECTOR ? VectorRows.L : 0;

    public static void row(float[] src, int base, int[] tap, float[] w, int wo, float bias, float[] y, int yo, int n) {
        if (CpuFeatures.VECTOR) {
            VectorRows.row(src, base, tap, w, wo, bias, y, yo, n);
            return;
        }
        for (int j = 0; j < n; j++) {
            float acc = bias;
            for (int t = 0; t < tap.length; t++) acc = Math.fma(w[wo + t], src[base + tap[t] + j], acc);
            y[yo + j] = acc;
        }
    }

    /**
     * dst[d0 + j] = src[s0 + 2j] and dst[d1 + j] = src[s0 + 2j + 1] for j in [0, n / 2) (n even or odd: the last odd
     * element goes to d0): the two column phases of a stride-2 row.
     */
    public static void deinterleave2(float[] src, int s0, int n, float[] dst, int d0, int d1) {
        int j = CpuFeatures.VECTOR ? VectorRows.deinterleave2(src, s0, n, dst, d0, d1) : 0;
        for (; 2 * j + 1 < n; j++) {
            dst[d0 + j] = src[s0 + 2 * j];
            dst[d1 + j] = src[s0 + 2 * j + 1];
        }
        if (2 * j < n) dst[d0 + j] = src[s0 + 2 * j];
    }

    /** Vector API body; loaded only with the incubator module. */
    private static final class VectorRows {
        static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
        static final int L = S.length();

        private static final jdk.incubator.vector.VectorShuffle<Float> EVEN = shuffle(0), ODD = shuffle(1);

        /** Lanes 2i + first of the concatenation of two vectors (indices past L select from the second). */
        private static jdk.incubator.vector.VectorShuffle<Float> shuffle(int first) {
            int[] idx = new int[L];
            for (int i = 0; i < L; i++) idx[i] = 2 * i + first;
            return jdk.incubator.vector.VectorShuffle.fromArray(S, idx, 0);
        }

        /** Whole vectors of {@link DepthwiseRows#deinterleave2}; returns how many outputs per phase were done. */
        static int deinterleave2(float[] src, int s0, int n, float[] dst, int d0, int d1) {
            int j = 0;
            for (; 2 * j + 2 * L <= n; j += L) {
                FloatVector a = FloatVector.fromArray(S, src, s0 + 2 * j), b = FloatVector.fromArray(S, src, s0 + 2 * j + L);
                a.rearrange(EVEN, b).intoArray(dst, d0 + j);
                a.rearrange(ODD, b).intoArray(dst, d1 + j);
            }
            return j;
        }

        static void row(float[] src, int base, int[] tap, float[] w, int wo, float bias, float[] y, int yo, int n) {
            // One method, no vector passed to or returned from another (C2 would box it): taps innermost.
            int taps = tap.length, j = 0;
            // Four vectors at a time (four independent accumulation chains hide the fma latency), the fourth partial
            // at a row's end; then two, then one: a row of 56 is one pass of four chains, not four passes of one.
            for (; j + 3 * L < n; j += 4 * L) {
                FloatVector a0 = FloatVector.broadcast(S, bias), a1 = a0, a2 = a0, a3 = a0;
                int at = base + j;
                for (int t = 0; t < taps; t++) {
                    FloatVector wt = FloatVector.broadcast(S, w[wo + t]);
                    int o = at + tap[t];
                    a0 = FloatVector.fromArray(S, src, o).fma(wt, a0);
                    a1 = FloatVector.fromArray(S, src, o + L).fma(wt, a1);
                    a2 = FloatVector.fromArray(S, src, o + 2 * L).fma(wt, a2);
                    a3 = FloatVector.fromArray(S, src, o + 3 * L).fma(wt, a3);
                }
                a0.intoArray(y, yo + j);
                a1.intoArray(y, yo + j + L);
                a2.intoArray(y, yo + j + 2 * L);
                a3.intoArray(y, yo + j + 3 * L, S.indexInRange(j + 3 * L, n));
            }
            for (; j + L < n; j += 2 * L) {
                FloatVector a0 = FloatVector.broadcast(S, bias), a1 = a0;
                int at = base + j;
                for (int t = 0; t < taps; t++) {
                    FloatVector wt = FloatVector.broadcast(S, w[wo + t]);
                    a0 = FloatVector.fromArray(S, src, at + tap[t]).fma(wt, a0);
                    a1 = FloatVector.fromArray(S, src, at + tap[t] + L).fma(wt, a1);
                }
                a0.intoArray(y, yo + j);
                a1.intoArray(y, yo + j + L, S.indexInRange(j + L, n));
            }
            if (j < n) {
                FloatVector acc = FloatVector.broadcast(S, bias);
                int at = base + j;
                for (int t = 0; t < taps; t++) acc = FloatVector.fromArray(S, src, at + tap[t]).fma(FloatVector.broadcast(S, w[wo + t]), acc);
                acc.intoArray(y, yo + j, S.indexInRange(j, n));
            }
        }
    }
}
