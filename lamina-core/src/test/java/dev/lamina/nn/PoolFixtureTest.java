package dev.lamina.nn;

import static dev.lamina.Fixtures.op;

import dev.lamina.Fixtures;
import dev.lamina.nn.functional.PoolOps;
import dev.lamina.tensor.Tensor;

import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pooling layers against PyTorch (tools/fixtures/make_pool_fixtures.py, cases pool_*): output, input gradient
 * and, for max pools, PyTorch's indices.
 */
class PoolFixtureTest {

    /** Runs the layer's forward with indices, checks them against idx.npy, and returns the output. */
    private static Fixtures.Op withIndices(Function<Tensor, PoolOps.WithIndices> f) {
        return c -> {
            PoolOps.WithIndices r = f.apply(c.in(0));
            c.expect("idx", r.indices());
            return r.output();
        };
    }

    private static Arguments max2d(String fixture, MaxPool2d layer) {
        return op(fixture, withIndices(layer::forwardWithIndices));
    }

    private static Arguments max1d(String fixture, MaxPool1d layer) {
        return op(fixture, withIndices(layer::forwardWithIndices));
    }

    private static Arguments adaptiveMax(String fixture, AdaptiveMaxPool2d layer) {
        return op(fixture, withIndices(layer::forwardWithIndices));
    }

    private static Arguments layer(String fixture, Module m) {
        return op(fixture, c -> m.forward(c.in(0)));
    }

    static Stream<Arguments> maxCases() {
        return Stream.of(
                max2d("pool_max2d_k2", new MaxPool2d(2)),
                max2d("pool_max2d_k2_odd", new MaxPool2d(2)),
                max2d("pool_max2d_k3s2p1", new MaxPool2d(3, 2, 1)),
                max2d("pool_max2d_k3s1", new MaxPool2d(3, 1)),
                max2d("pool_max2d_rect", new MaxPool2d(new int[] {2, 3}, new int[] {1, 2}, new int[] {1, 1}, null, false)),
                max2d("pool_max2d_dil", new MaxPool2d(new int[] {3}, new int[] {1}, new int[] {1}, new int[] {2}, false)),
                max2d("pool_max2d_ceil", new MaxPool2d(new int[] {3}, new int[] {2}, null, null, true)),
                max2d("pool_max2d_ceil_pad", new MaxPool2d(new int[] {2}, new int[] {2}, new int[] {1}, null, true)),
                max2d("pool_max2d_ties", new MaxPool2d(3, 1, 1)),
                max2d("pool_max2d_k2_ties", new MaxPool2d(2)),
                max2d("pool_max2d_unbatched", new MaxPool2d(2, 1)),
                max1d("pool_max1d", new MaxPool1d(3, 2, 1)),
                max1d("pool_max1d_k2", new MaxPool1d(2)),
                max1d("pool_max1d_overlap", new MaxPool1d(4, 1, 2, 2, false)),
                max1d("pool_max1d_ceil", new MaxPool1d(3, 2, 0, 1, true)));
    }

    static Stream<Arguments> avgCases() {
        return Stream.of(
                layer("pool_avg2d_k2", new AvgPool2d(2)),
                layer("pool_avg2d_k3s1", new AvgPool2d(3, 1)),
                layer("pool_avg2d_pad_incl", new AvgPool2d(3, 2, 1)),
                layer("pool_avg2d_pad_excl", new AvgPool2d(new int[] {3}, new int[] {2}, new int[] {1}, false, false)),
                layer("pool_avg2d_rect", new AvgPool2d(new int[] {2, 3}, new int[] {1, 2}, new int[] {1, 1}, false, false)),
                layer("pool_avg2d_ceil_incl", new AvgPool2d(new int[] {3}, new int[] {2}, new int[] {1}, true, true)),
                layer("pool_avg2d_ceil_excl", new AvgPool2d(new int[] {3}, new int[] {2}, new int[] {1}, true, false)),
                layer("pool_avg2d_ceil_nopad", new AvgPool2d(new int[] {2}, null, null, true, true)),
                layer("pool_avg2d_unbatched", new AvgPool2d(3)),
                layer("pool_avg1d", new AvgPool1d(3, 2)),
                layer("pool_avg1d_pad_incl", new AvgPool1d(4, 2, 2, false, true)),
                layer("pool_avg1d_pad_excl", new AvgPool1d(4, 2, 2, false, false)),
                layer("pool_avg1d_ceil", new AvgPool1d(3, 2, 1, true, false)));
    }

    static Stream<Arguments> adaptiveAndGlobalCases() {
        return Stream.of(
                layer("pool_adaptive_avg_7to3", new AdaptiveAvgPool2d(3)),
                layer("pool_adaptive_avg_10x7to4x3", new AdaptiveAvgPool2d(4, 3)),
                layer("pool_adaptive_avg_up", new AdaptiveAvgPool2d(5, 6)),
                layer("pool_adaptive_avg_1", new AdaptiveAvgPool2d(1)),
                adaptiveMax("pool_adaptive_max_7to3", new AdaptiveMaxPool2d(3)),
                adaptiveMax("pool_adaptive_max_10x7to4x3", new AdaptiveMaxPool2d(4, 3)),
                adaptiveMax("pool_adaptive_max_up", new AdaptiveMaxPool2d(5, 6)),
                adaptiveMax("pool_adaptive_max_ties", new AdaptiveMaxPool2d(3)),
                layer("pool_global_avg", new GlobalAvgPool()),
                layer("pool_global_avg_keep", new GlobalAvgPool(true)),
                layer("pool_global_avg_1d", new GlobalAvgPool()),
                layer("pool_global_max", new GlobalMaxPool()),
                layer("pool_global_max_keep", new GlobalMaxPool(true)),
                layer("pool_global_max_ties", new GlobalMaxPool(true)));
    }

    @ParameterizedTest
    @MethodSource("maxCases")
    void maxPool(String fixture, Fixtures.Op op) {
        Fixtures.checkOp(fixture, op);
    }

    @ParameterizedTest
    @MethodSource("avgCases")
    void avgPool(String fixture, Fixtures.Op op) {
        Fixtures.checkOp(fixture, op);
    }

    @ParameterizedTest
    @MethodSource("adaptiveAndGlobalCases")
    void adaptiveAndGlobalPool(String fixture, Fixtures.Op op) {
        Fixtures.checkOp(fixture, op);
    }

    /** The functional entry points agree with the layers (one case each), including a non-contiguous input. */
    static Stream<Arguments> functionalCases() {
        return Stream.of(
                op("pool_max2d_k3s2p1", c -> PoolOps.maxPool2d(c.in(0), 3, 2, 1)),
                op("pool_max1d", c -> PoolOps.maxPool1d(c.in(0), 3, 2, 1)),
                op("pool_avg2d_pad_incl", c -> PoolOps.avgPool2d(c.in(0), 3, 2, 1)),
                op("pool_avg1d", c -> PoolOps.avgPool1d(c.in(0), 3, 2, 0)),
                op("pool_adaptive_avg_7to3", c -> PoolOps.adaptiveAvgPool2d(c.in(0).transpose(2, 3).transpose(2, 3).mul(1f), 3, 3)),
                op("pool_adaptive_max_7to3", c -> PoolOps.adaptiveMaxPool2d(c.in(0), 3, 3)),
                op("pool_global_avg", c -> PoolOps.globalAvgPool(c.in(0), false)),
                // a transposed view in, transposed back: exercises the contiguous() copy on the tape
                op("pool_global_max_keep", c -> PoolOps.globalMaxPool(c.in(0).transpose(2, 3).contiguous().transpose(2, 3), true)),
                op("pool_max2d_k2", c -> PoolOps.maxPool2d(c.in(0).transpose(0, 1).transpose(0, 1), 2, 2, 0)));
    }

    @ParameterizedTest
    @MethodSource("functionalCases")
    void functional(String fixture, Fixtures.Op op) {
        Fixtures.checkOp(fixture, op);
    }
}
