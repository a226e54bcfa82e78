package dev.lamina.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** A pre-packed A gives the unpacked product bit for bit, on both splits, several k blocks, edge strips and threads. */
class PackedAGemmTest {
    @Test
    void prePackedAEqualsUnpackedProduct() {
        Random rnd = new Random(7);
        // m×n×k: tiny (small path), one-row, splitN (small m), splitM (large m), several k blocks, odd edges
        int[][] shapes = {{3, 4, 5}, {1, 300, 600}, {64, 3136, 288}, {13, 197, 1500}, {512, 49, 2304}, {250, 57, 33}, {9, 1025, 2100}};
        int before = Parallel.threads();
        try {
            for (int[] s : shapes) {
                int m = s[0], n = s[1], k = s[2];
                for (boolean transA : new boolean[] {false, true}) {
                    float[] a = new float[m * k + 5], b = new float[k * n + 1], c0 = new float[m * n + 2];
                    for (int i = 0; i < a.length; i++) a[i] = (float) rnd.nextGaussian();
                    for (int i = 0; i < b.length; i++) b[i] = (float) rnd.nextGaussian();
                    for (int i = 0; i < c0.length; i++) c0[i] = (float) rnd.nextGaussian();
                    int ars = transA ? 1 : k, acs = transA ? m : 1;
                    Gemm.PackedA packed = Gemm.pack(m, k, a, 5, ars, acs);
                    for (int threads : new int[] {1, 2}) {
                        Parallel.setThreads(threads);
                        for (boolean acc : new boolean[] {false, true}) {
                            float[] plain = c0.clone(), pre = c0.clone();
                            Gemm.gemm(m, n, k, a, 5, ars, acs, b, 1, n, 1, plain, 2, n, acc);
                            Gemm.gemm(n, packed, b, 1, n, 1, pre, 2, n, acc);
                            assertArrayEquals(plain, pre, m + "x" + n + "x" + k + " transA " + transA + " threads " + threads + " acc " + acc);
                        }
                    }
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void packingChecksItsRange() {
        assertThrows(IndexOutOfBoundsException.class, () -> Gemm.pack(4, 4, new float[10], 0, 4, 1));
        assertThrows(IllegalArgumentException.class, () -> Gemm.pack(-1, 4, new float[10], 0, 4, 1));
    }
}
