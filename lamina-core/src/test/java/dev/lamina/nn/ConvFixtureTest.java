package dev.lamina.nn;

import static dev.lamina.Fixtures.op;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.Fixtures;
import dev.lamina.nn.functional.ConvOp;
import dev.lamina.nn.functional.ConvTranspose2dOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Convolutions against PyTorch (tools/fixtures/make_conv_fixtures.py): the functional ops with in0 = input,
 * in1 = weight, in2 = bias (output and all three gradients), then the layers with PyTorch's parameters copied in.
 */
class ConvFixtureTest {
    private static final int[] ONE = {1, 1}, ZERO = {0, 0};

    private static Tensor bias(Fixtures.Case c) {
        return c.inputCount() > 2 ? c.in(2) : null;
    }

    private static int[] p(int a, int b) {
        return new int[] {a, b};
    }

    static Stream<Arguments> functional() {
        return Stream.of(
                op("conv_basic", c -> ConvOp.conv2d(c.in(0), c.in(1), bias(c))),
                op("conv_stride", c -> ConvOp.conv2d(c.in(0), c.in(1), bias(c), p(2, 3), ZERO, ONE, 1)),
                op("conv_padding", c -> ConvOp.conv2d(c.in(0), c.in(1), bias(c), ONE, p(1, 2), ONE, 1)),
                op("conv_padding_stride", c -> ConvOp.conv2d(c.in(0), c.in(1), bias(c), p(2, 2), p(1, 1), ONE, 1)),
                op("conv_same_odd", c -> ConvOp.conv2d(c.in(0), c.in(1), bias(c), ONE, "same", ONE, 1)),
                op("conv_same_even", c -> ConvOp.conv2d(c.in(0), c.in(1), bias(c), ONE, "same", ONE, 1)),
                op("conv_same_even_dilated", c -> ConvOp.conv2d(c.in(0), c.in(1), bias(c), ONE, "same", p(3, 1), 1)),
                op("conv_dilation", c -> ConvOp.conv2d(c.in(0), c.in(1), bias(c), ONE, p(1, 1), p(2, 3), 1)),
                op("conv_groups2", c -> ConvOp.conv2d(c.in(0), c.in(1), bias(c), ONE, p(1, 1), ONE, 2)),
                op("conv_depthwise", c -> ConvOp.conv2d(c.in(0), c.in(1), bias(c), ONE, p(1, 1), ONE, 3)),
                op("conv_nobias", c -> ConvOp.conv2d(c.in(0), c.in(1), null, ONE, p(1, 1), ONE, 1)),
                op("conv_1x1", c -> ConvOp.conv2d(c.in(0), c.in(1), bias(c))),
                op("conv_1x1_groups", c -> ConvOp.conv2d(c.in(0), c.in(1), null, ONE, ZERO, ONE, 2)),
                op("conv_combo", c -> ConvOp.conv2d(c.in(0), c.in(1), bias(c), p(2, 1), p(1, 2), p(2, 1), 2)),
                op("conv_batch5", c -> ConvOp.conv2d(c.in(0), c.in(1), bias(c), ONE, p(1, 1), ONE, 1)),
                op("conv_1d_basic", c -> ConvOp.conv1d(c.in(0), c.in(1), bias(c), 2, 1, 1, 1)),
                op("conv_1d_same_even", c -> ConvOp.conv1d(c.in(0), c.in(1), bias(c), 1, "same", 2, 1)),
                op("conv_1d_groups_dilated", c -> ConvOp.conv1d(c.in(0), c.in(1), null, 1, 0, 2, 3)),
                op("conv_t_basic", c -> ConvTranspose2dOp.convTranspose2d(c.in(0), c.in(1), bias(c), ONE, ZERO, ZERO, ONE, 1)),
                op("conv_t_stride2_pad_outpad", c -> ConvTranspose2dOp.convTranspose2d(c.in(0), c.in(1), bias(c), p(2, 2), p(1, 1), p(1, 1), ONE, 1)),
                op("conv_t_groups", c -> ConvTranspose2dOp.convTranspose2d(c.in(0), c.in(1), bias(c), p(2, 1), p(1, 0), ZERO, p(1, 2), 2)),
                op("conv_t_dilation_outpad", c -> ConvTranspose2dOp.convTranspose2d(c.in(0), c.in(1), bias(c), ONE, ZERO, p(1, 1), p(2, 2), 1)),
                op("conv_t_asym", c -> ConvTranspose2dOp.convTranspose2d(c.in(0), c.in(1), bias(c), p(3, 2), p(0, 1), p(2, 1), ONE, 1)),
                op("conv_t_1x1_nobias", c -> ConvTranspose2dOp.convTranspose2d(c.in(0), c.in(1), null, ONE, ZERO, ZERO, ONE, 1)));
    }

    @ParameterizedTest
    @MethodSource("functional")
    void functionalMatchesPyTorch(String fixture, Fixtures.Op op) {
        Fixtures.checkOp(fixture, op);
    }

    private static Arguments layer(String fixture, Supplier<Module> factory) {
        return Arguments.argumentSet(fixture, fixture, factory);
    }

    static Stream<Arguments> layers() {
        Rng r = new Rng(3);
        return Stream.of(
                layer("conv_basic", () -> new Conv2d(3, 4, 3)),
                layer("conv_stride", () -> new Conv2d(3, 4, 3, 2, 1, true, r).stride(2, 3)),
                layer("conv_padding", () -> new Conv2d(3, 4, 3).padding(1, 2)),
                layer("conv_same_odd", () -> new Conv2d(3, 4, 3, 5, 1, true, r).padding("same")),
                layer("conv_same_even", () -> new Conv2d(3, 4, 4, 2, 1, true, r).padding("same")),
                layer("conv_same_even_dilated", () -> new Conv2d(2, 3, 2, 4, 1, true, r).dilation(3, 1).padding("same")),
                layer("conv_dilation", () -> new Conv2d(3, 4, 3).padding(1).dilation(2, 3)),
                layer("conv_groups2", () -> new Conv2d(4, 6, 3, 2, true, r).padding(1)),
                layer("conv_depthwise", () -> new Conv2d(3, 6, 3, 3, true, r).padding(1)),
                layer("conv_nobias", () -> new Conv2d(3, 4, 3, 1, false, r).padding(1)),
                layer("conv_combo", () -> new Conv2d(4, 6, 3, 2, 2, true, r).stride(2, 1).padding(1, 2).dilation(2, 1)),
                layer("conv_1d_basic", () -> new Conv1d(3, 4, 3).stride(2).padding(1)),
                layer("conv_1d_same_even", () -> new Conv1d(3, 4, 4).dilation(2).padding("same")),
                layer("conv_1d_groups_dilated", () -> new Conv1d(3, 6, 3, 3, false, r).dilation(2)),
                layer("conv_t_basic", () -> new ConvTranspose2d(3, 4, 3)),
                layer("conv_t_stride2_pad_outpad", () -> new ConvTranspose2d(3, 2, 3).stride(2).padding(1).outputPadding(1)),
                layer("conv_t_groups", () -> new ConvTranspose2d(4, 6, 3, 2, true, r).stride(2, 1).padding(1, 0).dilation(1, 2)),
                layer("conv_t_asym", () -> new ConvTranspose2d(2, 3, 2, 3, 1, true, r).stride(3, 2).padding(0, 1).outputPadding(2, 1)),
                layer("conv_t_1x1_nobias", () -> new ConvTranspose2d(4, 3, 1, 1, false, r)));
    }

    /** The layer with PyTorch's weight (and bias) copied in: output, input gradient, weight and bias gradients. */
    @ParameterizedTest
    @MethodSource("layers")
    void layerMatchesPyTorch(String fixture, Supplier<Module> factory) {
        checkLayer(fixture, factory.get());
    }

    /** Copies in1 (and in2) into the layer's weight (and bias), runs in0 and compares out, gin0, gin1 (and gin2). */
    static void checkLayer(String fixture, Module layer) {
        Map<String, Tensor> params = layer.namedParameters();
        boolean hasBias = Fixtures.has(fixture, "in2");
        assertEquals(hasBias ? 2 : 1, params.size());
        params.get("weight").copyFrom_(Fixtures.tensor(fixture, "in1"));
        if (hasBias) params.get("bias").copyFrom_(Fixtures.tensor(fixture, "in2"));
        Tensor x = Fixtures.tensor(fixture, "in0").requiresGrad(true);
        Tensor out = layer.forward(x);
        Fixtures.assertMatches(fixture, "out", out);
        out.backward(Fixtures.tensor(fixture, "gout"));
        Fixtures.assertMatches(fixture, "gin0", x.grad());
        Fixtures.assertMatches(fixture, "gin1", params.get("weight").grad());
        if (hasBias) Fixtures.assertMatches(fixture, "gin2", params.get("bias").grad());
    }
}
