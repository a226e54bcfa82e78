package dev.lamina.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** The packed-once B product equals a plain triple loop, for edge sizes, strided operands and several k blocks. */
class PackedGemmTest {
    @Test
    void matchesReferenceForEdgeShapesAndStrides() {
        Random rnd = new Random(1);
        int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {8, 32, 16}, {9, 33, 17}, {32, 1024, 256}, {13, 40, 1100}, {5, 7, 2100}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            for (boolean transB : new boolean[] {false, true}) {
                for (boolean transA : new boolean[] {false, true}) {
                    float[] a = new float[m * k + 3], b = new float[k * n + 2], c0 = new float[m * (n + 4) + 1];
                    for (int i = 0; i < a.length; i++) a[i] = (float) rnd.nextGaussian();
                    for (int i = 0; i < b.length; i++) b[i] = (float) rnd.nextGaussian();
                    for (int i = 0; i < c0.length; i++) c0[i] = (float) rnd.nextGaussian();
                    int brs = transB ? 1 : n, bcs = transB ? k : 1, ars = transA ? 1 : k, acs = transA ? m : 1;
                    PackedGemm p = PackedGemm.pack(k, n, b, 2, brs, bcs);
                    for (boolean acc : new boolean[] {false, true}) {
                        float[] c = c0.clone();
                        p.multiply(m, a, 3, ars, acs, c, 1, n + 4, acc);
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < n; j++) {
                                double ref = acc ? c0[1 + i * (n + 4) + j] : 0;
                                for (int q = 0; q < k; q++) ref += (double) a[3 + i * ars + q * acs] * b[2 + q * brs + j * bcs];
                                assertEquals(ref, c[1 + i * (n + 4) + j], 1e-4 * Math.sqrt(k) + 1e-5, m + "x" + n + "x" + k + " at " + i + "," + j);
                            }
                            // padding columns of C are untouched
                            for (int j = n; j < n + 4 && 1 + i * (n + 4) + j < c.length; j++) assertEquals(c0[1 + i * (n + 4) + j], c[1 + i * (n + 4) + j]);
                        }
                    }
                }
            }
        }
    }

    @Test
    void columnRangesOnSeveralThreadsEqualTheWholeProduct() {
        Random rnd = new Random(2);
        int m = 19, n = 160, k = 70;
        float[] a = new float[m * k], b = new float[k * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) rnd.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = (float) rnd.nextGaussian();
        PackedGemm p = PackedGemm.pack(k, n, b, 0, n, 1);
        float[] whole = new float[m * n], parts = new float[m * n];
        p.multiply(m, a, 0, k, 1, whole, 0, n, false);
        p.prepare(m, a, 0, k, 1);
        int g = p.columnGrain();
        Parallel.forRange(n / g, 1, (s, e) -> p.multiplyColumns(s * g, e * g, parts, 0, n, false));
        p.multiplyColumns(n / g * g, n, parts, 0, n, false);
        org.junit.jupiter.api.Assertions.assertArrayEquals(whole, parts);
        assertThrows(IllegalArgumentException.class, () -> p.multiplyColumns(g == 1 ? -1 : 1, n, parts, 0, n, false));
    }

    @Test
    void rejectsOperandsOutsideTheirArrays() {
        PackedGemm p = PackedGemm.pack(4, 3, new float[12], 0, 3, 1);
        assertThrows(IndexOutOfBoundsException.class, () -> p.multiply(2, new float[7], 0, 4, 1, new float[6], 0, 3, false));
        assertThrows(IndexOutOfBoundsException.class, () -> p.multiply(2, new float[8], 0, 4, 1, new float[5], 0, 3, false));
    }

    @Test
    void oneRowEqualsTheFirstRowOfAnEightRowProductBitForBit() {
        Random rnd = new Random(3);
        for (int[] s : new int[][] {{1024, 256}, {1000, 130}, {2100, 300}, {7, 33}, {64, 128}}) {
            int n = s[0], k = s[1];
            float[] a = new float[2 * k], b = new float[k * n], c0 = new float[2 * n];
            for (int i = 0; i < a.length; i++) a[i] = (float) rnd.nextGaussian();
            for (int i = 0; i < b.length; i++) b[i] = (float) rnd.nextGaussian();
            for (int i = 0; i < c0.length; i++) c0[i] = (float) rnd.nextGaussian();
            PackedGemm p = PackedGemm.pack(k, n, b, 0, n, 1);
            for (boolean acc : new boolean[] {false, true}) {
                float[] one = c0.clone(), two = c0.clone();
                p.multiply(1, a, 0, k, 1, one, 0, n, acc);
                p.multiply(2, a, 0, k, 1, two, 0, n, acc);
                org.junit.jupiter.api.Assertions.assertArrayEquals(java.util.Arrays.copyOf(two, n), java.util.Arrays.copyOf(one, n), n + "x" + k + " acc " + acc);
            }
        }
    }
}
