package dev.lamina.kernels;

/**
 * GEMM without the Vector API: used when {@code jdk.incubator.vector} is absent at run time. Row by row,
 * each row of C accumulated in a scratch row over k in order (the inner loop is the same-index form the
 * JIT auto-vectorises when B's rows are contiguous). Arguments are checked by {@link Gemm}.
 */
final class ScalarGemm {

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][]);

    private ScalarGemm() {
    }

    private static float[] scratch(int which, int size) {
        float[][] h = SCRATCH.get();
        float[] f = h[which];
        if (f == null || f.length < size) {
            h[which] = f = new float[size];
        }
        return f;
    }

    static void gemm(int m, int n, int k,
                     float[] a, int aOff, int ars, int acs,
                     float[] b, int bOff, int brs, int bcs,
                     float[] c, int cOff, int ldc, boolean accumulate) {
        final float[] bb;
        final int bo;
        final int ldb;
        if (bcs == 1) {
            bb = b;
            bo = bOff;
            ldb = brs;
        } else {
            // Gather B into a contiguous row-major [k, n] copy.
            bb = new float[k * n];
            for (int p = 0; p < k; p++) {
                int src = bOff + p * brs;
                for (int j = 0; j < n; j++) {
                    bb[p * n + j] = b[src + j * bcs];
                }
            }
            bo = 0;
            ldb = n;
        }
        long work = (long) m * n * k;
        int minRows = work < (1 << 18) ? m : Math.max(1, (int) ((1 << 16) / Math.max(1L, (long) n * k)));
        Parallel.forRange(m, minRows, (s, e) -> {
            float[] acc = scratch(0, n);
            for (int i = s; i < e; i++) {
                java.util.Arrays.fill(acc, 0, n, 0f);
                int ai = aOff + i * ars;
                for (int p = 0; p < k; p++) {
                    axpy(n, a[ai + p * acs], bb, bo + p * ldb, acc);
                }
                int ci = cOff + i * ldc;
                if (accumulate) {
                    for (int j = 0; j < n; j++) {
                        c[ci + j] += acc[j];
                    }
                } else {
                    System.arraycopy(acc, 0, c, ci, n);
                }
            }
        });
    }

    /** {@code acc[j] += s * x[xo + j]} for j in [0, n). */
    private static void axpy(int n, float s, float[] x, int xo, float[] acc) {
        for (int j = 0; j < n; j++) {
            acc[j] += s * x[xo + j];
        }
    }
}
