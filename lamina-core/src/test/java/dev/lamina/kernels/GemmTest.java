package dev.lamina.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GemmTest {

    private final int savedThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    /** The implementation under test: Gemm (dispatching), or the scalar fallback directly. */
    interface Impl {
        void gemm(int m, int n, int k, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int brs, int bcs,
                  float[] c, int cOff, int ldc, boolean accumulate);
    }

    static final Impl GEMM = Gemm::gemm;
    static final Impl SCALAR = ScalarGemm::gemm;

    /** One test case: operands laid out with the given transposes, offsets and padding. */
    static final class Case {
        final int m, n, k;
        final boolean ta, tb;
        final int aOff, bOff, cOff, ldc;
        final float[] a, b, c0;
        final int ars, acs, brs, bcs;

        Case(int m, int n, int k, boolean ta, boolean tb, int off, int pad, long seed) {
            this.m = m;
            this.n = n;
            this.k = k;
            this.ta = ta;
            this.tb = tb;
            SplittableRandom r = new SplittableRandom(seed);
            aOff = off;
            bOff = 2 * off + 1;
            cOff = off + 3;
            ldc = n + pad;
            // A stored [m,k] row-major, or [k,m] when transposed; with a padded leading dimension.
            int lda = (ta ? m : k) + pad;
            int ldb = (tb ? k : n) + pad;
            a = random(r, aOff + (ta ? k : m) * lda + 5);
            b = random(r, bOff + (tb ? n : k) * ldb + 5);
            c0 = random(r, cOff + m * ldc + 7);
            ars = ta ? 1 : lda;
            acs = ta ? lda : 1;
            brs = tb ? 1 : ldb;
            bcs = tb ? ldb : 1;
        }

        float[] run(Impl impl, boolean accumulate, boolean garbage) {
            float[] c = c0.clone();
            if (garbage && !accumulate) {
                // Inside the C matrix: NaN (must not be read); outside: sentinel values that must survive.
                for (int i = 0; i < m; i++) {
                    Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, Float.NaN);
                }
            }
            impl.gemm(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc, accumulate);
            return c;
        }

        void check(float[] c, boolean accumulate) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    double mag = 0;
                    for (int p = 0; p < k; p++) {
                        double x = (double) a[aOff + i * ars + p * acs] * b[bOff + p * brs + j * bcs];
                        s += x;
                        mag += Math.abs(x);
                    }
                    int ci = cOff + i * ldc + j;
                    if (accumulate) {
                        s += c0[ci];
                        mag += Math.abs(c0[ci]);
                    }
                    double tol = 1e-5 * mag + 1e-6 * Math.sqrt(k + 1) * mag + 1e-30;
                    if (!(Math.abs(c[ci] - s) <= tol)) {
                        fail(String.format("%s: C(%d,%d) = %s, expected %s (tol %s)", this, i, j, c[ci], s, tol));
                    }
                }
            }
            // Everything outside the m x n window of C is untouched.
            for (int idx = 0; idx < c.length; idx++) {
                int rel = idx - cOff;
                boolean inside = rel >= 0 && rel / ldc < m && rel % ldc < n;
                if (!inside && Float.floatToRawIntBits(c[idx]) != Float.floatToRawIntBits(c0[idx])) {
                    fail(this + ": wrote outside C at index " + idx);
                }
            }
        }

        @Override
        public String toString() {
            return "gemm " + m + "x" + n + "x" + k + (ta ? " A^T" : "") + (tb ? " B^T" : "")
                    + " offs " + aOff + "/" + bOff + "/" + cOff + " ldc " + ldc;
        }
    }

    static float[] random(SplittableRandom r, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return x;
    }

    static final int[][] SHAPES = {
            {1, 1, 1}, {1, 1, 7}, {3, 1, 1}, {1, 5, 1}, {2, 3, 4}, {7, 9, 11}, {8, 32, 16}, {17, 33, 65},
            {9, 31, 33}, {16, 16, 16}, {33, 17, 70}, {64, 64, 64}, {65, 47, 129}, {1, 300, 200}, {200, 1, 300},
            {40, 100, 1}, {8, 200, 40}, {130, 260, 150}, {64, 256, 784}, {200, 20, 2100}, {1, 130, 3136}, {1, 7, 71},
    };

    private void runShapes(Impl impl) {
        long seed = 1;
        for (int[] s : SHAPES) {
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0;
                boolean tb = (t & 2) != 0;
                Case cs = new Case(s[0], s[1], s[2], ta, tb, (int) (seed % 5), (int) (seed % 3), seed);
                seed++;
                cs.check(cs.run(impl, false, true), false);
                cs.check(cs.run(impl, true, false), true);
            }
        }
    }

    @Test
    void manyShapesAllTransposes() {
        runShapes(GEMM);
    }

    @Test
    void manyShapesOneThread() {
        Parallel.setThreads(1);
        runShapes(GEMM);
    }

    @Test
    void scalarFallback() {
        runShapes(SCALAR);
        Case cs = new Case(70, 90, 130, true, true, 3, 1, 99);
        cs.check(cs.run(SCALAR, false, true), false);
    }

    @Test
    void vectorModulePresentInTests() {
        assertTrue(CpuFeatures.VECTOR, "tests run with --add-modules jdk.incubator.vector");
    }

    @Test
    void large() {
        for (int t = 0; t < 4; t++) {
            Case cs = new Case(300, 257, 1030, (t & 1) != 0, (t & 2) != 0, 2, 1, 7 + t);
            cs.check(cs.run(GEMM, t % 2 == 0, true), t % 2 == 0);
        }
    }

    @Test
    void bigNGoesThroughSeveralPanels() {
        Case cs = new Case(20, 2100, 40, false, false, 0, 0, 5);
        cs.check(cs.run(GEMM, false, true), false);
        Case cs2 = new Case(250, 1100, 30, false, true, 1, 2, 6);
        cs2.check(cs2.run(GEMM, true, false), true);
    }

    @Test
    void zeroSizes() {
        float[] c = {Float.NaN, Float.NaN, Float.NaN, Float.NaN, Float.NaN, Float.NaN, 42f};
        // k == 0 and overwrite: C becomes zero.
        Gemm.gemm(2, 3, 0, new float[0], 0, 0, 1, new float[0], 0, 3, 1, c, 0, 3, false);
        assertArrayEquals(new float[]{0, 0, 0, 0, 0, 0, 42f}, c);
        // k == 0 and accumulate: untouched.
        float[] d = {1, 2, 3};
        Gemm.gemm(1, 3, 0, new float[0], 0, 0, 1, new float[0], 0, 3, 1, d, 0, 3, true);
        assertArrayEquals(new float[]{1, 2, 3}, d);
        // m or n zero: nothing happens.
        float[] e = {5};
        Gemm.gemm(0, 1, 4, new float[4], 0, 4, 1, new float[4], 0, 1, 1, e, 0, 1, false);
        Gemm.gemm(1, 0, 4, new float[4], 0, 4, 1, new float[4], 0, 1, 1, e, 0, 1, false);
        assertEquals(5f, e[0]);
        float[] f = {Float.NaN, 9f};
        ScalarGemm.gemm(1, 1, 0, new float[0], 0, 0, 1, new float[0], 0, 1, 1, f, 0, 1, false);
    }

    @Test
    void rejectsOutOfRangeOperands() {
        assertThrows(IndexOutOfBoundsException.class,
                () -> Gemm.gemm(4, 4, 4, new float[15], 0, 4, 1, new float[16], 0, 4, 1, new float[16], 0, 4, false));
        assertThrows(IndexOutOfBoundsException.class,
                () -> Gemm.gemm(4, 4, 4, new float[16], 0, 4, 1, new float[16], 1, 4, 1, new float[16], 0, 4, false));
        assertThrows(IndexOutOfBoundsException.class,
                () -> Gemm.gemm(4, 4, 4, new float[16], 0, 4, 1, new float[16], 0, 4, 1, new float[15], 0, 4, false));
        assertThrows(IllegalArgumentException.class,
                () -> Gemm.gemm(-1, 4, 4, new float[16], 0, 4, 1, new float[16], 0, 4, 1, new float[16], 0, 4, false));
    }

    @Test
    void deterministicRunToRunAndAcrossThreadCounts() {
        int[][] shapes = {{300, 257, 1030}, {64, 784, 256}, {784, 256, 64}, {100, 100, 100}, {20, 700, 50}};
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                Case cs = new Case(s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0, 1, 1, 11 + t);
                Parallel.setThreads(1);
                float[] one = cs.run(GEMM, false, true);
                float[] oneAgain = cs.run(GEMM, false, true);
                assertArrayEquals(one, oneAgain, cs + " with 1 thread differs run to run");
                Parallel.setThreads(2);
                float[] two = cs.run(GEMM, false, true);
                float[] twoAgain = cs.run(GEMM, false, true);
                assertArrayEquals(two, twoAgain, cs + " with 2 threads differs run to run");
                // The k-summation order does not depend on the split, so even 1 vs 2 threads agree exactly.
                assertArrayEquals(one, two, cs + " differs between 1 and 2 threads");
                Parallel.setThreads(3);
                assertArrayEquals(one, cs.run(GEMM, false, true), cs + " differs between 1 and 3 threads");
            }
        }
    }

    @Test
    void tasksHandsOutEachTaskOnce() throws Exception {
        for (int n : new int[]{0, 1, 5, 64, 1000}) {
            for (int slots : new int[]{1, 2, 3, 4}) {
                VectorGemm.Tasks tasks = new VectorGemm.Tasks(n, slots);
                java.util.concurrent.atomic.AtomicIntegerArray hits = new java.util.concurrent.atomic.AtomicIntegerArray(n);
                Thread[] ts = new Thread[slots];
                for (int s = 0; s < slots; s++) {
                    int slot = s;
                    ts[s] = new Thread(() -> {
                        int t;
                        while ((t = tasks.next(slot)) >= 0) {
                            hits.incrementAndGet(t);
                        }
                    });
                    ts[s].start();
                }
                for (Thread t : ts) {
                    t.join();
                }
                for (int i = 0; i < n; i++) {
                    assertEquals(1, hits.get(i), "task " + i + " of " + n + " with " + slots + " slots");
                }
            }
        }
        // One slot alone takes its own run first, front to back, then the others' from their backs.
        VectorGemm.Tasks t = new VectorGemm.Tasks(6, 2);
        int[] order = new int[6];
        for (int i = 0; i < 6; i++) {
            order[i] = t.next(0);
        }
        assertArrayEquals(new int[]{0, 1, 2, 5, 4, 3}, order);
        assertEquals(-1, t.next(1));
    }

    @Test
    void convenienceOverload() {
        float[] a = {1, 2, 3, 4, 5, 6};      // 2x3
        float[] b = {7, 8, 9, 10, 11, 12};   // 3x2
        float[] c = new float[4];
        Gemm.gemm(2, 2, 3, a, b, c);
        assertArrayEquals(new float[]{58, 64, 139, 154}, c);
    }
}
