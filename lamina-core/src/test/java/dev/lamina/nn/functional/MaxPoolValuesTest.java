package dev.lamina.nn.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.autograd.Autograd;
import dev.lamina.kernels.Parallel;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The index-free inference max pool against the training path's sequential scan, on awkward windows and values. */
class MaxPoolValuesTest {
    @ParameterizedTest(name = "{0}x{1} k{2}x{3} s{4}x{5} p{6}x{7} d{8}x{9} ceil {10}")
    @CsvSource({
            "112, 112, 3, 3, 2, 2, 1, 1, 1, 1, false",  // ResNet's stem pool
            "13, 11, 3, 3, 2, 2, 1, 1, 1, 1, true",
            "9, 10, 2, 2, 2, 2, 0, 0, 1, 1, false",
            "7, 9, 3, 2, 1, 3, 1, 1, 2, 2, false",
            "8, 8, 5, 5, 3, 3, 2, 2, 1, 1, true",
            "1, 17, 1, 4, 1, 3, 0, 2, 1, 1, false",     // a 1-d pool as height 1
            "6, 6, 3, 3, 1, 1, 1, 1, 1, 1, false",
            "5, 70, 3, 3, 1, 1, 1, 1, 1, 1, false",     // whole vectors of the horizontal pass at stride 1,
            "6, 101, 3, 3, 2, 2, 1, 1, 1, 1, true",     // 2 (two-vector rearrange),
            "6, 100, 3, 4, 2, 3, 1, 2, 1, 1, true",     // 3 (gather)
            "9, 64, 3, 3, 2, 2, 1, 1, 1, 2, false",     // a dilated row: the scalar pass over the padded row
    })
    void sameValuesAsTheIndexKeepingScan(int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, boolean ceil) {
        Rng rng = new Rng(h * 100L + w);
        Tensor x = Tensor.randn(rng, 2, 3, h, w);
        float[] v = x.toArray();
        for (int i = 0; i < v.length; i += 97) v[i] = Float.NaN;            // NaN wins its windows
        for (int i = 5; i < v.length; i += 13) v[i] = Float.NEGATIVE_INFINITY;
        for (int i = 7; i < v.length; i += 29) v[i] = Float.POSITIVE_INFINITY;
        x = Tensor.of(v, x.shape());
        PoolOps.Window win = PoolOps.window2d("test", new int[] {kh, kw}, new int[] {sh, sw}, new int[] {ph, pw}, new int[] {dh, dw}, ceil);
        float[] expected = PoolOps.maxPool("test", x, win).output().toArray();
        int before = Parallel.threads();
        try (var s = Autograd.noGrad()) {
            for (int threads : new int[] {1, 2}) {
                Parallel.setThreads(threads);
                Tensor got = PoolOps.maxPoolValues("test", x, win);
                float[] g = got.toArray();
                assertEquals(expected.length, g.length);
                for (int i = 0; i < g.length; i++) {
                    assertTrue(expected[i] == g[i] || Float.isNaN(expected[i]) && Float.isNaN(g[i]), i + ": " + expected[i] + " vs " + g[i]);
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @ParameterizedTest(name = "requires grad {0}")
    @CsvSource({"true", "false"})
    void withAGradientTheIndexKeepingPathRuns(boolean grad) {
        Tensor x = Tensor.randn(new Rng(1), 1, 2, 6, 6).requiresGrad(grad);
        PoolOps.Window win = PoolOps.window2d("test", new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, null, false);
        Tensor y = PoolOps.maxPoolValues("test", x, win);
        assertEquals(grad, y.requiresGrad());
        assertArrayEquals(PoolOps.maxPool("test", x, win).output().toArray(), y.toArray());
    }
}
