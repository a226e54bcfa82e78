package dev.lamina.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.autograd.Autograd;
import dev.lamina.models.Models;
import dev.lamina.nn.GroupNorm;
import dev.lamina.nn.Input;
import dev.lamina.nn.Linear;
import dev.lamina.nn.Module;
import dev.lamina.nn.ReLU;
import dev.lamina.nn.Sequential;
import dev.lamina.nn.TransformerEncoderLayer;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** {@link Inference#compile}: a Lamina module on the inference engine computes its eval-mode forward. */
class InferenceTest {
    private static void assertClose(Tensor expected, Tensor actual, double tol) {
        assertArrayEquals(expected.shape(), actual.shape());
        float[] e = expected.toArray(), a = actual.toArray();
        double scale = 0;
        for (float v : e) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < e.length; i++) assertTrue(Math.abs(e[i] - a[i]) <= tol * scale, i + ": " + e[i] + " vs " + a[i]);
    }

    private static Tensor eval(Module m, Tensor x) {
        m.eval();
        try (var s = Autograd.noGrad()) {
            return m.forward(x);
        }
    }

    @Test
    void theCnnWithItsBatchNormFoldedMatchesItsEvalForward() {
        Rng rng = new Rng(3);
        Sequential cnn = Models.cnn(rng);
        // running statistics that are not the identity, as after training
        for (Map.Entry<String, Tensor> e : cnn.stateDict().entrySet()) {
            float[] v = e.getValue().storage();
            if (e.getKey().endsWith("running_mean")) for (int i = 0; i < v.length; i++) v[i] = (float) Math.sin(i) * 0.3f;
            if (e.getKey().endsWith("running_var")) for (int i = 0; i < v.length; i++) v[i] = 0.5f + (i % 7) * 0.2f;
        }
        Inference compiled = Inference.compile(cnn, 1, 784);
        Map<String, Integer> ops = compiled.model().executedOperatorCounts();
        assertFalse(ops.containsKey("BatchNormalization"), ops.toString());
        assertFalse(ops.containsKey("Relu") && ops.get("Relu") > 1, "only the dense layer's ReLU stays: " + ops);
        for (int batch : new int[] {1, 5}) {
            Tensor x = Tensor.rand(rng, batch, 784);
            assertClose(eval(cnn, x), compiled.run(x), 1e-5);
        }
    }

    @Test
    void aTransformerLayerRunsInTheAttentionKernel() {
        Rng rng = new Rng(4);
        Sequential net = new Sequential(new TransformerEncoderLayer(16, 4, 32, 0.0, "relu", false, true, rng), new Linear(16, 3, true, rng));
        Inference compiled = Inference.compile(net, 2, 7, 16);
        assertTrue(compiled.model().executedOperatorCounts().containsKey(AttentionFusion.ATTENTION), compiled.model().executedOperatorCounts().toString());
        Tensor x = Tensor.randn(rng, 2, 7, 16);
        assertClose(eval(net, x), compiled.run(x), 1e-5);
    }

    @Test
    void aLayerTheExporterDoesNotCoverIsNamed() {
        Sequential net = new Sequential(new Input(8), new Linear(8, 8), new ReLU(), new dev.lamina.nn.Reshape(8, 1), new GroupNorm(2, 8));
        var e = assertThrows(IllegalArgumentException.class, () -> Inference.compile(net, 1, 8));
        assertTrue(e.getMessage().contains("GroupNorm"), e.getMessage());
    }
}
