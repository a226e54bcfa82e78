package dev.lamina.onnx;

import static dev.lamina.onnx.TestGraphs.floatValue;
import static dev.lamina.onnx.TestGraphs.floats;
import static dev.lamina.onnx.TestGraphs.model;
import static dev.lamina.onnx.TestGraphs.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.tensor.Tensor;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Hand-written normalizations ({@link NormFusion}) on the pattern_* fixtures (tools/fixtures/make_pattern_fixtures.py:
 * what torch.onnx.export writes for LayerNorm and RMSNorm spelled out in tensor arithmetic): fused into Lamina's
 * kernel when loading FAST, left to the separate operators when BIT_EXACT, both matching PyTorch.
 */
class NormFusionTest {
    private static OnnxModel load(String fixture, OnnxModel.Optimization o) throws IOException {
        return OnnxModel.load(OnnxFixtures.dir(fixture).resolve("model.onnx"), o);
    }

    @Test
    void handWrittenLayerNormsAndRmsNormsRunAsOneKernelAndMatchPyTorch() throws IOException {
        OnnxFixtures.runAndCompare("pattern_layernorm", 17);
        OnnxFixtures.runAndCompare("pattern_rmsnorm", 17);
        Map<String, Integer> ln = load("pattern_layernorm", OnnxModel.Optimization.FAST).executedOperatorCounts();
        assertEquals(3, ln.get(NormFusion.NORM), ln.toString());   // two with weight and bias, one without
        Map<String, Integer> rms = load("pattern_rmsnorm", OnnxModel.Optimization.FAST).executedOperatorCounts();
        assertEquals(2, rms.get(NormFusion.NORM), rms.toString());
        for (Map<String, Integer> c : List.of(ln, rms)) {
            for (String op : new String[] {"ReduceMean", "Sqrt", "Div", "Pow", "Sub"}) assertNull(c.get(op), op + " left in " + c);
        }
    }

    @Test
    void bitExactLoadingKeepsTheSeparateOperatorsAndStillMatches() throws IOException {
        for (String f : new String[] {"pattern_layernorm", "pattern_rmsnorm"}) {
            OnnxModel exact = load(f, OnnxModel.Optimization.BIT_EXACT);
            assertFalse(exact.executedOperatorCounts().containsKey(NormFusion.NORM));
            assertTrue(exact.executedOperatorCounts().containsKey("ReduceMean"));
            Tensor y = exact.run(OnnxFixtures.inputs(f)).get("out0");
            OnnxFixtures.assertClose(f + " bit-exact", OnnxFixtures.npy(OnnxFixtures.dir(f).resolve("out0.npy")), y);
            Tensor fast = load(f, OnnxModel.Optimization.FAST).run(OnnxFixtures.inputs(f)).get("out0");
            assertTrue(OnnxFixtures.relativeError(fast.toArray(), y.toArray()) < 1e-5, f + ": fused and separate agree to float rounding");
        }
    }

    private static AttributeProto axesLast() {
        return AttributeProto.newBuilder().setName("axes").setType(AttributeProto.AttributeType.INTS).addInts(-1).build();
    }

    /** x − mean, squared, mean, + eps, sqrt, divide; {@code extraOutput} exposes one intermediate value. */
    private static ModelProto layerNormGraph(String extraOutput, long axis) {
        AttributeProto axes = AttributeProto.newBuilder().setName("axes").setType(AttributeProto.AttributeType.INTS).addInts(axis).build();
        List<NodeProto> nodes = List.of(node("ReduceMean", "m", List.of("x"), List.of("mean"), axes), node("Sub", "s", List.of("x", "mean"), List.of("d")),
                node("Mul", "sq", List.of("d", "d"), List.of("d2")), node("ReduceMean", "v", List.of("d2"), List.of("var"), axes),
                node("Add", "e", List.of("var", "eps"), List.of("ve")), node("Sqrt", "r", List.of("ve"), List.of("sd")),
                node("Div", "y", List.of("d", "sd"), List.of("y")));
        List<onnx.Onnx.ValueInfoProto> outs = extraOutput == null ? List.of(floatValue("y", 2, 6)) : List.of(floatValue("y", 2, 6), floatValue(extraOutput, 2, -1));
        return model(17, nodes, List.of(floats("eps", new float[] {1e-5f})), List.of(floatValue("x", 2, 6)), outs);
    }

    @Test
    void onlyPrivateChainsOverTheLastAxisAreFused() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, -1, 0, 1, 0, -1, 7}, 2, 6);
        OnnxModel fused = OnnxModel.parse(layerNormGraph(null, -1).toByteArray());
        assertEquals(Map.of(NormFusion.NORM, 1), fused.executedOperatorCounts());
        OnnxModel exact = OnnxModel.parse(layerNormGraph(null, -1).toByteArray(), OnnxModel.Optimization.BIT_EXACT);
        float[] a = fused.run(Map.of("x", x)).get("y").toArray(), b = exact.run(Map.of("x", x)).get("y").toArray();
        assertTrue(OnnxFixtures.relativeError(a, b) < 1e-6);
        // the variance is also a graph output: nothing may be fused away
        assertFalse(OnnxModel.parse(layerNormGraph("var", -1).toByteArray()).executedOperatorCounts().containsKey(NormFusion.NORM));
        // over the first axis it is not a row normalization
        assertFalse(OnnxModel.parse(layerNormGraph(null, 0).toByteArray()).executedOperatorCounts().containsKey(NormFusion.NORM));
    }

    @Test
    void aWeightThatDoesNotFitTheRowsOrAScalarInputIsReportedByNode() {
        // LayerNorm of rows of 6, then · a weight of 4 values: the fused node refuses it, as the Mul would
        List<NodeProto> nodes = new java.util.ArrayList<>(layerNormGraph(null, -1).getGraph().getNodeList());
        nodes.set(nodes.size() - 1, node("Div", "n", List.of("d", "sd"), List.of("nd")));
        nodes.add(node("Mul", "scale", List.of("nd", "w"), List.of("y")));
        ModelProto m = model(17, nodes, List.of(floats("eps", new float[] {1e-5f}), floats("w", new float[] {1, 2, 3, 4}, 4)),
                List.of(floatValue("x", 2, 6)), List.of(floatValue("y", 2, 6)));
        OnnxModel model = OnnxModel.parse(m.toByteArray());
        assertEquals(Map.of(NormFusion.NORM, 1), model.executedOperatorCounts());
        OnnxException e = org.junit.jupiter.api.Assertions.assertThrows(OnnxException.class, () -> model.run(Map.of("x", Tensor.zeros(2, 6))));
        assertTrue(e.getMessage().contains("weight of shape [4] does not broadcast over rows of 6") && e.getMessage().contains("LayerNorm fused"), e.getMessage());
        OnnxModel scalar = OnnxModel.parse(layerNormGraph(null, -1).toBuilder()
                .setGraph(layerNormGraph(null, -1).getGraph().toBuilder().setInput(0, TestGraphs.shapeless("x", 1))).build().toByteArray());
        OnnxException s = org.junit.jupiter.api.Assertions.assertThrows(OnnxException.class, () -> scalar.run(Map.of("x", Tensor.scalar(3f))));
        assertTrue(s.getMessage().contains("input is a scalar"), s.getMessage());
    }

    @Test
    void theFixturesAreHandWritten() throws IOException {
        for (String f : new String[] {"pattern_layernorm", "pattern_rmsnorm"}) {
            ModelProto m = ModelProto.parseFrom(Files.readAllBytes(OnnxFixtures.dir(f).resolve("model.onnx")));
            assertTrue(m.getGraph().getNodeList().stream().noneMatch(n -> n.getOpType().equals("LayerNormalization")));
            assertTrue(m.getGraph().getNodeList().stream().anyMatch(n -> n.getOpType().equals("ReduceMean")));
        }
    }
}
