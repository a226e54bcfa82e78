package dev.lamina.kernels;

/**
 * {@code C[m,n] (+)= A[m,k] · B[k,n]} for a B that is multiplied many times: B is packed once (into the strips
 * {@link Gemm}'s micro-kernel reads) and each {@link #multiply} only packs its small A. Made for recurrent layers,
 * where every time step multiplies the batch's state [batch, H] by the same weight: with a small m, packing B
 * again in every {@link Gemm#gemm} call costs about as much as the product itself.
 *
 * <p>B is addressed as in {@link Gemm} ({@code B(p,j) = b[bOff + p*bRowStride + j*bColStride]}) and copied at
 * {@link #pack} time: later changes to {@code b} are not seen. Columns are split across {@link Parallel} when the
 * product is large enough; each C element is summed over k in an order that depends only on the shapes.
 * Without the Vector API, {@link #multiply} calls {@link Gemm#gemm} on the copy. An instance holds scratch for
 * A: use it from one thread at a time.
 */
public final class PackedGemm {
    /** Multiply-adds per parallel chunk below which a product stays on one thread. */
    private static final long PAR_GRAIN = 64L * 1024;
    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[VectorGemm.MR * VectorGemm.NR]);

    private final int k;
    private final int n;
    /** Vector API: the packed strips, k block after k block. Scalar: B copied row-major [k, n]. */
    private final float[] packed;
    private final int kc;
    private float[] aPacked = new float[0];

    private PackedGemm(int k, int n, float[] packed, int kc) {
        this.k = k;
        this.n = n;
        this.packed = packed;
        this.kc = kc;
    }

    /** Packs B [k, n] (see the class comment for the addressing). */
    public static PackedGemm pack(int k, int n, float[] b, int bOff, int bRowStride, int bColStride) {
        if (k <= 0 || n <= 0) throw new IllegalArgumentException("PackedGemm: sizes must be positive, got k=" + k + " n=" + n);
        if (!Gemm.VECTOR) {
            float[] copy = new float[k * n];
            for (int p = 0; p < k; p++) for (int j = 0; j < n; j++) copy[p * n + j] = b[bOff + p * bRowStride + j * bColStride];
            return new PackedGemm(k, n, copy, k);
        }
        int nr = VectorGemm.NR;
        int kBlocks = (k + VectorGemm.KC - 1) / VectorGemm.KC;
        int kc = (k + kBlocks - 1) / kBlocks;
        int nStrips = (n + nr - 1) / nr;
        float[] packed = new float[nStrips * nr * k];
        for (int p0 = 0; p0 < k; p0 += kc) {
            int kcb = Math.min(kc, k - p0);
            int blockOff = nStrips * nr * p0;
            for (int s = 0; s < nStrips; s++) {
                int j = s * nr;
                VectorGemm.packB(b, bOff, bRowStride, bColStride, j, Math.min(nr, n - j), p0, kcb, packed, blockOff + s * nr * kcb);
            }
        }
        return new PackedGemm(k, n, packed, kc);
    }

    public int k() {
        return k;
    }

    public int n() {
        return n;
    }

    /** {@code C[m,n] (+)= A[m,k] · B}, A and C addressed as in {@link Gemm#gemm}. */
    public void multiply(int m, float[] a, int aOff, int aRowStride, int aColStride, float[] c, int cOff, int ldc, boolean accumulate) {
        if (m <= 0) return;
        if (!Gemm.VECTOR) {
            Gemm.gemm(m, n, k, a, aOff, aRowStride, aColStride, packed, 0, n, 1, c, cOff, ldc, accumulate);
            return;
        }
        int mr = VectorGemm.MR, nr = VectorGemm.NR, lanes = VectorGemm.L;
        int mStrips = (m + mr - 1) / mr, nStrips = (n + nr - 1) / nr;
        if (m > 1 && ldc < n) throw new IllegalArgumentException("ldc (" + ldc + ") < n (" + n + ")");
        long lastA = aOff + (long) (m - 1) * aRowStride + (long) (k - 1) * aColStride, lastC = cOff + (long) (m - 1) * ldc + n - 1;
        if (aOff < 0 || lastA >= a.length || cOff < 0 || lastC >= c.length) {
            throw new IndexOutOfBoundsException("PackedGemm: A [" + m + "x" + k + "] or C [" + m + "x" + n + "] outside its array");
        }
        if (aPacked.length < mStrips * mr * kc) aPacked = new float[mStrips * mr * kc];
        float[] ap = aPacked;
        for (int p0 = 0; p0 < k; p0 += kc) {
            final int kcb = Math.min(kc, k - p0);
            final int blockOff = nStrips * nr * p0;
            final boolean load = accumulate || p0 > 0;
            for (int s = 0; s < mStrips; s++) {
                int i = s * mr;
                VectorGemm.packA(a, aOff, aRowStride, aColStride, i, Math.min(mr, m - i), p0, kcb, ap, s * mr * kcb);
            }
            long perStrip = (long) m * nr * kcb;
            Parallel.forRange(nStrips, (int) Math.max(1, PAR_GRAIN / perStrip), (s0, s1) -> {
                float[] tile = TILE.get();
                for (int s = s0; s < s1; s++) {
                    int j = s * nr, cols = Math.min(nr, n - j);
                    for (int ir = 0; ir < mStrips; ir++) {
                        int i = ir * mr;
                        if (cols > lanes) {
                            VectorGemm.kernel(kcb, ap, ir * mr * kcb, packed, blockOff + s * nr * kcb, c, cOff + i * ldc + j, ldc, Math.min(mr, m - i), cols, load, tile);
                        } else {
                            VectorGemm.kernel1(kcb, ap, ir * mr * kcb, packed, blockOff + s * nr * kcb, c, cOff + i * ldc + j, ldc, Math.min(mr, m - i), cols, load, tile);
                        }
                    }
                }
            });
        }
    }
}
