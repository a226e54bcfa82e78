package dev.lamina.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.backend.ConvOps.Conv2dGeometry;
import dev.lamina.kernels.Parallel;
import dev.lamina.nn.functional.ConvOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import org.junit.jupiter.api.Test;

/**
 * {@link SmallConv} (column matrices of at most 16 rows) against the im2col + GEMM path of {@link ConvKernels}: the same convolution
 * with one more input channel of zeros (and any weights for it) has 2·KH·KW rows and takes the GEMM path, and
 * must give the same output and gradients up to float rounding. Also: no input gradient is computed when the
 * input does not require one, and results are bit-identical on 1 and 2 threads.
 */
class SmallConvTest {

    /** conv2d(x, w, b) through SmallConv and through the GEMM path (x padded with a zero channel). */
    private static void compare(int n, int oc, int h, int w, int k, int stride, int pad, int dil, boolean bias, boolean gradX, long seed) {
        Rng rng = new Rng(seed);
        Tensor x = Tensor.randn(rng, n, 1, h, w), wt = Tensor.randn(rng, oc, 1, k, k), b = bias ? Tensor.randn(rng, oc) : null;
        int[] st = {stride, stride}, pd = {pad, pad}, dl = {dil, dil};
        assertTrue(SmallConv.applies(plan(x, wt, b, st, pd, dl)));
        // GEMM path: channel 1 all zeros, its weights random
        float[] x2 = new float[n * 2 * h * w];
        for (int i = 0; i < n; i++) System.arraycopy(x.storage(), i * h * w, x2, i * 2 * h * w, h * w);
        Tensor xBig = Tensor.of(x2, n, 2, h, w), wExtra = Tensor.randn(rng, oc, 1, k, k);
        float[] w2 = new float[oc * 2 * k * k];
        for (int o = 0; o < oc; o++) {
            System.arraycopy(wt.storage(), o * k * k, w2, o * 2 * k * k, k * k);
            System.arraycopy(wExtra.storage(), o * k * k, w2, o * 2 * k * k + k * k, k * k);
        }
        Tensor wBig = Tensor.of(w2, oc, 2, k, k);
        assertFalse(SmallConv.applies(plan(xBig, wBig, b, st, pd, dl)));

        Tensor xs = x.detach().requiresGrad(gradX), ws = wt.detach().requiresGrad(true), bs = bias ? b.detach().requiresGrad(true) : null;
        Tensor xg = xBig.detach().requiresGrad(gradX), wg = wBig.detach().requiresGrad(true), bg = bias ? b.detach().requiresGrad(true) : null;
        Tensor ys = ConvOp.conv2d(xs, ws, bs, st, pd, dl, 1), yg = ConvOp.conv2d(xg, wg, bg, st, pd, dl, 1);
        String what = n + "x1x" + h + "x" + w + " → " + oc + ", k" + k + " s" + stride + " p" + pad + " d" + dil;
        close(yg.toArray(), ys.toArray(), what + ": output");
        Tensor gy = Tensor.randn(rng, ys.shape());
        ys.backward(gy);
        yg.backward(gy);
        float[] gwBig = wg.grad().toArray(), gwExpect = new float[oc * k * k];
        for (int o = 0; o < oc; o++) System.arraycopy(gwBig, o * 2 * k * k, gwExpect, o * k * k, k * k);
        close(gwExpect, ws.grad().toArray(), what + ": weight gradient");
        if (bias) close(bg.grad().toArray(), bs.grad().toArray(), what + ": bias gradient");
        if (gradX) {
            float[] gxBig = xg.grad().toArray(), gxExpect = new float[n * h * w];
            for (int i = 0; i < n; i++) System.arraycopy(gxBig, i * 2 * h * w, gxExpect, i * h * w, h * w);
            close(gxExpect, xs.grad().toArray(), what + ": input gradient");
        } else {
            assertNull(xs.grad(), what + ": no input gradient asked for");
        }
    }

    private static Conv2dGeometry plan(Tensor x, Tensor w, Tensor b, int[] st, int[] pd, int[] dl) {
        int h = x.size(2), wd = x.size(3), kh = w.size(2), kw = w.size(3);
        int oh = (h + 2 * pd[0] - dl[0] * (kh - 1) - 1) / st[0] + 1, ow = (wd + 2 * pd[1] - dl[1] * (kw - 1) - 1) / st[1] + 1;
        return new Conv2dGeometry(x.size(0), x.size(1), h, wd, w.size(0), kh, kw, st[0], st[1], pd[0], pd[0], pd[1], pd[1], dl[0], dl[1], 1, oh, ow);
    }

    private static void close(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        double scale = 1;
        for (float v : expected) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], 2e-5 * scale, what + " at " + i);
    }

    @Test
    void matchesTheGemmPath() {
        compare(4, 32, 28, 28, 3, 1, 1, 1, true, false, 1);  // the cnn model's first layer
        compare(2, 6, 9, 11, 3, 1, 1, 1, true, false, 2);    // planes not a multiple of the vector length, oc % 4 ≠ 0
        compare(3, 5, 10, 7, 3, 2, 0, 1, false, false, 3);   // stride, no padding, no bias
        compare(2, 8, 12, 12, 3, 1, 2, 2, true, false, 4);   // dilation
        compare(2, 4, 9, 9, 4, 1, 1, 1, true, false, 5);     // 16 rows, the largest taken
        compare(3, 7, 8, 8, 3, 1, 1, 1, true, true, 6);      // input gradient from the GEMM path
    }

    @Test
    void sameBitsOnOneAndTwoThreads() {
        Rng rng = new Rng(8);
        Tensor x = Tensor.randn(rng, 16, 1, 28, 28), w = Tensor.randn(rng, 32, 1, 3, 3), b = Tensor.randn(rng, 32), gy = Tensor.randn(rng, 16, 32, 28, 28);
        int before = Parallel.threads();
        try {
            float[][] one = null;
            for (int threads : new int[] {1, 2}) {
                Parallel.setThreads(threads);
                Tensor wi = w.detach().requiresGrad(true), bi = b.detach().requiresGrad(true);
                Tensor y = ConvOp.conv2d(x, wi, bi, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1);
                y.backward(gy);
                float[][] r = {y.toArray(), wi.grad().toArray(), bi.grad().toArray()};
                if (one == null) one = r;
                else for (int i = 0; i < r.length; i++) assertArrayEquals(one[i], r[i], "array " + i);
            }
        } finally {
            Parallel.setThreads(before);
        }
    }
}
