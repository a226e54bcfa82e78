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
 * CumSum, TopK, OneHot, DepthToSpace and SpaceToDepth on hand-built graphs: the attribute forms PyTorch's exports
 * (checked in {@link ZooOperatorFixtureTest}) do not use, worked out by hand, and every rejected input.
 */
class ScanRearrangeOpsTest {
    /** Runs {@code op}(x, constants...) at opset 17 and returns its outputs y0, y1, ...; x is the graph input. */
    private static List<Tensor> run(String op, int outputs, Tensor x, List<TensorProto> constants, AttributeProto... attrs) {
        List<String> inputs = new ArrayList<>(List.of("x"));
        for (TensorProto c : constants) inputs.add(c.getName());
        List<String> outs = new ArrayList<>();
        List<onnx.Onnx.ValueInfoProto> outInfo = new ArrayList<>();
        for (int k = 0; k < outputs; k++) {
            outs.add("y" + k);
            outInfo.add(shapeless("y" + k, 1));
        }
        long[] dims = new long[x.dim()];
        for (int d = 0; d < dims.length; d++) dims[d] = x.size(d);
        var m = model(17, List.of(node(op, "n_" + op, inputs, outs, attrs)), constants, List.of(floatValue("x", dims)), outInfo);
        Map<String, Tensor> y = OnnxModel.parse(m.toByteArray()).run(Map.of("x", x));
        List<Tensor> list = new ArrayList<>();
        for (String o : outs) list.add(y.get(o));
        return list;
    }

    private static void fails(Runnable r, String... parts) {
        OnnxException e = assertThrows(OnnxException.class, r::run);
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message lacks '" + p + "': " + e.getMessage());
    }

    private static final Tensor X = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);

    @Test
    void cumSumExclusiveAndReverse() {
        List<TensorProto> axis1 = List.of(int64s("c0", new long[] {1}));
        assertArrayEquals(new float[] {1, 3, 6, 4, 9, 15}, run("CumSum", 1, X, axis1).get(0).toArray());
        assertArrayEquals(new float[] {0, 1, 3, 0, 4, 9}, run("CumSum", 1, X, axis1, intAttr("exclusive", 1)).get(0).toArray());
        assertArrayEquals(new float[] {6, 5, 3, 15, 11, 6}, run("CumSum", 1, X, axis1, intAttr("reverse", 1)).get(0).toArray());
        assertArrayEquals(new float[] {4, 5, 6, 0, 0, 0}, run("CumSum", 1, X, List.of(int64s("c0", new long[] {-2})), intAttr("exclusive", 1), intAttr("reverse", 1)).get(0).toArray());
        fails(() -> run("CumSum", 1, X, List.of(floats("c0", new float[] {1}))), "n_CumSum", "'axis' must be an integer tensor");
        fails(() -> run("CumSum", 1, X, List.of(int64s("c0", new long[] {2}))), "axis 2 is out of range for rank 2");
        fails(() -> run("CumSum", 1, X, List.of(int64s("c0", new long[] {0, 1}, 2))), "'axis' must hold one value");
    }

    @Test
    void topKSmallestAlongAxisZeroAndTies() {
        List<Tensor> low = run("TopK", 2, X, List.of(int64s("c0", new long[] {1}, 1)), intAttr("axis", 0), intAttr("largest", 0));
        assertArrayEquals(new float[] {1, 2, 3}, low.get(0).toArray());
        assertArrayEquals(new float[] {0, 0, 0}, low.get(1).toArray());
        List<Tensor> ties = run("TopK", 2, Tensor.of(new float[] {2, 5, 5, 1}, 4), List.of(int64s("c0", new long[] {3}, 1)));
        assertArrayEquals(new float[] {5, 5, 2}, ties.get(0).toArray());
        assertArrayEquals(new float[] {1, 2, 0}, ties.get(1).toArray(), "equal values: the lower index first");
        fails(() -> run("TopK", 2, X, List.of(int64s("c0", new long[] {4}, 1))), "(TopK)", "K = 4 is out of range for dimension 1 of size 3");
        fails(() -> run("TopK", 2, X, List.of(floats("c0", new float[] {1}, 1))), "'K' must be an integer tensor");
    }

    @Test
    void oneHotAxisNegativeAndOutOfRangeIndices() {
        // indices [2] = [-1, 3] with depth 3 at axis 0: -1 is the last class, 3 is out of range (a column of off values)
        Tensor hot = run("OneHot", 1, Tensor.of(new float[] {-1, 3}, 2), List.of(int64s("c0", new long[] {3}), floats("c1", new float[] {-1, 9}, 2)),
                intAttr("axis", 0)).get(0);
        assertArrayEquals(new int[] {3, 2}, hot.shape());
        assertArrayEquals(new float[] {-1, -1, -1, -1, 9, -1}, hot.toArray());
        fails(() -> run("OneHot", 1, X, List.of(int64s("c0", new long[] {3}), floats("c1", new float[] {0, 1, 2}, 3))), "(OneHot)", "values must hold [off_value, on_value]");
        fails(() -> run("OneHot", 1, X, List.of(int64s("c0", new long[] {0}), floats("c1", new float[] {0, 1}, 2))), "depth must be a positive whole number, got 0");
        fails(() -> run("OneHot", 1, Tensor.of(new float[] {0.5f}, 1), List.of(int64s("c0", new long[] {2}), floats("c1", new float[] {0, 1}, 2))), "whole numbers");
    }

    @Test
    void depthToSpaceDcrAndSpaceToDepthAreInverses() {
        // 4 channels of one pixel each → one 2x2 plane; DCR reads channel c as block position (c / 2, c % 2)
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 4, 1, 1);
        Tensor plane = run("DepthToSpace", 1, x, List.of(), intAttr("blocksize", 2)).get(0);
        assertArrayEquals(new int[] {1, 1, 2, 2}, plane.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4}, plane.toArray());
        float[] v = new float[2 * 8 * 3 * 2];
        for (int k = 0; k < v.length; k++) v[k] = k;
        Tensor big = Tensor.of(v, 2, 8, 3, 2);
        Tensor space = run("DepthToSpace", 1, big, List.of(), intAttr("blocksize", 2)).get(0);
        assertArrayEquals(new int[] {2, 2, 6, 4}, space.shape());
        assertArrayEquals(v, run("SpaceToDepth", 1, space, List.of(), intAttr("blocksize", 2)).get(0).toArray());
        fails(() -> run("DepthToSpace", 1, big, List.of(), intAttr("blocksize", 3)), "(DepthToSpace)", "8 channels of [2, 8, 3, 2] are not divisible by blocksize² = 9");
        fails(() -> run("DepthToSpace", 1, big, List.of(), intAttr("blocksize", 2), stringAttr("mode", "XYZ")), "mode must be 'DCR' or 'CRD', got 'XYZ'");
        fails(() -> run("DepthToSpace", 1, big, List.of()), "attribute 'blocksize' is required");
        fails(() -> run("SpaceToDepth", 1, big, List.of(), intAttr("blocksize", 2)), "(SpaceToDepth)", "not divisible by blocksize 2");
        fails(() -> run("SpaceToDepth", 1, X, List.of(), intAttr("blocksize", 1)), "expected input of shape [N, C, H, W], got [2, 3]");
    }
}
