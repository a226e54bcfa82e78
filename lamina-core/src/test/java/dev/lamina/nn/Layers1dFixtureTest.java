package dev.lamina.nn;

import static dev.lamina.Fixtures.op;

import dev.lamina.Fixtures;
import dev.lamina.nn.functional.AdaptivePool1dOp;
import dev.lamina.tensor.Rng;

import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ConvTranspose1d}, {@link AdaptiveAvgPool1d} and {@link AdaptiveMaxPool1d} against PyTorch
 * (tools/fixtures/make_conv1t_fixtures.py, cases conv1t_*): output and every gradient (input, weight, bias).
 */
class Layers1dFixtureTest {

    private static Arguments layer(String fixture, Supplier<Module> factory) {
        return Arguments.argumentSet(fixture, fixture, factory);
    }

    static Stream<Arguments> convTranspose() {
        Rng r = new Rng(7);
        return Stream.of(
                layer("conv1t_basic", () -> new ConvTranspose1d(3, 4, 3)),
                layer("conv1t_stride2_pad_outpad", () -> new ConvTranspose1d(3, 2, 3).stride(2).padding(1).outputPadding(1)),
                layer("conv1t_dilation_outpad", () -> new ConvTranspose1d(2, 3, 3).dilation(2).outputPadding(1)),
                layer("conv1t_groups_combo", () -> new ConvTranspose1d(4, 6, 3, 2, true, r).stride(3).padding(2).dilation(2).outputPadding(2)),
                layer("conv1t_depthwise_nobias", () -> new ConvTranspose1d(3, 3, 4, 3, false, r).stride(2)),
                layer("conv1t_k1_nobias", () -> new ConvTranspose1d(4, 3, 1, 1, false, r)),
                layer("conv1t_bigpad", () -> new ConvTranspose1d(2, 2, 3).padding(3)),
                layer("conv1t_unbatched", () -> new ConvTranspose1d(3, 2, 2).stride(2).padding(1).outputPadding(1)));
    }

    /** The layer with PyTorch's weight (and bias) copied in: output, input gradient, weight and bias gradients. */
    @ParameterizedTest
    @MethodSource("convTranspose")
    void convTransposeMatchesPyTorch(String fixture, Supplier<Module> factory) {
        ConvFixtureTest.checkLayer(fixture, factory.get());
    }

    static Stream<Arguments> adaptiveLayers() {
        return Stream.of(
                op("conv1t_aavg_divides", c -> new AdaptiveAvgPool1d(4).forward(c.in(0))),
                op("conv1t_aavg_uneven", c -> new AdaptiveAvgPool1d(4).forward(c.in(0))),
                op("conv1t_aavg_out_gt_len", c -> new AdaptiveAvgPool1d(8).forward(c.in(0))),
                op("conv1t_aavg_one", c -> new AdaptiveAvgPool1d(1).forward(c.in(0))),
                op("conv1t_aavg_unbatched", c -> new AdaptiveAvgPool1d(3).forward(c.in(0))),
                op("conv1t_amax_divides", c -> new AdaptiveMaxPool1d(4).forward(c.in(0))),
                op("conv1t_amax_uneven", c -> new AdaptiveMaxPool1d(3).forward(c.in(0))),
                op("conv1t_amax_out_gt_len", c -> new AdaptiveMaxPool1d(7).forward(c.in(0))),
                op("conv1t_amax_same_len", c -> new AdaptiveMaxPool1d(6).forward(c.in(0))),
                op("conv1t_amax_unbatched", c -> new AdaptiveMaxPool1d(4).forward(c.in(0))));
    }

    /** Output and input gradient of the layers (the max pools' gradient goes through the cached arg-max). */
    @ParameterizedTest
    @MethodSource("adaptiveLayers")
    void adaptiveLayersMatchPyTorch(String fixture, Fixtures.Op op) {
        Fixtures.checkOp(fixture, op);
    }

    static Stream<Arguments> adaptiveFunctional() {
        return Stream.of(
                op("conv1t_aavg_uneven", c -> AdaptivePool1dOp.adaptiveAvgPool1d(c.in(0), 4)),
                op("conv1t_aavg_unbatched", c -> AdaptivePool1dOp.adaptiveAvgPool1d(c.in(0), 3)),
                op("conv1t_amax_out_gt_len", c -> AdaptivePool1dOp.adaptiveMaxPool1d(c.in(0), 7)),
                op("conv1t_amax_unbatched", c -> AdaptivePool1dOp.adaptiveMaxPool1d(c.in(0), 4)));
    }

    @ParameterizedTest
    @MethodSource("adaptiveFunctional")
    void adaptiveFunctionalMatchesPyTorch(String fixture, Fixtures.Op op) {
        Fixtures.checkOp(fixture, op);
    }
}
