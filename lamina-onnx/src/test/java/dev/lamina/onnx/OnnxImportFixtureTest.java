package dev.lamina.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every onnx_* fixture: PyTorch's exported model, run by the importer, matches PyTorch's outputs (rel err ≤ 1e-4). */
class OnnxImportFixtureTest {
    static Stream<String> fixtures() {
        return OnnxFixtures.cases().stream().filter(c -> c.startsWith("onnx_"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void matchesPyTorch(String fixture) throws IOException {
        OnnxFixtures.runAndCompare(fixture, 17);
    }

    @Test
    void fixturesArePresent() {
        assertTrue(fixtures().count() >= 15, "onnx_* fixtures missing: " + OnnxFixtures.cases());
    }

    @Test
    void exportedGeluChainsRunAsOneFusedNode() throws IOException {
        // torch writes GELU as Div-Erf-Add-Mul-Mul; the plan runs it as one node (Lamina's gelu kernel); in the transformer
        // also the attention scale and mask (Div, Add) and the bias and residual Adds make one element-wise pass each
        OnnxModel m = OnnxModel.load(OnnxFixtures.dir("onnx_layernorm_gelu").resolve("model.onnx"));
        assertEquals(1, m.operatorCounts().get("Erf"));
        assertEquals(m.nodeCount() - 4 - m.foldedNodeCount(), m.executedNodeCount());
        OnnxModel t = OnnxModel.load(OnnxFixtures.dir("onnx_transformer").resolve("model.onnx"));
        assertEquals(t.nodeCount() - 4 - 2 - t.foldedNodeCount(), t.executedNodeCount());
        assertEquals(2, t.executedOperatorCounts().get(ChainFusion.CHAIN));
    }

    @Test
    void internalOperatorNamesAreNotAcceptedFromFiles() {
        var m = TestGraphs.model(17, java.util.List.of(TestGraphs.node("lamina.Gelu", "g", java.util.List.of("x"), java.util.List.of("y"))),
                java.util.List.of(), java.util.List.of(TestGraphs.floatValue("x", 2)), java.util.List.of(TestGraphs.floatValue("y", 2)));
        UnsupportedOperatorException e = org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperatorException.class, () -> OnnxModel.parse(m.toByteArray()));
        assertEquals("lamina.Gelu", e.opType());
        assertTrue(!OnnxModel.supportedOperators().contains("lamina.Gelu"));
    }

    @Test
    void dynamicBatchRunsOtherBatchSizes() throws IOException {
        // onnx_mlp was exported with a symbolic batch dimension: rows are independent, so a 1-row batch matches row 0
        Path dir = OnnxFixtures.dir("onnx_mlp");
        OnnxModel model = OnnxModel.load(dir.resolve("model.onnx"));
        Tensor x = OnnxFixtures.tensor(OnnxFixtures.npy(dir.resolve("in0.npy")));
        Tensor full = model.run(Map.of("in0", x)).get("out0");
        Tensor one = model.run(Map.of("in0", x.narrow(0, 0, 1).contiguous())).get("out0");
        assertEquals(0.0, OnnxFixtures.relativeError(one.toArray(), full.narrow(0, 0, 1).contiguous().toArray()), 1e-6);
    }
}
