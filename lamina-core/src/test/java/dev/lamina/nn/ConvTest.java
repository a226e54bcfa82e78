package dev.lamina.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.autograd.GradCheck;
import dev.lamina.kernels.Parallel;
import dev.lamina.nn.functional.ConvOp;
import dev.lamina.nn.functional.ConvTranspose2dOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Convolution layers: error messages, initialisation, finite-difference gradients, determinism. */
class ConvTest {

    /** Puts the layer at path "0" of a model, so its errors read "0 (Conv2d)". */
    private static <M extends Module> M inModel(M layer) {
        new Sequential(layer);
        return layer;
    }

    private static void assertMentions(Exception e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
    }

    // ------------------------------------------------------------------------------------------------ errors

    @Test
    void threeDimensionalInputIntoConv2d() {
        Conv2d conv = inModel(new Conv2d(3, 8, 3));
        var e = assertThrows(ShapeException.class, () -> conv.forward(Tensor.zeros(3, 10, 10)));
        assertMentions(e, "0 (Conv2d)", "[N, 3, H, W]", "[3, 10, 10]");
    }

    @Test
    void wrongChannelCount() {
        Conv2d conv = inModel(new Conv2d(3, 8, 3));
        var e = assertThrows(ShapeException.class, () -> conv.forward(Tensor.zeros(2, 4, 10, 10)));
        assertMentions(e, "0 (Conv2d)", "[N, 3, H, W]", "[2, 4, 10, 10]");
        Conv1d c1 = inModel(new Conv1d(3, 8, 3));
        var e1 = assertThrows(ShapeException.class, () -> c1.forward(Tensor.zeros(2, 5, 10)));
        assertMentions(e1, "0 (Conv1d)", "[N, 3, L]", "[2, 5, 10]");
        ConvTranspose2d t = inModel(new ConvTranspose2d(3, 8, 3));
        var et = assertThrows(ShapeException.class, () -> t.forward(Tensor.zeros(2, 8, 4, 4)));
        assertMentions(et, "0 (ConvTranspose2d)", "[N, 3, H, W]", "[2, 8, 4, 4]");
        var ef = assertThrows(ShapeException.class, () -> ConvOp.conv2d(Tensor.zeros(1, 4, 5, 5), Tensor.zeros(2, 3, 3, 3), null));
        assertMentions(ef, "conv2d", "[1, 4, 5, 5]", "[2, 3, 3, 3]");
    }

    @Test
    void dilatedKernelLargerThanPaddedInput() {
        Conv2d conv = inModel(new Conv2d(1, 2, 3).dilation(2).padding(1));
        // dilated kernel 5x5, padded input 4x6
        var e = assertThrows(ShapeException.class, () -> conv.forward(Tensor.zeros(1, 1, 2, 4)));
        assertMentions(e, "0 (Conv2d)", "5x5", "4x6", "[1, 1, 2, 4]");
        Conv1d c1 = inModel(new Conv1d(1, 2, 4));
        var e1 = assertThrows(ShapeException.class, () -> c1.forward(Tensor.zeros(1, 1, 3)));
        assertMentions(e1, "0 (Conv1d)", "at least 4", "got 3", "[1, 1, 3]");
        var ef = assertThrows(ShapeException.class, () -> ConvOp.conv2d(Tensor.zeros(1, 1, 2, 2), Tensor.zeros(1, 1, 3, 3), null));
        assertMentions(ef, "conv2d", "3x3", "2x2");
    }

    @Test
    void groupsMustDivideChannels() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(4, 6, 3, 3, true, new Rng(0)));
        assertMentions(e, "Conv2d", "groups=3", "in=4", "out=6");
        var e2 = assertThrows(IllegalArgumentException.class, () -> new Conv2d(6, 4, 3, 3, true, new Rng(0)));
        assertMentions(e2, "Conv2d", "groups=3", "in=6", "out=4");
        var e1 = assertThrows(IllegalArgumentException.class, () -> new Conv1d(3, 4, 3, 2, true, new Rng(0)));
        assertMentions(e1, "Conv1d", "groups=2");
        var et = assertThrows(IllegalArgumentException.class, () -> new ConvTranspose2d(4, 3, 3, 2, true, new Rng(0)));
        assertMentions(et, "ConvTranspose2d", "groups=2", "out=3");
        var ef = assertThrows(IllegalArgumentException.class,
                () -> ConvOp.conv2d(Tensor.zeros(1, 4, 5, 5), Tensor.zeros(3, 2, 3, 3), null, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 2));
        assertMentions(ef, "groups 2", "output channels 3");
    }

    @Test
    void samePaddingNeedsStrideOne() {
        Conv2d conv = inModel(new Conv2d(1, 2, 3));
        var e = assertThrows(IllegalArgumentException.class, () -> conv.stride(2).padding("same"));
        assertMentions(e, "0 (Conv2d)", "\"same\"", "stride 1x1", "2x2");
        Conv2d other = inModel(new Conv2d(1, 2, 3).padding("same"));
        var e2 = assertThrows(IllegalArgumentException.class, () -> other.stride(1, 2));
        assertMentions(e2, "0 (Conv2d)", "stride 1x1", "1x2");
        Conv1d c1 = inModel(new Conv1d(1, 2, 3).padding("same"));
        var e1 = assertThrows(IllegalArgumentException.class, () -> c1.stride(3));
        assertMentions(e1, "0 (Conv1d)", "stride 1", "got stride 3");
        var ef = assertThrows(IllegalArgumentException.class,
                () -> ConvOp.conv2d(Tensor.zeros(1, 1, 5, 5), Tensor.zeros(1, 1, 3, 3), null, new int[] {2, 2}, "same", new int[] {1, 1}, 1));
        assertMentions(ef, "conv2d", "stride 1", "[2, 2]");
    }

    @Test
    void transposedOutputPaddingAndSize() {
        ConvTranspose2d t = inModel(new ConvTranspose2d(1, 1, 3).outputPadding(1));
        var e = assertThrows(IllegalArgumentException.class, () -> t.forward(Tensor.zeros(1, 1, 4, 4)));
        assertMentions(e, "0 (ConvTranspose2d)", "output padding 1x1", "stride 1x1", "dilation 1x1");
        ConvTranspose2d small = inModel(new ConvTranspose2d(1, 1, 1).padding(1));
        var e2 = assertThrows(ShapeException.class, () -> small.forward(Tensor.zeros(1, 1, 1, 1)));
        assertMentions(e2, "0 (ConvTranspose2d)", "-1x-1", "[1, 1, 1, 1]");
    }

    // ------------------------------------------------------------------------------------------------ layers

    @Test
    void parametersFollowPyTorch() {
        Conv2d c = new Conv2d(4, 6, 3, 2, 2, true, new Rng(5));
        assertEquals(List.of("weight", "bias"), List.copyOf(c.namedParameters().keySet()));
        assertArrayEquals(new int[] {6, 2, 3, 2}, c.weight().shape());
        assertArrayEquals(new int[] {6}, c.bias().shape());
        // fan_in = 2·3·2 = 12: kaiming_uniform(a=√5) bound = 1/√12, bias bound = 1/√12
        double bound = 1 / Math.sqrt(12);
        assertWithin(c.weight(), bound);
        assertWithin(c.bias(), bound);
        ConvTranspose2d t = new ConvTranspose2d(4, 6, 3, 2, false, new Rng(5));
        assertArrayEquals(new int[] {4, 3, 3, 3}, t.weight().shape());
        assertEquals(List.of("weight"), List.copyOf(t.namedParameters().keySet()));
        assertWithin(t.weight(), 1 / Math.sqrt(27));
        Conv1d c1 = new Conv1d(3, 5, 4);
        assertArrayEquals(new int[] {5, 3, 4}, c1.weight().shape());
        assertWithin(c1.bias(), 1 / Math.sqrt(12));
        assertEquals("Conv2d(in=4, out=6, kernel=3x3, stride=1x1, padding=same, dilation=2x2, groups=2, bias=true)",
                new Conv2d(4, 6, 3, 2, true, new Rng(1)).dilation(2).padding("same").toString());
    }

    private static void assertWithin(Tensor t, double bound) {
        float[] v = t.toArray();
        double max = 0;
        for (float f : v) max = Math.max(max, Math.abs(f));
        assertTrue(max <= bound && max > 0.5 * bound, "max |value| " + max + " vs bound " + bound);
    }

    @Test
    void shapesOfCommonConfigurations() {
        Tensor x = Tensor.zeros(2, 3, 28, 28);
        assertArrayEquals(new int[] {2, 8, 28, 28}, new Conv2d(3, 8, 3).padding(1).forward(x).shape());
        assertArrayEquals(new int[] {2, 8, 14, 14}, new Conv2d(3, 8, 3).stride(2).padding(1).forward(x).shape());
        assertArrayEquals(new int[] {2, 8, 28, 28}, new Conv2d(3, 8, 4).padding("same").forward(x).shape());
        assertArrayEquals(new int[] {2, 4, 56, 56}, new ConvTranspose2d(3, 4, 3).stride(2).padding(1).outputPadding(1).forward(x).shape());
        assertArrayEquals(new int[] {2, 5, 7}, new Conv1d(3, 5, 3).forward(Tensor.zeros(2, 3, 9)).shape());
    }

    /** A strided view as input, and a batch of one (the GEMMs then parallelise themselves), give the same values. */
    @Test
    void nonContiguousInputAndSingleImage() {
        Rng rng = new Rng(4);
        Conv2d conv = new Conv2d(3, 4, 3, 1, true, rng).stride(2).padding(1);
        Tensor base = Tensor.randn(rng, 2, 6, 7, 3);
        Tensor view = base.permute(0, 3, 1, 2);
        Tensor copy = view.contiguous();
        assertArrayEquals(conv.forward(copy).toArray(), conv.forward(view).toArray());
        Tensor first = copy.narrow(0, 0, 1).contiguous();
        assertArrayEquals(conv.forward(copy).narrow(0, 0, 1).contiguous().toArray(), conv.forward(first).toArray(), 1e-6f);
        ConvTranspose2d t = new ConvTranspose2d(3, 2, 3, 1, true, rng).stride(2);
        assertArrayEquals(t.forward(copy).toArray(), t.forward(view).toArray());
    }

    // ------------------------------------------------------------------------------------------------ gradients

    @Test
    void finiteDifferences() {
        Rng rng = new Rng(11);
        Tensor x = Tensor.randn(rng, 2, 4, 5, 6), w = Tensor.randn(rng, 6, 2, 3, 2), b = Tensor.randn(rng, 6);
        GradCheck.Result r = GradCheck.check(t -> ConvOp.conv2d(t[0], t[1], t[2], new int[] {2, 1}, new int[] {1, 1}, new int[] {1, 2}, 2).tanh(),
                1e-2, x, w, b);
        assertTrue(r.passed(2e-2), "conv2d: " + r);
        Tensor xt = Tensor.randn(rng, 2, 4, 3, 3), wt = Tensor.randn(rng, 4, 1, 3, 3);
        GradCheck.Result rt = GradCheck.check(t -> ConvTranspose2dOp.convTranspose2d(t[0], t[1], null, new int[] {2, 2}, new int[] {1, 0},
                new int[] {1, 0}, new int[] {1, 1}, 2).tanh(), 1e-2, xt, wt);
        assertTrue(rt.passed(2e-2), "conv_transpose2d: " + rt);
    }

    @Test
    void deterministicRunToRunAndAcrossBatchSplits() {
        Rng rng = new Rng(2);
        Tensor x = Tensor.randn(rng, 7, 3, 9, 9);
        Conv2d conv = new Conv2d(3, 5, 3, 1, true, rng).padding(1);
        float[][] first = gradients(conv, x);
        float[][] second = gradients(conv, x);
        for (int i = 0; i < first.length; i++) assertArrayEquals(first[i], second[i]);
        int threads = Parallel.threads();
        try {
            Parallel.setThreads(1);
            float[][] single = gradients(conv, x);
            // forward and input gradient are per image: the same on any thread count; weight sums within 1e-5
            assertArrayEquals(first[0], single[0]);
            assertArrayEquals(first[1], single[1]);
            assertArrayEquals(first[2], single[2], 1e-4f);
        } finally {
            Parallel.setThreads(threads);
        }
    }

    private static float[][] gradients(Conv2d conv, Tensor x) {
        conv.zeroGrad();
        Tensor xi = x.detach().requiresGrad(true);
        Tensor y = conv.forward(xi);
        y.square().sum().backward();
        return new float[][] {y.toArray(), xi.grad().toArray(), conv.weight().grad().toArray(), conv.bias().grad().toArray()};
    }

    /**
     * A single image (fewer images than threads) takes the path where the threads share one image's im2col and
     * GEMM (or, for few column rows, its output planes): each image of a batch, run alone, gives the bits of its
     * row of the batched result, on 1 and 2 threads, across geometries (padding, stride, dilation, groups, 1x1,
     * the few-rows path) with and without bias.
     */
    @Test
    void singleImagesMatchTheirRowOfTheBatch() {
        int before = Parallel.threads();
        // c, oc, h, w, kernel, stride, pad, dilation, groups, bias
        int[][] cases = {{32, 64, 14, 14, 3, 1, 1, 1, 1, 1}, {1, 32, 28, 28, 3, 1, 1, 1, 1, 1}, {6, 4, 9, 11, 3, 2, 1, 1, 2, 0},
                {5, 7, 10, 8, 3, 1, 2, 2, 1, 1}, {8, 8, 6, 6, 1, 1, 0, 1, 1, 1}, {3, 6, 12, 12, 5, 1, 2, 1, 3, 0}};
        try {
            long seed = 40;
            for (int[] k : cases) {
                Rng rng = new Rng(seed++);
                Tensor x = Tensor.randn(rng, 3, k[0], k[2], k[3]);
                Tensor w = Tensor.randn(rng, k[1], k[0] / k[8], k[4], k[4]);
                Tensor b = k[9] == 1 ? Tensor.randn(rng, k[1]) : null;
                int[] st = {k[5], k[5]}, pad = {k[6], k[6]}, dil = {k[7], k[7]};
                for (int threads : new int[] {1, 2}) {
                    Parallel.setThreads(threads);
                    Tensor batch = ConvOp.conv2d(x, w, b, st, pad, dil, k[8]);
                    for (int i = 0; i < 3; i++) {
                        Tensor one = ConvOp.conv2d(x.narrow(0, i, 1), w, b, st, pad, dil, k[8]);
                        assertArrayEquals(batch.narrow(0, i, 1).contiguous().toArray(), one.toArray(),
                                java.util.Arrays.toString(k) + " image " + i + " on " + threads + " threads");
                    }
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }
}
