package dev.lamina.nn.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.autograd.Autograd;
import dev.lamina.backend.ConvEpilogue;
import dev.lamina.kernels.Activation;
import dev.lamina.kernels.Parallel;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The depthwise kernel and the fused epilogue against the unfused path: a depthwise convolution equals the dense
 * convolution with the block-diagonal weight (which runs im2col + GEMM), and {@code conv2d(..., epilogue)} equals
 * {@code act(conv2d(...) + residual)} computed with separate tensor ops.
 */
class FusedConvTest {
    /** The depthwise weight [C·m, 1, KH, KW] as a dense [C·m, C, KH, KW] weight, zero outside each group's channel. */
    private static Tensor blockDiagonal(Tensor w, int c) {
        int oc = w.size(0), kh = w.size(2), kw = w.size(3), m = oc / c;
        float[] src = w.contiguous().toArray(), dense = new float[oc * c * kh * kw];
        for (int o = 0; o < oc; o++) {
            System.arraycopy(src, o * kh * kw, dense, (o * c + o / m) * kh * kw, kh * kw);
        }
        return Tensor.of(dense, oc, c, kh, kw);
    }

    private static void assertClose(Tensor expected, Tensor actual, double tol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        float[] e = expected.contiguous().toArray(), a = actual.contiguous().toArray();
        double scale = 0;
        for (float v : e) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < e.length; i++) {
            assertTrue(Math.abs(e[i] - a[i]) <= tol * Math.max(1, scale), what + ": element " + i + " expected " + e[i] + " got " + a[i]);
        }
    }

    @ParameterizedTest(name = "n{0} c{1} m{2} {3}x{4} k{5}x{6} s{7},{8} p{9},{10},{11},{12} d{13},{14}")
    @CsvSource({
            "1, 8, 1, 13, 11, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1",   // MobileNet's stride-1 3x3
            "1, 6, 1, 14, 15, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1",   // stride 2, odd width
            "2, 5, 1, 17, 17, 5, 5, 2, 2, 2, 2, 2, 2, 1, 1",   // EfficientNet's 5x5 stride 2
            "1, 4, 1, 9, 12, 7, 7, 1, 1, 3, 3, 3, 3, 1, 1",    // ConvNeXt's 7x7
            "3, 3, 2, 10, 9, 3, 3, 1, 1, 0, 1, 2, 0, 1, 1",    // channel multiplier 2, asymmetric padding
            "1, 4, 1, 11, 10, 3, 3, 1, 3, 2, 2, 2, 2, 2, 2",   // dilation 2, stride 3 across
            "2, 7, 3, 6, 8, 3, 2, 3, 2, 0, 0, 4, 1, 1, 3",     // rectangular kernel, multiplier 3, large padding
            "1, 2, 1, 1, 9, 1, 3, 1, 1, 0, 0, 1, 1, 1, 1",     // conv1d shape (height 1)
            "1, 3, 1, 9, 13, 3, 3, 2, 2, 1, 1, 3, 0, 1, 1",    // stride 2, odd left padding, none on the right
            "1, 2, 1, 5, 70, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1",    // stride 2 across a row of several vectors (the vector deinterleave)
    })
    void depthwiseMatchesDenseBlockDiagonal(int n, int c, int m, int h, int w, int kh, int kw, int sh, int sw,
                                            int pt, int pb, int pl, int pr, int dh, int dw) {
        Rng rng = new Rng(n * 31L + c * 7L + h);
        Tensor x = Tensor.randn(rng, n, c, h, w), wt = Tensor.randn(rng, c * m, 1, kh, kw), b = Tensor.randn(rng, c * m);
        Tensor dense = blockDiagonal(wt, c);
        int before = Parallel.threads();
        try (var s = Autograd.noGrad()) {
            Tensor expected = ConvOp.conv2d(x, dense, b, sh, sw, pt, pb, pl, pr, dh, dw, 1);
            for (int threads : new int[] {1, 2}) {
                Parallel.setThreads(threads);
                Tensor got = ConvOp.conv2d(x, wt, b, sh, sw, pt, pb, pl, pr, dh, dw, c);
                assertClose(expected, got, 2e-6, "depthwise, " + threads + " threads");
                if (threads == 2) {
                    Parallel.setThreads(1);
                    assertArrayEquals(ConvOp.conv2d(x, wt, b, sh, sw, pt, pb, pl, pr, dh, dw, c).toArray(), got.toArray(), "thread count changes bits");
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void depthwiseGradientsStillMatchDense() {
        Rng rng = new Rng(3);
        Tensor x = Tensor.randn(rng, 2, 3, 7, 6).requiresGrad(true), wt = Tensor.randn(rng, 3, 1, 3, 3).requiresGrad(true);
        Tensor y = ConvOp.conv2d(x, wt, null, 2, 1, 1, 1, 1, 1, 1, 1, 3);
        Tensor g = Tensor.randn(rng, y.shape());
        y.mul(g).sum().backward();
        Tensor x2 = x.detach().requiresGrad(true), dense = blockDiagonal(wt.detach(), 3);
        Tensor y2 = ConvOp.conv2d(x2, dense, null, 2, 1, 1, 1, 1, 1, 1, 1, 1);
        y2.mul(g).sum().backward();
        assertClose(y2.detach(), y.detach(), 2e-6, "forward");
        assertClose(x2.grad(), x.grad(), 2e-6, "input gradient");
    }

    @ParameterizedTest(name = "{0} groups{1} k{2} s{3} residual {4} n{5}")
    @CsvSource({
            "RELU, 1, 3, 1, false, 1", "RELU, 1, 3, 1, true, 2", "CLIP, 1, 1, 1, false, 1", "CLIP, 6, 3, 2, false, 1",
            "SILU, 1, 1, 1, true, 1", "SILU, 5, 5, 1, false, 2", "SIGMOID, 1, 3, 2, false, 3", "HARDSWISH, 1, 3, 1, true, 1",
            "NONE, 1, 3, 1, true, 1", "NONE, 1, 1, 2, true, 1", "RELU, 2, 3, 1, true, 1", "RELU, 1, 7, 2, false, 1",
    })
    void epilogueMatchesUnfusedOps(Activation act, int groups, int k, int stride, boolean residual, int n) {
        Rng rng = new Rng(k * 13L + groups);
        int c = groups == 1 ? 4 : groups * (groups == 2 ? 2 : 1), oc = groups == 1 ? 6 : groups * (groups == 2 ? 3 : 1);
        Tensor x = Tensor.randn(rng, n, c, 11, 9), wt = Tensor.randn(rng, oc, c / groups, k, k), b = Tensor.randn(rng, oc);
        int pad = k / 2;
        try (var s = Autograd.noGrad()) {
            Tensor plain = ConvOp.conv2d(x, wt, b, stride, stride, pad, pad, pad, pad, 1, 1, groups);
            Tensor r = residual ? Tensor.randn(rng, plain.shape()) : null;
            ConvEpilogue ep = new ConvEpilogue(act, 0f, 6f, r);
            Tensor expected = residual ? plain.add(r) : plain;
            expected = switch (act) {
                case NONE -> expected;
                case RELU -> expected.relu();
                case CLIP -> expected.clamp(0f, 6f);
                case SIGMOID -> expected.sigmoid();
                case SILU -> expected.silu();
                case HARDSWISH -> expected.mul(expected.add(3f).clamp(0f, 6f)).div(6f);
            };
            Tensor fused = ConvOp.conv2d(x, wt, b, stride, stride, pad, pad, pad, pad, 1, 1, groups, ep);
            boolean exact = act == Activation.NONE || act == Activation.RELU || act == Activation.CLIP;
            if (exact) assertArrayEquals(expected.toArray(), fused.toArray(), act + ": same bits as the unfused ops");
            else assertClose(expected, fused, 1e-6, act.toString());
        }
    }

    @Test
    void epilogueWithGradientsRunsTheDifferentiableOps() {
        Rng rng = new Rng(5);
        Tensor x = Tensor.randn(rng, 1, 2, 5, 5).requiresGrad(true), wt = Tensor.randn(rng, 3, 2, 3, 3);
        Tensor r = Tensor.randn(rng, 1, 3, 5, 5);
        Tensor y = ConvOp.conv2d(x, wt, null, 1, 1, 1, 1, 1, 1, 1, 1, 1, new ConvEpilogue(Activation.RELU, 0, 0, r));
        y.sum().backward();
        Tensor x2 = x.detach().requiresGrad(true);
        ConvOp.conv2d(x2, wt, null, 1, 1, 1, 1, 1, 1, 1, 1, 1).add(r).relu().sum().backward();
        assertArrayEquals(x2.grad().toArray(), x.grad().toArray());
    }

    @Test
    void broadcastingResidualRunsUnfusedAndAWrongOneIsRefused() {
        Rng rng = new Rng(9);
        Tensor x = Tensor.randn(rng, 1, 2, 5, 5), wt = Tensor.randn(rng, 3, 2, 3, 3), perChannel = Tensor.randn(rng, 3, 1, 1);
        try (var s = Autograd.noGrad()) {
            Tensor fused = ConvOp.conv2d(x, wt, null, 1, 1, 1, 1, 1, 1, 1, 1, 1, new ConvEpilogue(Activation.RELU, 0, 0, perChannel));
            assertArrayEquals(ConvOp.conv2d(x, wt, null, 1, 1, 1, 1, 1, 1, 1, 1, 1).add(perChannel).relu().toArray(), fused.toArray());
        }
        var e = assertThrows(ShapeException.class, () -> ConvOp.conv2d(x, wt, null, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                new ConvEpilogue(Activation.RELU, 0, 0, Tensor.zeros(1, 3, 4, 5))));
        assertTrue(e.getMessage().contains("[1, 3, 4, 5]") && e.getMessage().contains("[1, 3, 5, 5]"), e.getMessage());
        var clip = assertThrows(IllegalArgumentException.class, () -> new ConvEpilogue(Activation.CLIP, 6, 0, null));
        assertEquals("conv epilogue: clip bounds 6.0 > 0.0", clip.getMessage());
    }

    @ParameterizedTest(name = "n{0} c{1} oc{2} k{3} s{4} groups {5}")
    @CsvSource({"1, 16, 32, 3, 1, 1", "3, 16, 32, 3, 2, 1", "1, 64, 128, 1, 1, 1", "2, 64, 24, 1, 2, 1", "1, 12, 18, 3, 1, 3",
            "1, 8, 8, 3, 1, 8", "1, 1, 6, 3, 1, 1", "1, 300, 40, 3, 1, 1"})
    void preparedWeightGivesTheSameBits(int n, int c, int oc, int k, int stride, int groups) {
        Rng rng = new Rng(c * 7L + oc);
        Tensor x = Tensor.randn(rng, n, c, 15, 14), wt = Tensor.randn(rng, oc, c / groups, k, k), b = Tensor.randn(rng, oc);
        ConvOp.PreparedWeight prepared = ConvOp.prepare(wt, groups);
        int pad = k / 2, before = Parallel.threads();
        try (var s = Autograd.noGrad()) {
            for (int threads : new int[] {1, 2}) {
                Parallel.setThreads(threads);
                for (ConvEpilogue ep : new ConvEpilogue[] {null, ConvEpilogue.of(Activation.RELU)}) {
                    Tensor plain = ep == null ? ConvOp.conv2d(x, wt, b, stride, stride, pad, pad, pad, pad, 1, 1, groups)
                            : ConvOp.conv2d(x, wt, b, stride, stride, pad, pad, pad, pad, 1, 1, groups, ep);
                    Tensor pre = ConvOp.conv2d(x, prepared, b, stride, stride, pad, pad, pad, pad, 1, 1, ep);
                    assertArrayEquals(plain.toArray(), pre.toArray(), threads + " threads, epilogue " + ep);
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }
}
