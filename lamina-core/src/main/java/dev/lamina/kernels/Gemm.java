package dev.lamina.kernels;

/**
 * Single-precision matrix multiply on the Java heap: {@code C[m,n] (+)= A[m,k] · B[k,n]}.
 *
 * <p>Operands are addressed through offsets and strides, so transposed operands need no copy:
 * <pre>
 *   A(i,p) = a[aOff + i*aRowStride + p*aColStride]
 *   B(p,j) = b[bOff + p*bRowStride + j*bColStride]
 *   C(i,j) = c[cOff + i*ldc + j]
 * </pre>
 * For example {@code X^T · G} with {@code X} row-major {@code [k, m]} passes {@code aRowStride = 1,
 * aColStride = m}. With {@code accumulate == false} C is overwritten and never read (it may hold garbage);
 * with {@code true} the product is added to it. C must not overlap A or B.
 *
 * <p>Uses the Vector API ({@code jdk.incubator.vector}) when the module is present at run time, a plain
 * scalar path otherwise. Large products use {@link Parallel}. Results are deterministic: each element of
 * C is summed over k in an order that depends only on the shape, so they are identical run to run and
 * for any thread count.
 */
public final class Gemm {

    private Gemm() {
    }

    /** Computes {@code C[m,n] (+)= A[m,k] · B[k,n]}; see the class comment for the addressing. */
    public static void gemm(int m, int n, int k,
                            float[] a, int aOff, int aRowStride, int aColStride,
                            float[] b, int bOff, int bRowStride, int bColStride,
                            float[] c, int cOff, int ldc, boolean accumulate) {
        gemm(m, n, k, a, aOff, aRowStride, aColStride, null, b, bOff, bRowStride, bColStride, c, cOff, ldc, accumulate, null);
    }

    /**
     * Work applied to finished blocks of C while they are in cache (a layer's bias and activation): called once for
     * each block, rows [row, row + rows) and columns [col, col + cols) of C (a column strip of the micro-kernel's
     * width over the rows one thread computed), whose element (row, col) is at {@code c[off]} and rows {@code ldc}
     * apart; blocks are disjoint, cover C once, and may be handled by different threads at once.
     */
    @FunctionalInterface
    public interface TileEpilogue {
        void apply(float[] c, int off, int ldc, int row, int col, int rows, int cols);
    }

    /** Whether a product over k is summed in one k block: C's tiles are then written once, by the last (only) block. */
    public static boolean singleKBlock(int k) {
        return !CpuFeatures.VECTOR || k <= VectorGemm.KC;
    }

    /** {@link #gemm(int, int, int, float[], int, int, int, float[], int, int, int, float[], int, int, boolean)}, then {@code ep} on every tile of C. */
    public static void gemm(int m, int n, int k,
                            float[] a, int aOff, int aRowStride, int aColStride,
                            float[] b, int bOff, int bRowStride, int bColStride,
                            float[] c, int cOff, int ldc, boolean accumulate, TileEpilogue ep) {
        gemm(m, n, k, a, aOff, aRowStride, aColStride, null, b, bOff, bRowStride, bColStride, c, cOff, ldc, accumulate, ep);
    }

    /**
     * A left operand packed once into the kernel's panel layout, for products that reuse it (an inference model's
     * constant weights): {@link #gemm(int, PackedA, float[], int, int, int, float[], int, int, boolean)} then skips
     * packing it on every call. The source must not change afterwards (the packed copy would not follow).
     */
    public static final class PackedA {
        final int m, k;
        final float[] a;
        final int aOff, ars, acs;
        final float[] packed; // null without the Vector API (the scalar kernel reads A directly)

        private PackedA(int m, int k, float[] a, int aOff, int ars, int acs) {
            this.m = m;
            this.k = k;
            this.a = a;
            this.aOff = aOff;
            this.ars = ars;
            this.acs = acs;
            this.packed = CpuFeatures.VECTOR && m > 0 && k > 0 ? VectorGemm.prepackA(m, k, a, aOff, ars, acs) : null;
        }

        public int rows() {
            return m;
        }

        public int cols() {
            return k;
        }
    }

    /**
     * B [k, n] written straight into the micro-kernel's strips instead of packed from a matrix: a convolution's
     * columns gathered from the image, without the column matrix in between. The product is the same, bit for bit, as
     * the matrix product with a B holding the same values.
     */
    @FunctionalInterface
    public interface BStrips {
        /**
         * Writes rows [p0, p0 + kc) of columns [j, j + cols) into {@code bp[o ...]} as kc groups of
         * {@link #stripWidth()} floats: B(p0 + r, j + q) at {@code bp[o + r·stripWidth + q]}, zeros at positions
         * q ≥ cols. {@code j} is a multiple of the strip width and {@code cols} at most it. Called from several
         * threads at once for different strips.
         */
        void pack(int j, int cols, int p0, int kc, float[] bp, int o);
    }

    /** Columns per strip of {@link BStrips}. */
    public static int stripWidth() {
        return CpuFeatures.VECTOR ? VectorGemm.NR : 1;
    }

    /** Whether {@link #gemm(int, PackedA, BStrips, float[], int, int, boolean, TileEpilogue)} can take this product (the Vector API's packed kernel, and a product large enough for it). */
    public static boolean stripsApply(int m, int n, int k) {
        return CpuFeatures.VECTOR && m > 0 && n > 0 && k > 0 && VectorGemm.stripsApply(m, n, k);
    }

    /** {@code C[m,n] (+)= A · B} with B written by {@code b} strip by strip, then {@code ep} on every tile of C; {@link #stripsApply} must hold. */
    public static void gemm(int n, PackedA a, BStrips b, float[] c, int cOff, int ldc, boolean accumulate, TileEpilogue ep) {
        gemm(a.m, n, a.k, a.a, a.aOff, a.ars, a.acs, a.packed, b, c, cOff, ldc, accumulate, ep);
    }

    /** {@code C[m,n] (+)= A[m,k] · B} with A addressed as in the matrix product and B written by {@code b}; {@link #stripsApply} must hold. */
    public static void gemm(int m, int n, int k, float[] a, int aOff, int aRowStride, int aColStride, BStrips b,
                            float[] c, int cOff, int ldc, boolean accumulate, TileEpilogue ep) {
        gemm(m, n, k, a, aOff, aRowStride, aColStride, null, b, c, cOff, ldc, accumulate, ep);
    }

    private static void gemm(int m, int n, int k, float[] a, int aOff, int aRowStride, int aColStride, float[] packedA, BStrips b,
                             float[] c, int cOff, int ldc, boolean accumulate, TileEpilogue ep) {
        if (!stripsApply(m, n, k)) throw new IllegalArgumentException("a product " + m + "x" + n + "x" + k + " is not taken by the strip kernel (see stripsApply)");
        if (m > 1 && ldc < n) throw new IllegalArgumentException("ldc (" + ldc + ") < n (" + n + ")");
        checkRange("C", c, cOff, m, n, ldc, 1);
        checkRange("A", a, aOff, m, k, aRowStride, aColStride);
        VectorGemm.gemm(m, n, k, a, aOff, aRowStride, aColStride, packedA, b, c, cOff, ldc, accumulate, ep);
    }

    /** Packs A[m, k] (addressed as in {@link #gemm(int, int, int, float[], int, int, int, float[], int, int, int, float[], int, int, boolean)}). */
    public static PackedA pack(int m, int k, float[] a, int aOff, int aRowStride, int aColStride) {
        if (m < 0 || k < 0) throw new IllegalArgumentException("negative size: m=" + m + " k=" + k);
        checkRange("A", a, aOff, m, k, aRowStride, aColStride);
        return new PackedA(m, k, a, aOff, aRowStride, aColStride);
    }

    /** {@code C[m,n] (+)= A · B[k,n]} with a pre-packed A[m, k]: the same result, bit for bit, as the unpacked call. */
    public static void gemm(int n, PackedA a, float[] b, int bOff, int bRowStride, int bColStride,
                            float[] c, int cOff, int ldc, boolean accumulate) {
        gemm(n, a, b, bOff, bRowStride, bColStride, c, cOff, ldc, accumulate, null);
    }

    /** The pre-packed product, then {@code ep} on every tile of C (see {@link TileEpilogue}). */
    public static void gemm(int n, PackedA a, float[] b, int bOff, int bRowStride, int bColStride,
                            float[] c, int cOff, int ldc, boolean accumulate, TileEpilogue ep) {
        gemm(a.m, n, a.k, a.a, a.aOff, a.ars, a.acs, a.packed, b, bOff, bRowStride, bColStride, c, cOff, ldc, accumulate, ep);
    }

    private static void gemm(int m, int n, int k,
                             float[] a, int aOff, int aRowStride, int aColStride, float[] packedA,
                             float[] b, int bOff, int bRowStride, int bColStride,
                             float[] c, int cOff, int ldc, boolean accumulate, TileEpilogue ep) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("negative size: m=" + m + " n=" + n + " k=" + k);
        }
        if (m == 0 || n == 0) {
            return;
        }
        if (m > 1 && ldc < n) {
            throw new IllegalArgumentException("ldc (" + ldc + ") < n (" + n + ")");
        }
        checkRange("C", c, cOff, m, n, ldc, 1);
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
                }
            }
            if (ep != null) ep.apply(c, cOff, ldc, 0, 0, m, n);
            return;
        }
        checkRange("A", a, aOff, m, k, aRowStride, aColStride);
        checkRange("B", b, bOff, k, n, bRowStride, bColStride);
        if (m == 1 && aColStride == 1 && bRowStride == 1 && (long) n * k >= 4096) {
            gemvDots(n, k, a, aOff, b, bOff, bColStride, c, cOff, accumulate);
            if (ep != null) ep.apply(c, cOff, ldc, 0, 0, m, n);
            return;
        }
        if (CpuFeatures.VECTOR) {
            VectorGemm.gemm(m, n, k, a, aOff, aRowStride, aColStride, packedA, b, bOff, bRowStride, bColStride,
                    c, cOff, ldc, accumulate, ep);
        } else {
            ScalarGemm.gemm(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride,
                    c, cOff, ldc, accumulate);
            if (ep != null) ep.apply(c, cOff, ldc, 0, 0, m, n);
        }
    }

    /**
     * One-row product with a transposed B (each column of B contiguous, e.g. a linear layer's weight): a dot
     * product per output, no packing. Columns are split across threads; each dot's order depends only on k.
     */
    private static void gemvDots(int n, int k, float[] a, int aOff, float[] b, int bOff, int bcs,
                                 float[] c, int cOff, boolean accumulate) {
        Parallel.forRange(n, Math.max(1, (1 << 15) / k), (s, e) -> {
            for (int j = s; j < e; j++) {
                float d = CpuFeatures.VECTOR ? VectorReductions.dot(a, aOff, b, bOff + j * bcs, k) : dotScalar(a, aOff, b, bOff + j * bcs, k);
                c[cOff + j] = accumulate ? c[cOff + j] + d : d;
            }
        });
    }

    private static float dotScalar(float[] a, int ao, float[] b, int bo, int k) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int p = 0;
        for (; p + 4 <= k; p += 4) {
            s0 += a[ao + p] * b[bo + p];
            s1 += a[ao + p + 1] * b[bo + p + 1];
            s2 += a[ao + p + 2] * b[bo + p + 2];
            s3 += a[ao + p + 3] * b[bo + p + 3];
        }
        for (; p < k; p++) s0 += a[ao + p] * b[bo + p];
        return (s0 + s1) + (s2 + s3);
    }

    /** Plain row-major {@code C = A·B} for contiguous {@code A[m,k]}, {@code B[k,n]}, {@code C[m,n]}. */
    public static void gemm(int m, int n, int k, float[] a, float[] b, float[] c) {
        gemm(m, n, k, a, 0, k, 1, b, 0, n, 1, c, 0, n, false);
    }

    private static void checkRange(String name, float[] x, int off, int rows, int cols, int rs, int cs) {
        long lo = off;
        long hi = off;
        long r = (long) (rows - 1) * rs;
        long q = (long) (cols - 1) * cs;
        lo += Math.min(0, r) + Math.min(0, q);
        hi += Math.max(0, r) + Math.max(0, q);
        if (lo < 0 || hi >= x.length) {
            throw new IndexOutOfBoundsException(name + " [" + rows + "x" + cols + "] at offset " + off
                    + " strides (" + rs + ", " + cs + ") reaches [" + lo + ", " + hi + "] outside array of length "
                    + x.length);
        }
    }
}
