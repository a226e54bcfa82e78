package dev.lamina.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import org.junit.jupiter.api.Test;

/** Dropout2d: whole channels dropped at rate p, survivors scaled by 1/(1-p), identity in eval, masked gradient. */
class Dropout2dTest {
    private static final int N = 40, C = 50, H = 3, W = 4, S = H * W;

    /** Per-plane scale factor applied to x (checks the whole plane got the same one). */
    private static float[] planeScales(Tensor x, Tensor y) {
        float[] xd = x.toArray(), yd = y.toArray();
        float[] f = new float[N * C];
        for (int p = 0; p < N * C; p++) {
            f[p] = yd[p * S] / xd[p * S];
            for (int i = 1; i < S; i++) assertEquals(f[p] * xd[p * S + i], yd[p * S + i], 1e-5f * Math.abs(yd[p * S + i]) + 1e-7f, "plane " + p);
        }
        return f;
    }

    private static Tensor positiveInput() {
        return Tensor.uniform(new Rng(7), 0.5, 1.5, N, C, H, W);
    }

    @Test
    void dropsWholeChannelsAtRateP() {
        double p = 0.3;
        Dropout2d d = new Dropout2d(p, new Rng(42));
        Tensor x = positiveInput();
        float[] f = planeScales(x, d.forward(x));
        int dropped = 0;
        for (float v : f) {
            if (v == 0f) dropped++;
            else assertEquals(1 / (1 - p), v, 1e-5);
        }
        double rate = dropped / (double) f.length, sigma = Math.sqrt(p * (1 - p) / f.length);
        assertTrue(Math.abs(rate - p) < 4 * sigma, "dropped fraction " + rate + " vs p = " + p);
        // inverted scaling keeps the expectation: mean over many samples of ones stays near 1
        Tensor ones = Tensor.ones(N, C, 1, 1);
        double mean = 0;
        for (int t = 0; t < 20; t++) mean += d.forward(ones).mean().item() / 20;
        assertEquals(1.0, mean, 4 * Math.sqrt(p / (1 - p) / (20.0 * N * C)));
    }

    @Test
    void evalAndZeroRateAreIdentity() {
        Tensor x = positiveInput();
        Dropout2d d = new Dropout2d(0.5, new Rng(1));
        d.eval();
        assertSame(x, d.forward(x));
        d.train();
        assertFalse(d.forward(x) == x);
        assertSame(x, new Dropout2d(0.0, new Rng(1)).forward(x));
        Tensor all = new Dropout2d(1.0, new Rng(1)).forward(x);
        for (float v : all.toArray()) assertEquals(0f, v);
    }

    @Test
    void gradientIsMaskedAndScaledLikeTheOutput() {
        Dropout2d d = new Dropout2d(0.4, new Rng(3));
        Tensor x = positiveInput().requiresGrad(true);
        Tensor y = d.forward(x);
        float[] f = planeScales(x, y);
        Tensor gout = Tensor.randn(new Rng(9), N, C, H, W);
        y.backward(gout);
        float[] g = x.grad().toArray(), go = gout.toArray();
        for (int p = 0; p < N * C; p++) {
            for (int i = 0; i < S; i++) assertEquals(go[p * S + i] * f[p], g[p * S + i], 1e-6f, "plane " + p);
        }
    }

    @Test
    void seededRunsRepeatAndCallsDiffer() {
        Tensor x = positiveInput();
        Tensor a1 = new Dropout2d(0.5, new Rng(11)).forward(x), b1 = new Dropout2d(0.5, new Rng(11)).forward(x);
        assertArrayEquals(a1.toArray(), b1.toArray());
        Dropout2d d = new Dropout2d(0.5, new Rng(11));
        d.forward(x);
        assertFalse(java.util.Arrays.equals(a1.toArray(), d.forward(x).toArray()), "second call should draw a new mask");
    }

    @Test
    void nonContiguousInput() {
        Tensor base = Tensor.uniform(new Rng(5), 0.5, 1.5, C, N, H, W);
        Tensor x = base.transpose(0, 1); // [N, C, H, W] view
        Tensor y = new Dropout2d(0.5, new Rng(2)).forward(x);
        planeScales(x.contiguous(), y);
    }
}
