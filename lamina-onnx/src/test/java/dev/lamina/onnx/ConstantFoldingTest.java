package dev.lamina.onnx;

import static dev.lamina.onnx.TestGraphs.floatValue;
import static dev.lamina.onnx.TestGraphs.floats;
import static dev.lamina.onnx.TestGraphs.int64s;
import static dev.lamina.onnx.TestGraphs.model;
import static dev.lamina.onnx.TestGraphs.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.tensor.Tensor;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.ModelProto;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Nodes computed from constants alone run once at load; what depends on an input, or fails, still runs per call. */
class ConstantFoldingTest {
    private static AttributeProto value(float... v) {
        return AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(floats("", v, v.length)).build();
    }

    @Test
    void constantChainsAreFoldedAndTheirOutputsStillReturned() {
        // c = Constant [1, 2, 3]; d = c + w (initializer); y = x * d; also the folded d is a graph output
        ModelProto m = model(17, List.of(node("Constant", "c", List.of(), List.of("c"), value(1, 2, 3)),
                        node("Add", "d", List.of("c", "w"), List.of("d")), node("Mul", "y", List.of("x", "d"), List.of("y"))),
                List.of(floats("w", new float[] {10, 20, 30}, 3)), List.of(floatValue("x", -1, 3)), List.of(floatValue("y", -1, 3), floatValue("d", 3)));
        OnnxModel model = OnnxModel.parse(m.toByteArray());
        assertEquals(2, model.foldedNodeCount());
        assertEquals(1, model.executedNodeCount());
        Map<String, Tensor> out = model.run(Map.of("x", Tensor.of(new float[] {1, 2, 3, -1, 0, 1}, 2, 3)));
        assertArrayEquals(new float[] {11, 44, 99, -11, 0, 33}, out.get("y").toArray());
        assertArrayEquals(new float[] {11, 22, 33}, out.get("d").toArray());
        // runs do not share state through the folded values
        assertArrayEquals(new float[] {11, 22, 33}, model.run(Map.of("x", Tensor.zeros(1, 3))).get("d").toArray());
    }

    @Test
    void aConstantNodeThatFailsIsReportedWhenRunNamingIt() {
        // Reshape of 3 constants to [2, 2] cannot work: not folded, and run() names the node
        ModelProto m = model(17, List.of(node("Constant", "c", List.of(), List.of("c"), value(1, 2, 3)),
                        node("Reshape", "bad_reshape", List.of("c", "shape"), List.of("r")), node("Add", "y", List.of("x", "r"), List.of("y"))),
                List.of(int64s("shape", new long[] {2, 2}, 2)), List.of(floatValue("x", 2, 2)), List.of(floatValue("y", 2, 2)));
        OnnxModel model = OnnxModel.parse(m.toByteArray());
        assertEquals(1, model.foldedNodeCount());
        var e = assertThrows(OnnxException.class, () -> model.run(Map.of("x", Tensor.zeros(2, 2))));
        assertTrue(e.getMessage().contains("bad_reshape"), e.getMessage());
    }
}
