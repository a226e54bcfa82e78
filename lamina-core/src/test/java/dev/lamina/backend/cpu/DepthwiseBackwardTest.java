package dev.lamina.backend.cpu;

import dev.lamina.autograd.GradCheck;
import dev.lamina.kernels.Parallel;
import dev.lamina.nn.functional.ConvOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The direct depthwise backward ({@link DepthwiseConv#backward}) against the same convolution written densely (groups
 * 1, a block-diagonal weight: every output channel reads only its own input channel), on odd shapes with stride,
 * dilation, asymmetric padding and channel multipliers; against finite differences; and independent of the threads.
 */
class DepthwiseBackwardTest {
    private final Rng rng = new Rng(31);

    private static void assertClose(String what, Tensor expected, Tensor actual, double tol) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        float[] e = expected.toArray(), a = actual.toArray();
        double scale = 1e-6;
        for (float v : e) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < e.length; i++) assertTrue(Math.abs(e[i] - a[i]) <= tol * scale, what + "[" + i + "]: " + e[i] + " vs " + a[i]);
    }

    /** {n, c, multiplier, h, w, kh, kw, sh, sw, pt, pb, pl, pr, dh, dw} */
    private static final int[][] CASES = {
            {2, 3, 1, 7, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
            {1, 4, 2, 8, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},
            {3, 2, 1, 11, 10, 5, 5, 2, 1, 2, 2, 2, 2, 1, 1},
            {2, 5, 3, 9, 9, 3, 2, 1, 3, 0, 2, 1, 0, 2, 2},
            {1, 6, 1, 13, 12, 7, 7, 1, 1, 3, 3, 3, 3, 1, 1},
            {2, 3, 1, 6, 7, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1},
    };

    @Test
    void gradientsMatchTheDenseConvolution() {
        for (int[] k : CASES) {
            int n = k[0], c = k[1], mult = k[2], oc = c * mult;
            Tensor x = Tensor.randn(rng, n, c, k[3], k[4]).requiresGrad(true);
            Tensor w = Tensor.randn(rng, oc, 1, k[5], k[6]).requiresGrad(true);
            Tensor b = Tensor.randn(rng, oc).requiresGrad(true);
            Tensor y = ConvOp.conv2d(x, w, b, k[7], k[8], k[9], k[10], k[11], k[12], k[13], k[14], c);
            Tensor gy = Tensor.randn(rng, y.shape());
            y.backward(gy);

            float[] dense = new float[oc * c * k[5] * k[6]];
            float[] wv = w.toArray();
            int taps = k[5] * k[6];
            for (int o = 0; o < oc; o++) System.arraycopy(wv, o * taps, dense, (o * c + o / mult) * taps, taps);
            Tensor x2 = x.detach().requiresGrad(true), w2 = Tensor.of(dense, oc, c, k[5], k[6]).requiresGrad(true), b2 = b.detach().requiresGrad(true);
            Tensor y2 = ConvOp.conv2d(x2, w2, b2, k[7], k[8], k[9], k[10], k[11], k[12], k[13], k[14], 1);
            String what = java.util.Arrays.toString(k);
            assertClose(what + " y", y2, y, 1e-5);
            y2.backward(gy);
            assertClose(what + " dx", x2.grad(), x.grad(), 1e-5);
            float[] gwDense = w2.grad().toArray(), gwDiag = new float[oc * taps];
            for (int o = 0; o < oc; o++) System.arraycopy(gwDense, (o * c + o / mult) * taps, gwDiag, o * taps, taps);
            assertClose(what + " dw", Tensor.of(gwDiag, w.shape()), w.grad(), 1e-5);
            assertClose(what + " db", b2.grad(), b.grad(), 1e-5);
        }
    }

    @Test
    void finiteDifferences() {
        Tensor x = Tensor.randn(rng, 2, 3, 6, 5), w = Tensor.randn(rng, 6, 1, 3, 3), b = Tensor.randn(rng, 6);
        GradCheck.Result r = GradCheck.check(t -> ConvOp.conv2d(t[0], t[1], t[2], 2, 1, 1, 0, 1, 2, 1, 2, 3), 1e-2, x, w, b);
        assertTrue(r.passed(2e-2), r.toString());
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        Tensor x = Tensor.randn(rng, 4, 32, 14, 14), w = Tensor.randn(rng, 32, 1, 3, 3);
        Tensor gy = Tensor.randn(rng, 4, 32, 14, 14);
        float[][] one = grads(x, w, gy, 1), two = grads(x, w, gy, 2);
        assertArrayEquals(one[0], two[0]);
        assertArrayEquals(one[1], two[1]);
        assertEquals(x.numel(), one[0].length);
    }

    private static float[][] grads(Tensor x0, Tensor w0, Tensor gy, int threads) {
        int before = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            Tensor x = x0.detach().requiresGrad(true), w = w0.detach().requiresGrad(true);
            ConvOp.conv2d(x, w, null, 1, 1, 1, 1, 1, 1, 1, 1, 32).backward(gy);
            return new float[][] {x.grad().toArray(), w.grad().toArray()};
        } finally {
            Parallel.setThreads(before);
        }
    }
}
