package dev.lamina.onnx;

import static dev.lamina.onnx.TestGraphs.floatValue;
import static dev.lamina.onnx.TestGraphs.floats;
import static dev.lamina.onnx.TestGraphs.int64s;
import static dev.lamina.onnx.TestGraphs.intAttr;
import static dev.lamina.onnx.TestGraphs.model;
import static dev.lamina.onnx.TestGraphs.node;
import static dev.lamina.onnx.TestGraphs.shapeless;
import static dev.lamina.onnx.TestGraphs.stringAttr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.tensor.Tensor;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.TensorProto;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * ScatterND, ScatterElements, GatherElements, GatherND and NonZero on hand-built graphs: the reductions (values
 * worked out by hand), negative indices, and every rejected input with the node, index and shapes in the message.
 * PyTorch's exports are checked against PyTorch in {@link ZooOperatorFixtureTest}.
 */
class IndexOpsTest {
    /** Runs {@code op}(x, constants...) → y at {@code opset}; x is the graph input, the constants initializers named c0, c1, .... */
    private static Tensor run(int opset, String op, Tensor x, List<TensorProto> constants, AttributeProto... attrs) {
        List<String> inputs = new ArrayList<>(List.of("x"));
        for (TensorProto c : constants) inputs.add(c.getName());
        var m = model(opset, List.of(node(op, "n_" + op, inputs, List.of("y"), attrs)), constants,
                List.of(floatValue("x", toLongs(x.shape()))), List.of(shapeless("y", 1)));
        return OnnxModel.parse(m.toByteArray()).run(Map.of("x", x)).get("y");
    }

    private static long[] toLongs(int[] s) {
        long[] l = new long[s.length];
        for (int k = 0; k < s.length; k++) l[k] = s[k];
        return l;
    }

    private static void fails(Runnable r, String... parts) {
        OnnxException e = assertThrows(OnnxException.class, r::run);
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message lacks '" + p + "': " + e.getMessage());
    }

    private static final Tensor X = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);

    @Test
    void scatterNDReplacesRowsAndElementsWithNegativeIndices() {
        Tensor rows = run(17, "ScatterND", X, List.of(int64s("c0", new long[] {-1, 0}, 2, 1), floats("c1", new float[] {7, 8, 9, 10}, 2, 2)));
        assertArrayEquals(new float[] {9, 10, 3, 4, 7, 8}, rows.toArray());
        Tensor elems = run(17, "ScatterND", X, List.of(int64s("c0", new long[] {1, 1, 0, -2}, 2, 2), floats("c1", new float[] {-1, -2}, 2)));
        assertArrayEquals(new float[] {-2, 2, 3, -1, 5, 6}, elems.toArray());
    }

    @Test
    void scatterNDReductionsCombineRepeatedIndicesInOrder() {
        List<TensorProto> c = List.of(int64s("c0", new long[] {1, 1}, 2, 1), floats("c1", new float[] {10, 20, 2, 0.5f}, 2, 2));
        assertArrayEquals(new float[] {1, 2, 15, 24.5f, 5, 6}, run(16, "ScatterND", X, c, stringAttr("reduction", "add")).toArray());
        assertArrayEquals(new float[] {1, 2, 60, 40, 5, 6}, run(16, "ScatterND", X, c, stringAttr("reduction", "mul")).toArray());
        assertArrayEquals(new float[] {1, 2, 10, 20, 5, 6}, run(18, "ScatterND", X, c, stringAttr("reduction", "max")).toArray());
        assertArrayEquals(new float[] {1, 2, 2, 0.5f, 5, 6}, run(18, "ScatterND", X, c, stringAttr("reduction", "min")).toArray());
        assertArrayEquals(new float[] {1, 2, 2, 0.5f, 5, 6}, run(17, "ScatterND", X, c).toArray(), "no reduction: the last update wins");
    }

    @Test
    void scatterNDRejectsBadIndicesAndShapes() {
        fails(() -> run(17, "ScatterND", X, List.of(int64s("c0", new long[] {3}, 1, 1), floats("c1", new float[] {7, 8}, 1, 2))),
                "n_ScatterND", "(ScatterND)", "index 3", "out of range [-3, 2]", "[3, 2]");
        fails(() -> run(17, "ScatterND", X, List.of(int64s("c0", new long[] {0, -3}, 1, 2), floats("c1", new float[] {7}, 1))),
                "index -3", "component 1", "out of range [-2, 1]");
        fails(() -> run(17, "ScatterND", X, List.of(int64s("c0", new long[] {0}, 1, 1), floats("c1", new float[] {7, 8, 9}, 1, 3))),
                "updates must have shape [1, 2]", "got [1, 3]");
        fails(() -> run(17, "ScatterND", X, List.of(int64s("c0", new long[] {0, 0, 0}, 1, 3), floats("c1", new float[] {7}, 1))),
                "address 3 dimensions", "rank 2");
        fails(() -> run(17, "ScatterND", X, List.of(int64s("c0", new long[] {0}), floats("c1", new float[] {7, 8}, 2))),
                "indices must have at least one dimension, got a scalar");
        fails(() -> run(17, "ScatterND", X, List.of(int64s("c0", new long[] {0}, 1, 1), int64s("c1", new long[] {7, 8}, 1, 2))),
                "data (float) and updates (int64) must have the same element type");
        fails(() -> run(17, "ScatterND", X, List.of(floats("c0", new float[] {0}, 1, 1), floats("c1", new float[] {7, 8}, 1, 2))),
                "'indices' must be an integer tensor");
    }

    @Test
    void reductionsNeedTheirOpset() {
        List<TensorProto> c = List.of(int64s("c0", new long[] {0}, 1, 1), floats("c1", new float[] {7, 8}, 1, 2));
        fails(() -> run(13, "ScatterND", X, c, stringAttr("reduction", "add")), "reduction 'add' needs opset 16", "imports opset 13");
        fails(() -> run(17, "ScatterND", X, c, stringAttr("reduction", "max")), "reduction 'max' needs opset 18", "imports opset 17");
        assertArrayEquals(new float[] {7, 8, 3, 4, 5, 6}, run(13, "ScatterND", X, c, stringAttr("reduction", "none")).toArray());
        fails(() -> run(18, "ScatterND", X, c, stringAttr("reduction", "sum")), "reduction must be 'none', 'add', 'mul', 'max' or 'min', got 'sum'");
        List<TensorProto> e = List.of(int64s("c0", new long[] {0, 1}, 1, 2), floats("c1", new float[] {7, 8}, 1, 2));
        fails(() -> run(13, "ScatterElements", X, e, stringAttr("reduction", "mul")), "(ScatterElements)", "reduction 'mul' needs opset 16");
    }

    @Test
    void scatterElementsAlongEitherAxisWithAdd() {
        List<TensorProto> c = List.of(int64s("c0", new long[] {2, 0}, 1, 2), floats("c1", new float[] {10, 20}, 1, 2));
        assertArrayEquals(new float[] {1, 20, 3, 4, 10, 6}, run(17, "ScatterElements", X, c).toArray());
        List<TensorProto> d = List.of(int64s("c0", new long[] {1, 1, -2}, 3, 1), floats("c1", new float[] {10, 20, 30}, 3, 1));
        assertArrayEquals(new float[] {1, 12, 3, 24, 35, 6}, run(17, "ScatterElements", X, d, intAttr("axis", 1), stringAttr("reduction", "add")).toArray());
    }

    @Test
    void scatterElementsRejectsBadIndicesAndShapes() {
        fails(() -> run(17, "ScatterElements", X, List.of(int64s("c0", new long[] {0, 3}, 1, 2), floats("c1", new float[] {1, 2}, 1, 2))),
                "(ScatterElements)", "index 3", "indices position [0, 1]", "axis 0 of data [3, 2]");
        fails(() -> run(17, "ScatterElements", X, List.of(int64s("c0", new long[] {0, 1}, 1, 2), floats("c1", new float[] {1, 2}, 2, 1))),
                "updates [2, 1] must have the shape of indices [1, 2]");
        fails(() -> run(17, "ScatterElements", X, List.of(int64s("c0", new long[] {0, 1, 0}, 1, 3), floats("c1", new float[] {1, 2, 3}, 1, 3))),
                "indices [1, 3] is larger than data [3, 2] in dimension 1");
        fails(() -> run(17, "ScatterElements", X, List.of(int64s("c0", new long[] {0}, 1), floats("c1", new float[] {1}, 1))),
                "indices of rank 1", "must have the rank of data [3, 2]");
        fails(() -> run(17, "ScatterElements", X, List.of(int64s("c0", new long[] {0}, 1, 1), floats("c1", new float[] {1}, 1, 1)), intAttr("axis", 2)),
                "axis 2 is out of range for rank 2");
    }

    @Test
    void gatherElementsAndItsErrors() {
        Tensor g = run(17, "GatherElements", X, List.of(int64s("c0", new long[] {1, 0, -1, 1}, 2, 2)), intAttr("axis", 1));
        assertArrayEquals(new float[] {2, 1, 4, 4}, g.toArray());
        assertArrayEquals(new int[] {2, 2}, g.shape());
        fails(() -> run(17, "GatherElements", X, List.of(int64s("c0", new long[] {0, 2}, 1, 2)), intAttr("axis", 1)),
                "(GatherElements)", "index 2", "out of range [-2, 1]");
        fails(() -> run(17, "GatherElements", X, List.of(int64s("c0", new long[] {0, 1, 0, 1}, 4, 1)), intAttr("axis", 1)),
                "indices [4, 1] is larger than data [3, 2] in dimension 0");
    }

    @Test
    void gatherNDWithAndWithoutBatchDims() {
        Tensor rows = run(17, "GatherND", X, List.of(int64s("c0", new long[] {2, -3}, 2, 1)));
        assertArrayEquals(new float[] {5, 6, 1, 2}, rows.toArray());
        assertArrayEquals(new int[] {2, 2}, rows.shape());
        Tensor batched = run(17, "GatherND", X, List.of(int64s("c0", new long[] {1, 0, 1}, 3, 1)), intAttr("batch_dims", 1));
        assertArrayEquals(new float[] {2, 3, 6}, batched.toArray());
        assertArrayEquals(new int[] {3}, batched.shape());
        fails(() -> run(17, "GatherND", X, List.of(int64s("c0", new long[] {1, 0}, 2, 1)), intAttr("batch_dims", 1)),
                "(GatherND)", "batch dimension 0 differs", "[3, 2]", "[2, 1]");
        fails(() -> run(17, "GatherND", X, List.of(int64s("c0", new long[] {0, 0, 0}, 1, 3))), "address 3 dimensions");
        fails(() -> run(17, "GatherND", X, List.of(int64s("c0", new long[] {0, 2}, 1, 2))), "index 2", "component 1");
        fails(() -> run(17, "GatherND", X, List.of(int64s("c0", new long[] {0}, 1, 1)), intAttr("batch_dims", 2)), "batch_dims 2 must be in [0, 1]");
    }

    @Test
    void nonZeroListsPositionsInRowMajorOrder() {
        Tensor nz = run(17, "NonZero", Tensor.of(new float[] {0, 1.5f, 0, -2, 3, 0}, 2, 3), List.of());
        assertArrayEquals(new int[] {2, 3}, nz.shape());
        assertArrayEquals(new float[] {0, 1, 1, 1, 0, 1}, nz.toArray());
        Tensor none = run(17, "NonZero", Tensor.zeros(2, 2), List.of());
        assertArrayEquals(new int[] {2, 0}, none.shape());
    }
}
