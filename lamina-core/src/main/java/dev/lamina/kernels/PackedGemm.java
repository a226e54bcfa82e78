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
 * Without the Vector API it calls {@link Gemm#gemm} on the copy. {@link #prepare} + {@link #multiplyColumns} let a
 * caller run the product for its own column ranges inside its own parallel region (fused with work on those
 * columns). An instance holds the prepared A: prepare from one thread at a time.
 */
public final class PackedGemm {
    /** Multiply-adds per parallel chunk below which a product stays on one thread. */
    private static final long PAR_GRAIN = 64L * 1024;
    /** The calling thread's packed A of {@link #multiplyShared} (the call waits for its workers, so one per thread suffices). */
    private static final ThreadLocal<float[]> SHARED_A = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[VectorGemm.MR * VectorGemm.NR]);

    private final int k;
    private final int n;
    /** Vector API: the packed strips, k block after k block. Scalar: B copied row-major [k, n]. */
    private final float[] packed;
    private final int kc;
    private float[] aPacked = new float[0];
    /** The prepared A: its row count, and without the Vector API the operand itself. */
    private int m;
    private float[] a;
    private int aOff, ars, acs;

    private PackedGemm(int k, int n, float[] packed, int kc) {
        this.k = k;
        this.n = n;
        this.packed = packed;
        this.kc = kc;
    }

    /** Packs B [k, n] (see the class comment for the addressing). */
    public static PackedGemm pack(int k, int n, float[] b, int bOff, int bRowStride, int bColStride) {
        if (k <= 0 || n <= 0) throw new IllegalArgumentException("PackedGemm: sizes must be positive, got k=" + k + " n=" + n);
        if (!CpuFeatures.VECTOR) {
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

    /**
     * The same packed B with an A state of its own: several threads (or concurrent inference runs) may each take one
     * and {@link #prepare} their own A while sharing the packed strips, which are never written after packing.
     */
    public PackedGemm sharingB() {
        return new PackedGemm(k, n, packed, kc);
    }

    public int k() {
        return k;
    }

    public int n() {
        return n;
    }

    /** {@code C[m,n] (+)= A[m,k] · B}, A and C addressed as in {@link Gemm#gemm}; columns split across threads. */
    public void multiply(int m, float[] a, int aOff, int aRowStride, int aColStride, float[] c, int cOff, int ldc, boolean accumulate) {
        if (m <= 0) return;
        prepare(m, a, aOff, aRowStride, aColStride);
        int grain = columnGrain();
        long perGrain = (long) m * grain * k;
        Parallel.forRange((n + grain - 1) / grain, (int) Math.max(1, PAR_GRAIN / perGrain),
                (s0, s1) -> multiplyColumns(s0 * grain, Math.min(n, s1 * grain), c, cOff, ldc, accumulate));
    }

    /**
     * Columns of C are computed in whole groups of this many (the micro-kernel's strip width): callers that split
     * {@link #multiplyColumns} between threads cut at multiples of it.
     */
    public int columnGrain() {
        return CpuFeatures.VECTOR ? VectorGemm.NR : 1;
    }

    /**
     * Takes A [m, k] for the {@link #multiplyColumns} calls that follow (packs it once; on the calling thread). The
     * instance keeps the reference: A must not change until those calls are done.
     */
    public void prepare(int m, float[] a, int aOff, int aRowStride, int aColStride) {
        if (m <= 0) throw new IllegalArgumentException("PackedGemm: m must be positive, got " + m);
        checkA(m, a, aOff, aRowStride, aColStride);
        this.m = m;
        if (!CpuFeatures.VECTOR) {
            this.a = a;
            this.aOff = aOff;
            this.ars = aRowStride;
            this.acs = aColStride;
            return;
        }
        aPacked = packA(m, a, aOff, aRowStride, aColStride, aPacked);
    }

    /**
     * {@link #multiply} that keeps nothing in the instance, so several threads may multiply by one packed B at once
     * (an inference model's constant weight shared by concurrent runs): A is packed into a buffer of the call's own.
     */
    public void multiplyShared(int m, float[] a, int aOff, int aRowStride, int aColStride, float[] c, int cOff, int ldc, boolean accumulate) {
        if (m <= 0) return;
        checkA(m, a, aOff, aRowStride, aColStride);
        checkC(m, 0, n, c, cOff, ldc);
        if (!CpuFeatures.VECTOR) {
            Gemm.gemm(m, n, k, a, aOff, aRowStride, aColStride, packed, 0, n, 1, c, cOff, ldc, accumulate);
            return;
        }
        float[] ap = packA(m, a, aOff, aRowStride, aColStride, SHARED_A.get());
        SHARED_A.set(ap);
        int grain = columnGrain();
        long perGrain = (long) m * grain * k;
        Parallel.forRange((n + grain - 1) / grain, (int) Math.max(1, PAR_GRAIN / perGrain),
                (s0, s1) -> columns(m, ap, s0 * grain, Math.min(n, s1 * grain), c, cOff, ldc, accumulate));
    }

    private void checkA(int m, float[] a, int aOff, int aRowStride, int aColStride) {
        long lastA = aOff + (long) (m - 1) * aRowStride + (long) (k - 1) * aColStride;
        if (aOff < 0 || lastA >= a.length || aOff + Math.min(0L, (long) (m - 1) * aRowStride) < 0) {
            throw new IndexOutOfBoundsException("PackedGemm: A [" + m + "x" + k + "] at offset " + aOff + " outside its array of " + a.length);
        }
    }

    private void checkC(int m, int colStart, int colEnd, float[] c, int cOff, int ldc) {
        if (m > 1 && ldc < n) throw new IllegalArgumentException("ldc (" + ldc + ") < n (" + n + ")");
        long lastC = cOff + (long) (m - 1) * ldc + colEnd - 1;
        if (cOff < 0 || lastC >= c.length) throw new IndexOutOfBoundsException("PackedGemm: C [" + m + "x" + n + "] at offset " + cOff + " outside its array of " + c.length);
    }

    /** A [m, k] packed into MR-row strips per k block (into {@code into} when large enough, else a new array). */
    private float[] packA(int m, float[] a, int aOff, int aRowStride, int aColStride, float[] into) {
        int mr = VectorGemm.MR, mStrips = (m + mr - 1) / mr;
        float[] ap = into.length < mStrips * mr * k ? new float[mStrips * mr * k] : into;
        for (int p0 = 0; p0 < k; p0 += kc) {
            int kcb = Math.min(kc, k - p0);
            for (int s = 0; s < mStrips; s++) {
                int i = s * mr;
                VectorGemm.packA(a, aOff, aRowStride, aColStride, i, Math.min(mr, m - i), p0, kcb, ap, mStrips * mr * p0 + s * mr * kcb);
            }
        }
        return ap;
    }

    /**
     * Columns [colStart, colEnd) of {@code C[m, n] (+)= A·B} for the A last {@link #prepare}d, on the calling thread.
     * colStart must be a multiple of {@link #columnGrain()}; several threads may run disjoint column ranges at once.
     */
    public void multiplyColumns(int colStart, int colEnd, float[] c, int cOff, int ldc, boolean accumulate) {
        int m = this.m;
        if (m == 0) throw new IllegalStateException("PackedGemm: prepare(A) first");
        if (colStart < 0 || colEnd > n || colStart % columnGrain() != 0) {
            throw new IllegalArgumentException("PackedGemm: columns [" + colStart + ", " + colEnd + ") not within [0, " + n + ") at a multiple of " + columnGrain());
        }
        if (colStart >= colEnd) return;
        checkC(m, colStart, colEnd, c, cOff, ldc);
        if (!CpuFeatures.VECTOR) {
            Gemm.gemm(m, colEnd - colStart, k, a, aOff, ars, acs, packed, colStart, n, 1, c, cOff + colStart, ldc, accumulate);
            return;
        }
        columns(m, aPacked, colStart, colEnd, c, cOff, ldc, accumulate);
    }

    /** The micro-kernel loop over columns [colStart, colEnd) with A packed in {@code ap} (Vector API only). */
    private void columns(int m, float[] ap, int colStart, int colEnd, float[] c, int cOff, int ldc, boolean accumulate) {
        int mr = VectorGemm.MR, nr = VectorGemm.NR, lanes = VectorGemm.L;
        int mStrips = (m + mr - 1) / mr, nStrips = (n + nr - 1) / nr;
        float[] tile = TILE.get();
        for (int p0 = 0; p0 < k; p0 += kc) {
            int kcb = Math.min(kc, k - p0);
            int blockOff = nStrips * nr * p0, aBlock = mStrips * mr * p0;
            boolean load = accumulate || p0 > 0;
            int j = colStart;
            if (m == 1) { // one row (a batch-1 step): four full strips at a time, without the 8-row kernel's zero rows
                for (; j + 4 * nr <= colEnd; j += 4 * nr) {
                    VectorGemm.kernelRow1x4(kcb, ap, aBlock, packed, blockOff + (j / nr) * nr * kcb, nr * kcb, c, cOff + j, load);
                }
            }
            for (; j < colEnd; j += nr) {
                int cols = Math.min(nr, colEnd - j), bo = blockOff + (j / nr) * nr * kcb;
                for (int ir = 0; ir < mStrips; ir++) {
                    int i = ir * mr;
                    if (cols > lanes) {
                        VectorGemm.kernel(kcb, ap, aBlock + ir * mr * kcb, packed, bo, c, cOff + i * ldc + j, ldc, Math.min(mr, m - i), cols, load, tile);
                    } else {
                        VectorGemm.kernel1(kcb, ap, aBlock + ir * mr * kcb, packed, bo, c, cOff + i * ldc + j, ldc, Math.min(mr, m - i), cols, load, tile);
                    }
                }
            }
        }
    }
}
