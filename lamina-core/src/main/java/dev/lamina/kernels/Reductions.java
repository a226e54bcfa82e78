package dev.lamina.kernels;

/** Reductions over contiguous runs of floats; the Vector API path when the module is present. */
public final class Reductions {
    private Reductions() {}

    /**
     * Sum of x[off .. off+n). Accumulates in several float vector lanes (a fixed order, so the result is the same
     * every run) and adds the lanes in double.
     */
    public static double sum(float[] x, int off, int n) {
        if (CpuFeatures.VECTOR && n >= 64) return VectorReductions.sum(x, off, n);
        double s = 0;
        for (int i = 0; i < n; i++) s += x[off + i];
        return s;
    }

    /** Whether the vector kernels below are used for a run of n floats (else callers use their scalar loops). */
    public static boolean vectorFor(int n) {
        return CpuFeatures.VECTOR && n >= 64;
    }

    /** Σ (x − mean)² over x[off .. off+n), in float vector lanes (mean rounded to float) added in double; needs {@link #vectorFor}. */
    public static double sumSqDevVector(float[] x, int off, int n, double mean) {
        return VectorReductions.sumSqDev(x, off, n, mean);
    }

    /** Σ a·b over n floats, in float vector lanes added in double; needs {@link #vectorFor}. */
    public static double dotVector(float[] a, int ao, float[] b, int bo, int n) {
        return VectorReductions.dotD(a, ao, b, bo, n);
    }

    /** Σ g·((x − m)·r) over n floats (the normalized x recomputed in float), lanes added in double; needs {@link #vectorFor}. */
    public static double dotNormalizedVector(float[] g, int go, float[] x, int xo, int n, float m, float r) {
        return VectorReductions.dotNormalized(g, go, x, xo, n, m, r);
    }
}
