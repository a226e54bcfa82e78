package dev.lamina.kernels;

import java.util.concurrent.atomic.AtomicLongArray;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API GEMM. Only loaded when {@code jdk.incubator.vector} is present (see {@link Gemm}).
 *
 * <p>Goto-style blocking: k is cut into blocks of at most {@code KC} (about equal); for each block, B is
 * packed into strips of {@code NR} columns (k-major) and A into strips of {@code MR} rows (k-major), and
 * an {@code MR x NR} register-blocked micro-kernel (8 rows x 2 vectors, 16 accumulators) walks a strip
 * pair, keeping the accumulators in registers for the whole k block and adding them into C once. Edge
 * strips are zero-padded when packed; edge tiles go through a scratch tile and a scalar store.
 *
 * <p>Threads split the N strips when M is small (each thread packs all of A and its own B strips), else
 * the M strips (each thread packs its own A blocks and, when the B panel is small, its own copy of it:
 * cheaper than a shared panel, which costs a second fork-join and cross-core reads; large panels are
 * packed once, in parallel, and shared). Work within a phase
 * is handed out by {@link Tasks}: contiguous runs per thread, with stealing. Each C element is summed
 * over k in the same order whatever the split, so results are identical run to run and for any thread
 * count.
 *
 * <p>Tuning properties (for experiments): {@code lamina.gemm.kc}, {@code .mc}, {@code .nc},
 * {@code .small}, {@code .parMin}, {@code .ownA}, {@code .ownB}, {@code .ownBMax}, {@code .split} ({@code m}/{@code n}).
 */
final class VectorGemm {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final int MR = 8;
    /** Eight lanes: one k step of a packed A strip. */
    private static final VectorSpecies<Float> S8 = FloatVector.SPECIES_256;
    static final int NR = 2 * L;

    /** Largest k block. */
    static final int KC = Math.max(16, Integer.getInteger("lamina.gemm.kc", 1024));
    /** Rows of A packed at once per thread (multiple of MR). */
    static final int MC = Math.max(MR, Integer.getInteger("lamina.gemm.mc", 192) / MR * MR);
    /** Largest number of columns of a packed B panel (multiple of NR). */
    static final int NC = Math.max(NR, Integer.getInteger("lamina.gemm.nc", 1024) / NR * NR);
    /** Below this many multiply-adds: no packing, no threads. */
    static final long SMALL = Long.getLong("lamina.gemm.small", 32L * 1024);
    /** From this many multiply-adds on, use the worker pool. */
    static final long PAR_MIN = Long.getLong("lamina.gemm.parMin", 128L * 1024);

    /** In the N split, each thread packs A itself (else: packed once, shared). */
    private static final boolean OWN_A = Boolean.parseBoolean(System.getProperty("lamina.gemm.ownA", "true"));
    /** In the M split, each thread packs the B panel itself (else: packed once in parallel, shared). */
    private static final boolean OWN_B = Boolean.parseBoolean(System.getProperty("lamina.gemm.ownB", "true"));
    /** Largest B panel (floats) that each thread packs for itself; larger ones are packed once, shared. */
    private static final long OWN_B_MAX = Long.getLong("lamina.gemm.ownBMax", 256L * 1024);
    /** Split dimension override for experiments: 'm', 'n', or anything else for automatic. */
    private static final char SPLIT = System.getProperty("lamina.gemm.split", "auto").charAt(0);

    /** k block of the transposed-B packing loop. */
    private static final int PB = Integer.getInteger("lamina.gemm.pb", 64);

    private static final int BUF_A = 0;
    private static final int BUF_B_PANEL = 1;
    private static final int BUF_B_STRIP = 2;
    private static final int BUF_SMALL = 3;
    private static final int BUF_TILE = 4;
    private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(() -> new float[5][]);

    private VectorGemm() {
    }

    private static float[] buffer(int which, int size) {
        float[][] h = BUFFERS.get();
        float[] f = h[which];
        if (f == null || f.length < size) {
            h[which] = f = new float[size];
        }
        return f;
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    static void gemm(int m, int n, int k,
                     float[] a, int aOff, int ars, int acs,
                     float[] b, int bOff, int brs, int bcs,
                     float[] c, int cOff, int ldc, boolean accumulate) {
        gemm(m, n, k, a, aOff, ars, acs, null, b, bOff, brs, bcs, c, cOff, ldc, accumulate, null);
    }

    /** The k block size for a given k: blocks of at most {@link #KC}, about equal. */
    private static int kBlock(int k) {
        return ceilDiv(k, ceilDiv(k, KC));
    }

    /**
     * A packed once for every call with the same A: for each k block [p0, p0 + kcb), its MR-row strips in order,
     * strip ir at {@code mStrips·MR·p0 + ir·MR·kcb} — the layout both splits pack into, so they read it directly.
     */
    static float[] prepackA(int m, int k, float[] a, int aOff, int ars, int acs) {
        int mStrips = ceilDiv(m, MR), kc = kBlock(k);
        float[] packed = new float[mStrips * MR * k];
        for (int p0 = 0; p0 < k; p0 += kc) {
            int kcb = Math.min(kc, k - p0);
            for (int ir = 0; ir < mStrips; ir++) {
                packA(a, aOff, ars, acs, ir * MR, Math.min(MR, m - ir * MR), p0, kcb, packed, mStrips * MR * p0 + ir * MR * kcb);
            }
        }
        return packed;
    }

    /** As {@link #gemm(int, int, int, float[], int, int, int, float[], int, int, int, float[], int, int, boolean)}, with A also given pre-packed ({@link #prepackA}) or null. */
    static void gemm(int m, int n, int k,
                     float[] a, int aOff, int ars, int acs, float[] packedA,
                     float[] b, int bOff, int brs, int bcs,
                     float[] c, int cOff, int ldc, boolean accumulate, Gemm.TileEpilogue ep) {
        long work = (long) m * n * k;
        if (work < SMALL) {
            small(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc, accumulate);
            if (ep != null) ep.apply(c, cOff, ldc, 0, 0, m, n);
            return;
        }
        boolean par = work >= PAR_MIN && Parallel.threads() > 1;
        if (m == 1 && brs == 1 && k >= 4 * L) {
            gemv(n, k, a, aOff, acs, b, bOff, bcs, c, cOff, accumulate, par);
            if (ep != null) ep.apply(c, cOff, ldc, 0, 0, m, n);
            return;
        }
        Gemm.BStrips strips = (j, cols, p0, kcb, bp, o) -> packB(b, bOff, brs, bcs, j, cols, p0, kcb, bp, o);
        packed(m, n, k, a, aOff, ars, acs, packedA, strips, c, cOff, ldc, accumulate, ep, par);
    }

    /** Whether {@link #gemm(int, int, int, float[], int, int, int, float[], Gemm.BStrips, float[], int, int, boolean, Gemm.TileEpilogue)} applies: a product large enough for the packed kernel. */
    static boolean stripsApply(int m, int n, int k) {
        return (long) m * n * k >= SMALL;
    }

    /** The packed product with B's strips written by {@code strips} rather than packed from a matrix ({@link #stripsApply} must hold). */
    static void gemm(int m, int n, int k, float[] a, int aOff, int ars, int acs, float[] packedA, Gemm.BStrips strips,
                     float[] c, int cOff, int ldc, boolean accumulate, Gemm.TileEpilogue ep) {
        long work = (long) m * n * k;
        packed(m, n, k, a, aOff, ars, acs, packedA, strips, c, cOff, ldc, accumulate, ep, work >= PAR_MIN && Parallel.threads() > 1);
    }

    private static void packed(int m, int n, int k, float[] a, int aOff, int ars, int acs, float[] packedA, Gemm.BStrips b,
                               float[] c, int cOff, int ldc, boolean accumulate, Gemm.TileEpilogue ep, boolean par) {
        int kc = kBlock(k);
        int mStrips = ceilDiv(m, MR);
        int nStrips = ceilDiv(n, NR);
        // Split N when M is one block (each thread packs all of A and its own strips of B, no sharing,
        // one fork-join) unless splitting M balances the tiles over the threads clearly better.
        int slots = par ? Parallel.threads() : 1;
        long tilesN = (long) ceilDiv(nStrips, slots) * mStrips;
        long tilesM = (long) ceilDiv(mStrips, slots) * nStrips;
        boolean byN = SPLIT == 'n' || SPLIT != 'm' && m <= MC && tilesN * 10 <= tilesM * 11;
        if (byN) {
            splitN(m, n, k, kc, par, a, aOff, ars, acs, packedA, b, c, cOff, ldc, accumulate, ep);
        } else {
            splitM(m, n, k, kc, par, a, aOff, ars, acs, packedA, b, c, cOff, ldc, accumulate, ep);
        }
    }

    private static void splitN(int m, int n, int k, int kc, boolean par,
                               float[] a, int aOff, int ars, int acs, float[] packedA, Gemm.BStrips b,
                               float[] c, int cOff, int ldc, boolean accumulate, Gemm.TileEpilogue ep) {
        int mStrips = ceilDiv(m, MR);
        int nStrips = ceilDiv(n, NR);
        int slots = par ? Math.min(Parallel.threads(), nStrips) : 1;
        boolean ownA = OWN_A && slots > 1 && packedA == null;
        float[] shared = packedA != null ? packedA : ownA ? null : buffer(BUF_A, mStrips * MR * kc);
        for (int p0 = 0; p0 < k; p0 += kc) {
            final int kcb = Math.min(kc, k - p0);
            final int pc = p0;
            final boolean load = accumulate || p0 > 0;
            final int aBase = packedA != null ? mStrips * MR * p0 : 0; // where this k block's strips start in the shared A
            if (!ownA && packedA == null) {
                boolean parPack = par && (long) kcb * m >= 16L * 1024;
                Parallel.forRange(mStrips, parPack ? 1 : mStrips, (s0, e0) -> {
                    for (int s = s0; s < e0; s++) {
                        int i = s * MR;
                        packA(a, aOff, ars, acs, i, Math.min(MR, m - i), pc, kcb, shared, s * MR * kcb);
                    }
                });
            }
            // Each thread takes its own contiguous run of strips and then helps with the others' (see
            // Tasks). Which thread computes a strip does not change the result.
            Tasks tasks = new Tasks(nStrips, slots);
            Parallel.forRange(slots, 1, (s, e) -> {
                float[] bp = buffer(BUF_B_STRIP, NR * kcb);
                float[] tile = buffer(BUF_TILE, MR * NR);
                float[] ap = shared;
                int jr;
                while ((jr = tasks.next(s)) >= 0) {
                    if (ap == null) {
                        ap = buffer(BUF_A, mStrips * MR * kcb);
                        for (int ir = 0; ir < mStrips; ir++) {
                            int i = ir * MR;
                            packA(a, aOff, ars, acs, i, Math.min(MR, m - i), pc, kcb, ap, ir * MR * kcb);
                        }
                    }
                    int j = jr * NR;
                    int cols = Math.min(NR, n - j);
                    b.pack(j, cols, pc, kcb, bp, 0);
                    for (int ir = 0; ir < mStrips; ir++) {
                        int i = ir * MR;
                        int ao = (ap == shared ? aBase : 0) + ir * MR * kcb;
                        if (cols > L) {
                            kernel(kcb, ap, ao, bp, 0, c, cOff + i * ldc + j, ldc,
                                    Math.min(MR, m - i), cols, load, tile);
                        } else {
                            kernel1(kcb, ap, ao, bp, 0, c, cOff + i * ldc + j, ldc,
                                    Math.min(MR, m - i), cols, load, tile);
                        }
                    }
                    // the whole column strip, all rows, while it is in cache (one call per strip rather than per tile)
                    if (ep != null && pc + kcb == k) ep.apply(c, cOff + j, ldc, 0, j, m, cols);
                }
            });
        }
    }

    private static void splitM(int m, int n, int k, int kc, boolean par,
                               float[] a, int aOff, int ars, int acs, float[] packedA, Gemm.BStrips b,
                               float[] c, int cOff, int ldc, boolean accumulate, Gemm.TileEpilogue ep) {
        int mStrips = ceilDiv(m, MR);
        final int mcStrips = MC / MR;
        final int slots = par ? Math.min(Parallel.threads(), mStrips) : 1;
        int perSlot = Math.max(slots > 1 ? 2 : 1, ceilDiv(mStrips, slots * mcStrips));
        final int g = ceilDiv(mStrips, Math.min(mStrips, slots * perSlot));
        final int blocks = ceilDiv(mStrips, g);
        final boolean ownB = OWN_B && slots > 1 && (long) kc * Math.min(NC, n) <= OWN_B_MAX;
        for (int j0 = 0; j0 < n; j0 += NC) {
            final int jc = j0;
            final int ncb = Math.min(NC, n - j0);
            final int nbStrips = ceilDiv(ncb, NR);
            final float[] shared = ownB ? null : buffer(BUF_B_PANEL, nbStrips * NR * kc);
            for (int p0 = 0; p0 < k; p0 += kc) {
                final int kcb = Math.min(kc, k - p0);
                final int pc = p0;
                final boolean load = accumulate || p0 > 0;
                if (!ownB) {
                    boolean parPack = par && (long) kcb * ncb >= 64L * 1024;
                    Parallel.forRange(nbStrips, parPack ? 1 : nbStrips, (s, e) -> {
                        for (int jr = s; jr < e; jr++) {
                            int j = jc + jr * NR;
                            b.pack(j, Math.min(NR, n - j), pc, kcb, shared, jr * NR * kcb);
                        }
                    });
                }
                // Blocks of g strips of A, claimed dynamically (see splitN); at least two per thread.
                Tasks tasks = new Tasks(blocks, slots);
                Parallel.forRange(slots, 1, (s, e) -> {
                    float[] ap = packedA != null ? packedA : buffer(BUF_A, g * MR * kcb);
                    float[] tile = buffer(BUF_TILE, MR * NR);
                    float[] bp = shared;
                    int t;
                    while ((t = tasks.next(s)) >= 0) {
                        if (bp == null) {
                            bp = buffer(BUF_B_PANEL, nbStrips * NR * kcb);
                            for (int jr = 0; jr < nbStrips; jr++) {
                                int j = jc + jr * NR;
                                b.pack(j, Math.min(NR, n - j), pc, kcb, bp, jr * NR * kcb);
                            }
                        }
                        int ib = t * g;
                        int ie = Math.min(mStrips, ib + g);
                        // strip ir of this block of A at aStart + (ir − ib)·MR·kcb, packed now or once beforehand
                        int aStart = packedA != null ? mStrips * MR * pc + ib * MR * kcb : 0;
                        for (int ir = ib; ir < ie && packedA == null; ir++) {
                            int i = ir * MR;
                            packA(a, aOff, ars, acs, i, Math.min(MR, m - i), pc, kcb, ap, (ir - ib) * MR * kcb);
                        }
                        for (int jr = 0; jr < nbStrips; jr++) {
                            int j = jc + jr * NR;
                            int cols = Math.min(NR, n - j);
                            for (int ir = ib; ir < ie; ir++) {
                                int i = ir * MR;
                                if (cols > L) {
                                    kernel(kcb, ap, aStart + (ir - ib) * MR * kcb, bp, jr * NR * kcb, c, cOff + i * ldc + j,
                                            ldc, Math.min(MR, m - i), cols, load, tile);
                                } else {
                                    kernel1(kcb, ap, aStart + (ir - ib) * MR * kcb, bp, jr * NR * kcb, c, cOff + i * ldc + j,
                                            ldc, Math.min(MR, m - i), cols, load, tile);
                                }
                            }
                            if (ep != null && pc + kcb == k) { // this block's rows of the strip, while they are in cache
                                int r0 = ib * MR, r1 = Math.min(m, ie * MR);
                                ep.apply(c, cOff + r0 * ldc + j, ldc, r0, j, r1 - r0, cols);
                            }
                        }
                    }
                });
            }
        }
    }

    /**
     * Work split for one parallel phase: tasks {@code [0, n)} are cut into one contiguous run per slot
     * (thread); a thread takes tasks from the front of its own run, then from the back of the others'.
     * Contiguous runs keep the C columns or rows of two threads apart (no false sharing between
     * neighbouring strips); stealing means a thread the OS holds back (a busy machine) does not hold the
     * whole call back.
     */
    static final class Tasks {
        private final AtomicLongArray runs; // per slot: front << 32 | end

        Tasks(int n, int slots) {
            runs = new AtomicLongArray(slots);
            for (int i = 0; i < slots; i++) {
                long start = (long) n * i / slots;
                long end = (long) n * (i + 1) / slots;
                runs.set(i, start << 32 | end);
            }
        }

        /** The next task for the thread in {@code slot}, or -1 when all are taken. */
        int next(int slot) {
            while (true) {
                long v = runs.get(slot);
                int front = (int) (v >>> 32);
                int end = (int) v;
                if (front >= end) {
                    break;
                }
                if (runs.compareAndSet(slot, v, (long) (front + 1) << 32 | end)) {
                    return front;
                }
            }
            int slots = runs.length();
            for (int d = 1; d < slots; d++) {
                int o = (slot + d) % slots;
                while (true) {
                    long v = runs.get(o);
                    int front = (int) (v >>> 32);
                    int end = (int) v;
                    if (front >= end) {
                        break;
                    }
                    if (runs.compareAndSet(o, v, (long) front << 32 | (end - 1))) {
                        return end - 1;
                    }
                }
            }
            return -1;
        }
    }

    /** Packs rows {@code [i, i+rows)} x k {@code [p0, p0+kc)} of A into {@code ap[o..]} as kc groups of MR. */
    static void packA(float[] a, int aOff, int ars, int acs, int i, int rows, int p0, int kc, float[] ap, int o) {
        int base = aOff + i * ars + p0 * acs;
        if (rows == MR && acs == 1) {
            for (int r = 0; r < MR; r++) {
                int src = base + r * ars;
                int dst = o + r;
                for (int p = 0; p < kc; p++) {
                    ap[dst + p * MR] = a[src + p];
                }
            }
        } else if (rows == MR && ars == 1) {
            // Transposed A: each k step is MR contiguous floats. One 8-lane vector copy each (an arraycopy call per
            // 8 floats cost more than the copy: 9% of an LSTM training step went to the weight-gradient GEMMs' packing).
            if (MR == 8 && L >= 8) {   // 256-bit vectors are native here
                for (int p = 0; p < kc; p++) {
                    FloatVector.fromArray(S8, a, base + p * acs).intoArray(ap, o + p * MR);
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(a, base + p * acs, ap, o + p * MR, MR);
                }
            }
        } else {
            for (int p = 0; p < kc; p++) {
                int src = base + p * acs;
                int dst = o + p * MR;
                int r = 0;
                for (; r < rows; r++) {
                    ap[dst + r] = a[src + r * ars];
                }
                for (; r < MR; r++) {
                    ap[dst + r] = 0f;
                }
            }
        }
    }

    /** Packs k {@code [p0, p0+kc)} x columns {@code [j, j+cols)} of B into {@code bp[o..]} as kc groups of NR. */
    static void packB(float[] b, int bOff, int brs, int bcs, int j, int cols, int p0, int kc, float[] bp, int o) {
        int base = bOff + p0 * brs + j * bcs;
        if (cols == NR && bcs == 1) {
            for (int p = 0; p < kc; p++) {
                int src = base + p * brs;
                int dst = o + p * NR;
                FloatVector.fromArray(S, b, src).intoArray(bp, dst);
                FloatVector.fromArray(S, b, src + L).intoArray(bp, dst + L);
            }
        } else if (brs == 1) {
            // Transposed B: columns are contiguous in k. Blocked over k so that the destination block
            // (PB x NR floats) stays in L1 while the columns are gathered into it.
            for (int q0 = 0; q0 < kc; q0 += PB) {
                int qe = Math.min(kc, q0 + PB);
                for (int jj = 0; jj < cols; jj++) {
                    int src = base + jj * bcs;
                    int dst = o + jj;
                    for (int p = q0; p < qe; p++) {
                        bp[dst + p * NR] = b[src + p];
                    }
                }
            }
            if (cols < NR) {
                for (int p = 0; p < kc; p++) {
                    java.util.Arrays.fill(bp, o + p * NR + cols, o + (p + 1) * NR, 0f);
                }
            }
        } else {
            for (int p = 0; p < kc; p++) {
                int src = base + p * brs;
                int dst = o + p * NR;
                int jj = 0;
                for (; jj < cols; jj++) {
                    bp[dst + jj] = b[src + jj * bcs];
                }
                for (; jj < NR; jj++) {
                    bp[dst + jj] = 0f;
                }
            }
        }
    }

    /**
     * The MR x NR micro-kernel: C tile (+)= packed A strip · packed B strip over kc. Only {@code rows} x
     * {@code cols} of the tile are stored. With {@code load} the tile is added to C, else it replaces it.
     * {@code t} is scratch of MR*NR floats for edge tiles.
     */
    static void kernel(int kc, float[] ap, int ao, float[] bp, int bo,
                       float[] c, int co, int ldc, int rows, int cols, boolean load, float[] t) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00;
        FloatVector c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00;
        FloatVector c50 = c00, c51 = c00;
        FloatVector c60 = c00, c61 = c00;
        FloatVector c70 = c00, c71 = c00;
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
            FloatVector x;
            x = FloatVector.broadcast(S, ap[ao]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[ao + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[ao + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[ao + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, ap[ao + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, ap[ao + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, ap[ao + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, ap[ao + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
            ao += MR;
            bo += NR;
        }
        if (rows == MR && cols == NR) {
            // Written out rather than through helpers: a helper compiled apart from this method would
            // receive the accumulators boxed.
            int o1 = co + ldc, o2 = o1 + ldc, o3 = o2 + ldc, o4 = o3 + ldc, o5 = o4 + ldc, o6 = o5 + ldc, o7 = o6 + ldc;
            if (load) {
                c00 = c00.add(FloatVector.fromArray(S, c, co));
                c01 = c01.add(FloatVector.fromArray(S, c, co + L));
                c10 = c10.add(FloatVector.fromArray(S, c, o1));
                c11 = c11.add(FloatVector.fromArray(S, c, o1 + L));
                c20 = c20.add(FloatVector.fromArray(S, c, o2));
                c21 = c21.add(FloatVector.fromArray(S, c, o2 + L));
                c30 = c30.add(FloatVector.fromArray(S, c, o3));
                c31 = c31.add(FloatVector.fromArray(S, c, o3 + L));
                c40 = c40.add(FloatVector.fromArray(S, c, o4));
                c41 = c41.add(FloatVector.fromArray(S, c, o4 + L));
                c50 = c50.add(FloatVector.fromArray(S, c, o5));
                c51 = c51.add(FloatVector.fromArray(S, c, o5 + L));
                c60 = c60.add(FloatVector.fromArray(S, c, o6));
                c61 = c61.add(FloatVector.fromArray(S, c, o6 + L));
                c70 = c70.add(FloatVector.fromArray(S, c, o7));
                c71 = c71.add(FloatVector.fromArray(S, c, o7 + L));
            }
            c00.intoArray(c, co);
            c01.intoArray(c, co + L);
            c10.intoArray(c, o1);
            c11.intoArray(c, o1 + L);
            c20.intoArray(c, o2);
            c21.intoArray(c, o2 + L);
            c30.intoArray(c, o3);
            c31.intoArray(c, o3 + L);
            c40.intoArray(c, o4);
            c41.intoArray(c, o4 + L);
            c50.intoArray(c, o5);
            c51.intoArray(c, o5 + L);
            c60.intoArray(c, o6);
            c61.intoArray(c, o6 + L);
            c70.intoArray(c, o7);
            c71.intoArray(c, o7 + L);
            return;
        }
        // Edge tile: spill to a scratch tile, then store the valid part with scalar code (masked vector
        // stores compiled apart from this method were measured 20x slower).
        c00.intoArray(t, 0);
        c01.intoArray(t, L);
        c10.intoArray(t, NR);
        c11.intoArray(t, NR + L);
        c20.intoArray(t, 2 * NR);
        c21.intoArray(t, 2 * NR + L);
        c30.intoArray(t, 3 * NR);
        c31.intoArray(t, 3 * NR + L);
        c40.intoArray(t, 4 * NR);
        c41.intoArray(t, 4 * NR + L);
        c50.intoArray(t, 5 * NR);
        c51.intoArray(t, 5 * NR + L);
        c60.intoArray(t, 6 * NR);
        c61.intoArray(t, 6 * NR + L);
        c70.intoArray(t, 7 * NR);
        c71.intoArray(t, 7 * NR + L);
        storeEdge(t, c, co, ldc, rows, cols, load);
    }

    /**
     * One row of A times four full B strips (4·NR columns): the 1 × 4NR tile of a batch-1 recurrent step or
     * inference product, eight independent accumulators instead of the 8-row kernel's work on seven zero rows. Each
     * element is summed in the 8-row kernel's order (fma over p from zero, then C added), so the bits are the same.
     * {@code stride} is the distance between consecutive B strips in {@code bp}; A's row is {@code ap[ao + p·MR]}.
     */
    static void kernelRow1x4(int kc, float[] ap, int ao, float[] bp, int bo, int stride, float[] c, int co, boolean load) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, b0 = a0, b1 = a0, d0 = a0, d1 = a0, e0 = a0, e1 = a0;
        int o1 = bo + stride, o2 = o1 + stride, o3 = o2 + stride;
        for (int p = 0; p < kc; p++) {
            FloatVector x = FloatVector.broadcast(S, ap[ao + p * MR]);
            int q = p * NR;
            a0 = x.fma(FloatVector.fromArray(S, bp, bo + q), a0);
            a1 = x.fma(FloatVector.fromArray(S, bp, bo + q + L), a1);
            b0 = x.fma(FloatVector.fromArray(S, bp, o1 + q), b0);
            b1 = x.fma(FloatVector.fromArray(S, bp, o1 + q + L), b1);
            d0 = x.fma(FloatVector.fromArray(S, bp, o2 + q), d0);
            d1 = x.fma(FloatVector.fromArray(S, bp, o2 + q + L), d1);
            e0 = x.fma(FloatVector.fromArray(S, bp, o3 + q), e0);
            e1 = x.fma(FloatVector.fromArray(S, bp, o3 + q + L), e1);
        }
        if (load) {
            a0 = a0.add(FloatVector.fromArray(S, c, co));
            a1 = a1.add(FloatVector.fromArray(S, c, co + L));
            b0 = b0.add(FloatVector.fromArray(S, c, co + NR));
            b1 = b1.add(FloatVector.fromArray(S, c, co + NR + L));
            d0 = d0.add(FloatVector.fromArray(S, c, co + 2 * NR));
            d1 = d1.add(FloatVector.fromArray(S, c, co + 2 * NR + L));
            e0 = e0.add(FloatVector.fromArray(S, c, co + 3 * NR));
            e1 = e1.add(FloatVector.fromArray(S, c, co + 3 * NR + L));
        }
        a0.intoArray(c, co);
        a1.intoArray(c, co + L);
        b0.intoArray(c, co + NR);
        b1.intoArray(c, co + NR + L);
        d0.intoArray(c, co + 2 * NR);
        d1.intoArray(c, co + 2 * NR + L);
        e0.intoArray(c, co + 3 * NR);
        e1.intoArray(c, co + 3 * NR + L);
    }

    /**
     * The narrow micro-kernel for an edge strip of at most L columns: MR rows x one vector. Reads the
     * first L of each NR-wide group of the packed B strip.
     */
    static void kernel1(int kc, float[] ap, int ao, float[] bp, int bo,
                        float[] c, int co, int ldc, int rows, int cols, boolean load, float[] t) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            c0 = FloatVector.broadcast(S, ap[ao]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, ap[ao + 1]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, ap[ao + 2]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, ap[ao + 3]).fma(b0, c3);
            c4 = FloatVector.broadcast(S, ap[ao + 4]).fma(b0, c4);
            c5 = FloatVector.broadcast(S, ap[ao + 5]).fma(b0, c5);
            c6 = FloatVector.broadcast(S, ap[ao + 6]).fma(b0, c6);
            c7 = FloatVector.broadcast(S, ap[ao + 7]).fma(b0, c7);
            ao += MR;
            bo += NR;
        }
        c0.intoArray(t, 0);
        c1.intoArray(t, NR);
        c2.intoArray(t, 2 * NR);
        c3.intoArray(t, 3 * NR);
        c4.intoArray(t, 4 * NR);
        c5.intoArray(t, 5 * NR);
        c6.intoArray(t, 6 * NR);
        c7.intoArray(t, 7 * NR);
        storeEdge(t, c, co, ldc, rows, cols, load);
    }

    private static void storeEdge(float[] t, float[] c, int co, int ldc, int rows, int cols, boolean load) {
        for (int r = 0; r < rows; r++) {
            int o = co + r * ldc;
            int to = r * NR;
            if (load) {
                for (int j = 0; j < cols; j++) {
                    c[o + j] += t[to + j];
                }
            } else {
                System.arraycopy(t, to, c, o, cols);
            }
        }
    }

    /**
     * Small products: no packing, no threads. Each row of C is built in vector accumulators over k in
     * order and written once.
     */
    /**
     * One row of A times a B whose columns are contiguous (a linear layer's weight [n, k] at batch 1): each
     * {@code C(0,j)} is one dot product of A's row with column j, read straight from B (no packing, and B, the
     * large operand, is read once). Threads take ranges of j. Each element is {@link VectorReductions#dot} (a fixed
     * order: four vector accumulators, the lanes in order, then the scalar tail).
     */
    private static void gemv(int n, int k, float[] a, int aOff, int acs, float[] b, int bOff, int bcs,
                             float[] c, int cOff, boolean accumulate, boolean par) {
        final float[] x;
        final int xo;
        if (acs == 1) {
            x = a;
            xo = aOff;
        } else {
            x = buffer(BUF_SMALL, k);
            for (int p = 0; p < k; p++) x[p] = a[aOff + p * acs];
            xo = 0;
        }
        Parallel.forRange(n, par ? Math.max(1, (int) (PAR_MIN / k)) : n, (j0, j1) -> {
            for (int j = j0; j < j1; j++) {
                float dot = VectorReductions.dot(x, xo, b, bOff + j * bcs, k);
                c[cOff + j] = accumulate ? c[cOff + j] + dot : dot;
            }
        });
    }

    static void small(int m, int n, int k,
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
            bb = buffer(BUF_SMALL, k * n);
            for (int p = 0; p < k; p++) {
                int src = bOff + p * brs;
                for (int j = 0; j < n; j++) {
                    bb[p * n + j] = b[src + j * bcs];
                }
            }
            bo = 0;
            ldb = n;
        }
        for (int i = 0; i < m; i++) {
            int ai = aOff + i * ars;
            int ci = cOff + i * ldc;
            int j = 0;
            for (; j + 2 * L <= n; j += 2 * L) {
                FloatVector s0 = FloatVector.zero(S);
                FloatVector s1 = s0;
                int bj = bo + j;
                for (int p = 0; p < k; p++) {
                    FloatVector x = FloatVector.broadcast(S, a[ai + p * acs]);
                    s0 = x.fma(FloatVector.fromArray(S, bb, bj + p * ldb), s0);
                    s1 = x.fma(FloatVector.fromArray(S, bb, bj + p * ldb + L), s1);
                }
                if (accumulate) {
                    s0 = s0.add(FloatVector.fromArray(S, c, ci + j));
                    s1 = s1.add(FloatVector.fromArray(S, c, ci + j + L));
                }
                s0.intoArray(c, ci + j);
                s1.intoArray(c, ci + j + L);
            }
            for (; j + L <= n; j += L) {
                FloatVector s0 = FloatVector.zero(S);
                int bj = bo + j;
                for (int p = 0; p < k; p++) {
                    s0 = FloatVector.broadcast(S, a[ai + p * acs]).fma(FloatVector.fromArray(S, bb, bj + p * ldb), s0);
                }
                if (accumulate) {
                    s0 = s0.add(FloatVector.fromArray(S, c, ci + j));
                }
                s0.intoArray(c, ci + j);
            }
            for (; j < n; j++) {
                float s0 = 0f;
                int bj = bo + j;
                for (int p = 0; p < k; p++) {
                    s0 = Math.fma(a[ai + p * acs], bb[bj + p * ldb], s0);
                }
                c[ci + j] = accumulate ? c[ci + j] + s0 : s0;
            }
        }
    }
}
