package dev.lamina.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.nn.functional.AdaptivePool1dOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

/**
 * {@link ConvTranspose1d}, {@link AdaptiveAvgPool1d}, {@link AdaptiveMaxPool1d}: parameters and initialisation,
 * unbatched input, the adaptive bin rule on hand-computed values, and errors that name the layer and the shapes.
 * (Values and gradients against PyTorch: {@link Layers1dFixtureTest}.)
 */
class Layers1dTest {

    /** Puts the layer at path "0" of a model, so its errors read "0 (ConvTranspose1d)". */
    private static <M extends Module> M inModel(M layer) {
        new Sequential(layer);
        return layer;
    }

    private static void assertMentions(Exception e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
    }

    private static void assertWithin(Tensor t, double bound) {
        double max = 0;
        for (float f : t.toArray()) max = Math.max(max, Math.abs(f));
        assertTrue(max <= bound && max > 0.5 * bound, "max |value| " + max + " vs bound " + bound);
    }

    // ------------------------------------------------------------------------------------------------ ConvTranspose1d

    @Test
    void convTransposeParametersFollowPyTorch() {
        ConvTranspose1d t = new ConvTranspose1d(4, 6, 5, 2, true, new Rng(5));
        assertEquals(List.of("weight", "bias"), List.copyOf(t.namedParameters().keySet()));
        assertArrayEquals(new int[] {4, 3, 5}, t.weight().shape());
        assertArrayEquals(new int[] {6}, t.bias().shape());
        // PyTorch's fan_in of a transposed weight [in, out/groups, k] is out/groups·k = 15: both bounds 1/√15
        assertWithin(t.weight(), 1 / Math.sqrt(15));
        assertWithin(t.bias(), 1 / Math.sqrt(15));
        ConvTranspose1d noBias = new ConvTranspose1d(3, 2, 4, 1, false, new Rng(1));
        assertEquals(List.of("weight"), List.copyOf(noBias.namedParameters().keySet()));
        assertEquals(null, noBias.bias());
        assertEquals("ConvTranspose1d(in=4, out=6, kernel=5, stride=3, padding=1, output_padding=2, dilation=2, groups=2, bias=true)",
                t.stride(3).padding(1).outputPadding(2).dilation(2).toString());
    }

    @Test
    void convTransposeOutputLengths() {
        Tensor x = Tensor.zeros(2, 3, 10);
        assertArrayEquals(new int[] {2, 4, 20}, new ConvTranspose1d(3, 4, 4).stride(2).padding(1).forward(x).shape());
        assertArrayEquals(new int[] {2, 4, 20}, new ConvTranspose1d(3, 4, 3).stride(2).padding(1).outputPadding(1).forward(x).shape());
        // (10−1)·3 − 2·2 + 2·(5−1) + 1 + 1 = 33
        assertArrayEquals(new int[] {2, 6, 33}, new ConvTranspose1d(3, 6, 5, 3, true, new Rng(0)).stride(3).padding(2).dilation(2).outputPadding(1).forward(x).shape());
        assertArrayEquals(new int[] {4, 12}, new ConvTranspose1d(3, 4, 3).forward(Tensor.zeros(3, 10)).shape());
    }

    /** [C, L] gives the values and gradients of the same row run as a batch of one. */
    @Test
    void convTransposeUnbatchedEqualsBatchOfOne() {
        Rng rng = new Rng(9);
        ConvTranspose1d t = new ConvTranspose1d(3, 4, 3, 1, true, rng).stride(2).padding(1).outputPadding(1);
        Tensor x = Tensor.randn(rng, 3, 7).requiresGrad(true);
        Tensor xb = x.detach().reshape(1, 3, 7).requiresGrad(true);
        Tensor g = Tensor.randn(rng, 4, 14);
        Tensor y = t.forward(x);
        y.backward(g);
        float[] gw = t.weight().grad().toArray(), gb = t.bias().grad().toArray();
        t.zeroGrad();
        Tensor yb = t.forward(xb);
        yb.backward(g.reshape(1, 4, 14));
        assertArrayEquals(new int[] {4, 14}, y.shape());
        assertArrayEquals(yb.toArray(), y.toArray());
        assertArrayEquals(xb.grad().toArray(), x.grad().toArray());
        assertArrayEquals(t.weight().grad().toArray(), gw);
        assertArrayEquals(t.bias().grad().toArray(), gb);
    }

    @Test
    void convTransposeWrongRank() {
        ConvTranspose1d t = inModel(new ConvTranspose1d(3, 8, 3));
        var e4 = assertThrows(ShapeException.class, () -> t.forward(Tensor.zeros(2, 3, 4, 5)));
        assertMentions(e4, "0 (ConvTranspose1d)", "[N, 3, L] or [3, L]", "[2, 3, 4, 5]");
        var e1 = assertThrows(ShapeException.class, () -> t.forward(Tensor.zeros(3)));
        assertMentions(e1, "0 (ConvTranspose1d)", "[N, 3, L] or [3, L]", "got [3]");
    }

    @Test
    void convTransposeWrongChannels() {
        ConvTranspose1d t = inModel(new ConvTranspose1d(3, 8, 3));
        var e = assertThrows(ShapeException.class, () -> t.forward(Tensor.zeros(2, 8, 10)));
        assertMentions(e, "0 (ConvTranspose1d)", "[N, 3, L]", "[2, 8, 10]");
        var eu = assertThrows(ShapeException.class, () -> t.forward(Tensor.zeros(5, 10)));
        assertMentions(eu, "0 (ConvTranspose1d)", "[3, L]", "[5, 10]");
    }

    @Test
    void convTransposeEmptyInputAndNonPositiveOutput() {
        ConvTranspose1d t = inModel(new ConvTranspose1d(1, 1, 3));
        assertMentions(assertThrows(ShapeException.class, () -> t.forward(Tensor.zeros(2, 1, 0))), "0 (ConvTranspose1d)", "L >= 1", "[2, 1, 0]");
        // (1−1)·1 − 2·2 + 2 + 1 = −1
        ConvTranspose1d padded = inModel(new ConvTranspose1d(1, 1, 3).padding(2));
        assertMentions(assertThrows(ShapeException.class, () -> padded.forward(Tensor.zeros(1, 1, 1))),
                "0 (ConvTranspose1d)", "got -1", "[1, 1, 1]", "padding 2");
    }

    @Test
    void convTransposeOutputPaddingNotBelowStrideAndDilation() {
        ConvTranspose1d t = inModel(new ConvTranspose1d(2, 2, 3).stride(2).outputPadding(2));
        var e = assertThrows(IllegalArgumentException.class, () -> t.forward(Tensor.zeros(1, 2, 4)));
        assertMentions(e, "0 (ConvTranspose1d)", "output padding 2", "stride 2", "dilation 1", "[1, 2, 4]");
        // smaller than the dilation is enough, as in PyTorch: (4−1)·2 + 3·(3−1) + 2 + 1 = 15
        assertArrayEquals(new int[] {1, 2, 15}, new ConvTranspose1d(2, 2, 3).stride(2).dilation(3).outputPadding(2).forward(Tensor.zeros(1, 2, 4)).shape());
    }

    @Test
    void convTransposeBadConfiguration() {
        var eo = assertThrows(IllegalArgumentException.class, () -> new ConvTranspose1d(4, 3, 3, 2, true, new Rng(0)));
        assertMentions(eo, "ConvTranspose1d", "groups=2", "in=4", "out=3");
        var ei = assertThrows(IllegalArgumentException.class, () -> new ConvTranspose1d(3, 4, 3, 2, true, new Rng(0)));
        assertMentions(ei, "ConvTranspose1d", "groups=2", "in=3", "out=4");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new ConvTranspose1d(3, 4, 0)), "ConvTranspose1d", "kernel=0");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new ConvTranspose1d(3, 4, 3).stride(0)), "ConvTranspose1d", "stride", "got 0");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new ConvTranspose1d(3, 4, 3).padding(-1)), "ConvTranspose1d", "padding", "got -1");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new ConvTranspose1d(3, 4, 3).outputPadding(-1)), "ConvTranspose1d", "output padding", "got -1");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new ConvTranspose1d(3, 4, 3).dilation(0)), "ConvTranspose1d", "dilation", "got 0");
    }

    // ------------------------------------------------------------------------------------------------ adaptive pools

    private static Tensor row(float... v) {
        return Tensor.of(v, 1, 1, v.length);
    }

    /** L = 5, out = 3: bins [0, 2), [1, 4), [3, 5) (floor(i·5/3), ceil((i+1)·5/3)), overlapping at 1 and 3. */
    @Test
    void binsOverlapWhenSizesDoNotDivide() {
        Tensor x = row(0, 1, 2, 3, 4);
        assertArrayEquals(new float[] {0.5f, 2f, 3.5f}, new AdaptiveAvgPool1d(3).forward(x).toArray());
        assertArrayEquals(new float[] {1f, 3f, 4f}, new AdaptiveMaxPool1d(3).forward(x).toArray());
    }

    /** L = 2, out = 3: bins [0, 1), [0, 2), [1, 2); the max of two bins collects both gradients. */
    @Test
    void moreOutputsThanInputsRepeatInputs() {
        Tensor x = row(5, 1).requiresGrad(true);
        Tensor y = new AdaptiveMaxPool1d(3).forward(x);
        assertArrayEquals(new float[] {5f, 5f, 1f}, y.toArray());
        y.backward(Tensor.of(new float[] {1f, 10f, 100f}, 1, 1, 3));
        assertArrayEquals(new float[] {11f, 100f}, x.grad().toArray());
        Tensor xa = row(5, 1).requiresGrad(true);
        Tensor ya = new AdaptiveAvgPool1d(3).forward(xa);
        assertArrayEquals(new float[] {5f, 3f, 1f}, ya.toArray());
        ya.backward(Tensor.of(new float[] {1f, 10f, 100f}, 1, 1, 3));
        assertArrayEquals(new float[] {6f, 105f}, xa.grad().toArray());
    }

    @Test
    void maxTakesTheFirstMaximumAndPropagatesNaN() {
        Tensor x = row(2, 7, 7, 1).requiresGrad(true);
        new AdaptiveMaxPool1d(1).forward(x).backward(Tensor.of(new float[] {1f}, 1, 1, 1));
        assertArrayEquals(new float[] {0f, 1f, 0f, 0f}, x.grad().toArray());
        assertTrue(Float.isNaN(new AdaptiveMaxPool1d(2).forward(row(1, Float.NaN, 3, 4)).toArray()[0]));
    }

    @Test
    void adaptiveShapesAndNonContiguousInput() {
        Rng rng = new Rng(3);
        Tensor view = Tensor.randn(rng, 9, 4).transpose(0, 1); // [4, 9], not contiguous
        Tensor copy = view.contiguous();
        for (Supplier<Module> f : List.<Supplier<Module>>of(() -> new AdaptiveAvgPool1d(4), () -> new AdaptiveMaxPool1d(4))) {
            Module m = f.get();
            assertArrayEquals(new int[] {4, 4}, m.forward(view).shape());
            assertArrayEquals(m.forward(copy).toArray(), m.forward(view).toArray());
            assertArrayEquals(new int[] {2, 4, 4}, m.forward(Tensor.randn(rng, 2, 4, 9)).shape());
        }
        assertEquals("AdaptiveMaxPool1d(output_size=5)", new AdaptiveMaxPool1d(5).toString());
        assertEquals(5, new AdaptiveAvgPool1d(5).outputSize());
    }

    @Test
    void adaptiveErrorsNameLayerAndShapes() {
        AdaptiveAvgPool1d avg = inModel(new AdaptiveAvgPool1d(3));
        AdaptiveMaxPool1d max = inModel(new AdaptiveMaxPool1d(3));
        assertMentions(assertThrows(ShapeException.class, () -> avg.forward(Tensor.zeros(8))), "0 (AdaptiveAvgPool1d)", "[N, C, L] or [C, L]", "got [8]");
        assertMentions(assertThrows(ShapeException.class, () -> max.forward(Tensor.zeros(1, 2, 3, 4))), "0 (AdaptiveMaxPool1d)", "[N, C, L] or [C, L]", "got [1, 2, 3, 4]");
        assertMentions(assertThrows(ShapeException.class, () -> avg.forward(Tensor.zeros(1, 2, 0))), "0 (AdaptiveAvgPool1d)", "L >= 1", "got [1, 2, 0]");
        assertMentions(assertThrows(ShapeException.class, () -> max.forward(Tensor.zeros(0, 4))), "0 (AdaptiveMaxPool1d)", "C >= 1", "got [0, 4]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new AdaptiveAvgPool1d(0)), "AdaptiveAvgPool1d", "output size", "got 0");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new AdaptiveMaxPool1d(-2)), "AdaptiveMaxPool1d", "output size", "got -2");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> AdaptivePool1dOp.adaptiveMaxPool1d(Tensor.zeros(1, 2, 3), 0)),
                "adaptive_max_pool1d", "output size", "got 0");
        assertMentions(assertThrows(ShapeException.class, () -> AdaptivePool1dOp.adaptiveAvgPool1d(Tensor.zeros(2), 2)), "adaptive_avg_pool1d", "got [2]");
    }
}
