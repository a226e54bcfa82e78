package dev.lamina.kernels;

/** Reductions over contiguous runs of floats; the Vector API path when the module is present. */
public final class Reductions {
    private Reductions() {}

    /**
     * Sum of x[off .. off+n). Accumulates in several float vector lanes (a fixed order, so the result is the same
     * every run) and adds the lanes in double.
     */
    public static double sum(float[] x, int off, int n) {
        if (Gemm.VECTOR && n >= 64) return VectorReductions.sum(x, off, n);
        double s = 0;
        for (int i = 0; i < n; i++) s += x[off + i];
        return s;
    }
}
