package dev.lamina.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Vector API bodies of {@link Reductions}; loaded only when the incubator module is present. */
final class VectorReductions {
    private VectorReductions() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Four independent vector accumulators, then lanes in double, then the scalar tail. */
    static double sum(float[] x, int off, int n) {
        int step = S.length();
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (int bound = n - 4 * step; i <= bound; i += 4 * step) {
            a0 = a0.add(FloatVector.fromArray(S, x, off + i));
            a1 = a1.add(FloatVector.fromArray(S, x, off + i + step));
            a2 = a2.add(FloatVector.fromArray(S, x, off + i + 2 * step));
            a3 = a3.add(FloatVector.fromArray(S, x, off + i + 3 * step));
        }
        for (int bound = n - step; i <= bound; i += step) a0 = a0.add(FloatVector.fromArray(S, x, off + i));
        double s = 0;
        FloatVector total = a0.add(a1).add(a2.add(a3));
        for (int lane = 0; lane < step; lane++) s += total.lane(lane);
        for (; i < n; i++) s += x[off + i];
        return s;
    }

    /** Σ a·b over k floats: four vector accumulators with FMA, then the lanes, then the scalar tail (fixed order). */
    static float dot(float[] a, int ao, float[] b, int bo, int k) {
        FloatVector total = fmaAccumulate(a, ao, b, bo, k);
        float s = 0;
        for (int lane = 0; lane < S.length(); lane++) s += total.lane(lane); // fixed order (reduceLanes' order may vary)
        for (int i = S.loopBound(k); i < k; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    /**
     * The vector part of a dot product: lane-wise Σ a·b over the first {@code S.loopBound(k)} elements, in four
     * accumulators (then one), added together in a fixed order.
     */
    private static FloatVector fmaAccumulate(float[] a, int ao, float[] b, int bo, int k) {
        int step = S.length();
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (int bound = k - 4 * step; i <= bound; i += 4 * step) {
            a0 = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), a0);
            a1 = FloatVector.fromArray(S, a, ao + i + step).fma(FloatVector.fromArray(S, b, bo + i + step), a1);
            a2 = FloatVector.fromArray(S, a, ao + i + 2 * step).fma(FloatVector.fromArray(S, b, bo + i + 2 * step), a2);
            a3 = FloatVector.fromArray(S, a, ao + i + 3 * step).fma(FloatVector.fromArray(S, b, bo + i + 3 * step), a3);
        }
        for (int bound = k - step; i <= bound; i += step) {
            a0 = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), a0);
        }
        return a0.add(a1).add(a2.add(a3));
    }

    /** Σ (x − m)² with m rounded to float: four float vector accumulators, then the lanes in double, then the tail. */
    static double sumSqDev(float[] x, int off, int n, double mean) {
        int step = S.length();
        float mf = (float) mean;
        FloatVector m = FloatVector.broadcast(S, mf);
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (int bound = n - 4 * step; i <= bound; i += 4 * step) {
            FloatVector d0 = FloatVector.fromArray(S, x, off + i).sub(m);
            FloatVector d1 = FloatVector.fromArray(S, x, off + i + step).sub(m);
            FloatVector d2 = FloatVector.fromArray(S, x, off + i + 2 * step).sub(m);
            FloatVector d3 = FloatVector.fromArray(S, x, off + i + 3 * step).sub(m);
            a0 = d0.fma(d0, a0);
            a1 = d1.fma(d1, a1);
            a2 = d2.fma(d2, a2);
            a3 = d3.fma(d3, a3);
        }
        for (int bound = n - step; i <= bound; i += step) {
            FloatVector d0 = FloatVector.fromArray(S, x, off + i).sub(m);
            a0 = d0.fma(d0, a0);
        }
        FloatVector total = a0.add(a1).add(a2.add(a3));
        double s = 0;
        for (int lane = 0; lane < step; lane++) s += total.lane(lane);
        for (; i < n; i++) {
            double d = x[off + i] - mean;
            s += d * d;
        }
        return s;
    }

    /** Σ a·b as {@link #dot} but the lanes and the tail added in double. */
    static double dotD(float[] a, int ao, float[] b, int bo, int k) {
        FloatVector total = fmaAccumulate(a, ao, b, bo, k);
        double s = 0;
        for (int lane = 0; lane < S.length(); lane++) s += total.lane(lane);
        for (int i = S.loopBound(k); i < k; i++) s += (double) a[ao + i] * b[bo + i];
        return s;
    }

    /** Σ g·((x − m)·r), the normalized x recomputed exactly as a normalization forward writes it; as {@link #dotD}. */
    static double dotNormalized(float[] g, int go, float[] x, int xo, int k, float m, float r) {
        int step = S.length();
        FloatVector mv = FloatVector.broadcast(S, m), rv = FloatVector.broadcast(S, r);
        FloatVector a0 = FloatVector.zero(S), a1 = a0;
        int i = 0;
        for (int bound = k - 2 * step; i <= bound; i += 2 * step) {
            a0 = FloatVector.fromArray(S, g, go + i).fma(FloatVector.fromArray(S, x, xo + i).sub(mv).mul(rv), a0);
            a1 = FloatVector.fromArray(S, g, go + i + step).fma(FloatVector.fromArray(S, x, xo + i + step).sub(mv).mul(rv), a1);
        }
        for (int bound = k - step; i <= bound; i += step) {
            a0 = FloatVector.fromArray(S, g, go + i).fma(FloatVector.fromArray(S, x, xo + i).sub(mv).mul(rv), a0);
        }
        FloatVector total = a0.add(a1);
        double s = 0;
        for (int lane = 0; lane < step; lane++) s += total.lane(lane);
        for (; i < k; i++) s += (double) g[go + i] * ((x[xo + i] - m) * r);
        return s;
    }
}
