package dev.lamina.kernels;

import dev.lamina.tensor.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ReductionsTest {
    @Test
    void sumMatchesDoubleSumForAllLengthsAndOffsets() {
        Rng rng = new Rng(1);
        float[] x = new float[5000];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        for (int n : new int[] {0, 1, 15, 16, 63, 64, 65, 127, 1000, 4093}) {
            for (int off : new int[] {0, 1, 7}) {
                double expected = 0, magnitude = 0;
                for (int i = 0; i < n; i++) {
                    expected += x[off + i];
                    magnitude += Math.abs(x[off + i]);
                }
                assertEquals(expected, Reductions.sum(x, off, n), 1e-6 * Math.max(1, magnitude), "n=" + n + " off=" + off);
            }
        }
    }

    @Test
    void sumIsTheSameEveryRun() {
        float[] x = new float[10_001];
        for (int i = 0; i < x.length; i++) x[i] = 1f / (1 + i);
        assertEquals(Reductions.sum(x, 0, x.length), Reductions.sum(x, 0, x.length));
    }
}
