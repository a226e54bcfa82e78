package dev.lamina.fusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.autograd.Autograd;
import dev.lamina.nn.BatchNorm2d;
import dev.lamina.nn.Conv2d;
import dev.lamina.nn.MaxPool2d;
import dev.lamina.nn.Module;
import dev.lamina.nn.ReLU;
import dev.lamina.nn.ReLU6;
import dev.lamina.nn.Sequential;
import dev.lamina.nn.Sigmoid;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * The one fusion table and {@code Sequential}'s reading of it: which runs fuse (exact rules only, inference-only
 * rules never), that withdrawing a rule stops the fusion, and that a fused forward gives the layers' own bits on
 * random shapes (odd sizes, stride, dilation, groups, padding), in eval and in training.
 */
class FusionRulesTest {

    @Test
    void theDefaultTableAndItsScopes() {
        FusionRules d = FusionRules.defaults();
        assertEquals(List.of("batch_norm_relu_max_pool", "conv_batch_norm", "conv_residual_add", "conv_relu", "conv_clip", "conv_sigmoid",
                "conv_silu", "conv_hardswish"), d.rules().stream().map(FusionRule::name).toList());
        assertSame(d, FusionRules.current());
        FusionRules less = d.without("conv_relu");
        assertFalse(less.has(FusionRules.CONV_RELU));
        assertNull(less.convolutionEpilogue(OpKind.RELU));
        assertSame(FusionRules.CONV_CLIP, less.convolutionEpilogue(OpKind.CLIP));
        assertSame(less, less.use(FusionRules::current));
        assertSame(d, FusionRules.current(), "the scope ends with use");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.without("conv_gelu"));
        assertTrue(e.getMessage().contains("conv_gelu") && e.getMessage().contains("conv_relu"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FusionRule("x", List.of(OpKind.RELU), true, false, ""));
    }

    @Test
    void matchingSkipsInexactAndInferenceOnlyRulesWhenAsked() {
        List<OpKind> kinds = List.of(OpKind.CONVOLUTION, OpKind.BATCH_NORM, OpKind.RELU, OpKind.MAX_POOL);
        FusionRules d = FusionRules.defaults();
        assertSame(FusionRules.CONV_BATCH_NORM, d.matchAt(kinds, 0, false, true));
        assertNull(d.matchAt(kinds, 0, true, false));
        assertSame(FusionRules.BATCH_NORM_RELU_MAX_POOL, d.matchAt(kinds, 1, true, false));
        assertNull(d.matchAt(kinds, 2, true, false));
        assertNull(d.matchAt(List.of(OpKind.CONVOLUTION, OpKind.SIGMOID), 0, true, false), "σ epilogues round differently");
        assertSame(FusionRules.CONV_SIGMOID, d.matchAt(List.of(OpKind.CONVOLUTION, OpKind.SIGMOID), 0, false, true));
    }

    private static Sequential network(Rng rng) {
        return new Sequential(
                new Conv2d(3, 6, 3, 3, 1, true, rng).stride(2).padding(1), new ReLU(),
                new Conv2d(6, 8, 3, 3, 2, true, rng).padding(2).dilation(2), new BatchNorm2d(8), new ReLU(), new MaxPool2d(2),
                new Conv2d(8, 5, 1, 1, 1, false, rng), new ReLU6(), new Sigmoid());
    }

    @Test
    void sequentialFusesWhatTheTableSaysAndNothingElse() {
        Sequential net = network(new Rng(1));
        assertEquals(List.of("conv_relu(0-1)", "batch_norm_relu_max_pool(3-5)", "conv_clip(6-7)"), net.fusionPlan());
        assertEquals(List.of("batch_norm_relu_max_pool(3-5)", "conv_clip(6-7)"), FusionRules.defaults().without("conv_relu").use(net::fusionPlan));
        assertEquals(List.of("conv_relu(0-1)", "conv_clip(6-7)"), FusionRules.defaults().without("batch_norm_relu_max_pool").use(net::fusionPlan));
    }

    /** The layers one by one: what every fused run must equal. */
    private static Tensor unfused(Sequential net, Tensor x) {
        for (Module m : net.layers()) x = m.forward(x);
        return x;
    }

    @Test
    void fusedEvalForwardHasTheLayersBitsOnRandomShapes() {
        Rng rng = new Rng(5);
        for (int trial = 0; trial < 6; trial++) {
            Sequential net = network(rng);
            net.eval();
            int n = 1 + trial % 3, h = 9 + 3 * trial, w = 11 + 2 * trial;
            Tensor x = Tensor.randn(rng, n, 3, h, w);
            Tensor fused, plain;
            try (var s = Autograd.noGrad()) {
                fused = net.forward(x);
                plain = unfused(net, x);
            }
            assertArrayEquals(plain.shape(), fused.shape());
            assertArrayEquals(plain.toArray(), fused.toArray(), "trial " + trial + " input " + n + "x3x" + h + "x" + w);
        }
    }

    @Test
    void trainingForwardAndGradientsAreUnchangedByTheConvolutionRules() {
        Rng rng = new Rng(9);
        Sequential a = network(new Rng(3)), b = network(new Rng(3));
        Tensor x = Tensor.randn(rng, 2, 3, 13, 15);
        Tensor ya = a.forward(x);
        Tensor yb = FusionRules.defaults().without("conv_relu", "conv_clip").use(() -> b.forward(x));
        assertArrayEquals(yb.toArray(), ya.toArray());
        ya.sum().backward();
        yb.sum().backward();
        var pa = a.namedParameters();
        var pb = b.namedParameters();
        for (var entry : pa.entrySet()) {
            assertNotNull(entry.getValue().grad(), entry.getKey());
            assertArrayEquals(pb.get(entry.getKey()).grad().toArray(), entry.getValue().grad().toArray(), entry.getKey());
        }
    }
}
