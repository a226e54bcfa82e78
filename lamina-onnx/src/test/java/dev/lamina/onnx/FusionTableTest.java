package dev.lamina.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.autograd.Autograd;
import dev.lamina.fusion.FusionRules;
import dev.lamina.nn.BatchNorm2d;
import dev.lamina.nn.Conv2d;
import dev.lamina.nn.ReLU;
import dev.lamina.nn.ReLU6;
import dev.lamina.nn.Sequential;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

/**
 * The ONNX path reads the same fusion table as {@code Sequential}: a Java model compiled for the inference engine
 * fuses the table's convolution rules, and a rule withdrawn from the table while the model loads is fused by neither
 * the import nor the Sequential forward.
 */
class FusionTableTest {

    private static Sequential network() {
        Rng rng = new Rng(4);
        return new Sequential(new Conv2d(3, 8, 3, 3, 1, true, rng).padding(1), new ReLU(),
                new Conv2d(8, 8, 3, 3, 1, true, rng).padding(1), new BatchNorm2d(8), new ReLU6(),
                new Conv2d(8, 4, 1, 1, 1, true, rng), new ReLU());
    }

    @Test
    void theImportFusesTheTablesConvolutionRules() {
        Sequential net = network();
        Map<String, Integer> ops = Inference.compile(net, 1, 3, 10, 10).model().executedOperatorCounts();
        assertEquals(Map.of(ConvFusion.CONV, 3), ops, "BatchNorm folded (conv_batch_norm), ReLU and ReLU6 in the epilogues");
    }

    @Test
    void aWithdrawnRuleIsFusedByNeitherPath() {
        Sequential net = network();
        net.eval();
        FusionRules rules = FusionRules.defaults().without("conv_relu", "conv_batch_norm");
        Inference compiled = rules.use(() -> Inference.compile(net, 1, 3, 10, 10));
        Map<String, Integer> ops = compiled.model().executedOperatorCounts();
        assertEquals(2, ops.get("Relu"), ops.toString());
        assertEquals(1, ops.get("BatchNormalization"), ops.toString());
        assertEquals(1, ops.get("Clip"), "conv_clip is in the table, but after the unfolded BatchNormalization ReLU6 has no convolution to join: " + ops);
        assertEquals(List.of("conv_relu(0-1)", "conv_relu(5-6)"), net.fusionPlan());
        assertEquals(List.of(), rules.use(net::fusionPlan));

        Tensor x = Tensor.randn(new Rng(8), 2, 3, 10, 10);
        Tensor want;
        try (var s = Autograd.noGrad()) {
            want = net.forward(x);
        }
        assertArrayEquals(want.toArray(), compiled.run(x).toArray(), 1e-5f);
    }
}
