package dev.lamina.onnx;

import static dev.lamina.onnx.TestGraphs.floatValue;
import static dev.lamina.onnx.TestGraphs.floats;
import static dev.lamina.onnx.TestGraphs.intAttr;
import static dev.lamina.onnx.TestGraphs.model;
import static dev.lamina.onnx.TestGraphs.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.autograd.Autograd;
import dev.lamina.nn.functional.ConvOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Conv epilogue fusion ({@link ConvFusion}) on hand-built graphs: which chains fold into one node, and that the fused
 * plan computes what the separate operators compute (bit for bit for Relu, Clip and residual adds; within float
 * rounding for the sigmoid family).
 */
class ConvFusionTest {
    private final Rng rng = new Rng(11);

    private TensorProto init(String name, Tensor t) {
        long[] dims = new long[t.dim()];
        for (int i = 0; i < dims.length; i++) dims[i] = t.size(i);
        return floats(name, t.toArray(), dims);
    }

    private static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) b.addInts(x);
        return b.build();
    }

    private static NodeProto conv(String name, String x, String w, String b, String y, int pad) {
        List<String> in = b == null ? List.of(x, w) : List.of(x, w, b);
        return node("Conv", name, in, List.of(y), ints("pads", pad, pad, pad, pad));
    }

    private static Tensor run(ModelProto m, Tensor x) {
        return OnnxModel.parse(m.toByteArray()).run(Map.of("x", x)).get("y");
    }

    private static int executed(ModelProto m) {
        return OnnxModel.parse(m.toByteArray()).executedNodeCount();
    }

    private static void assertClose(Tensor expected, Tensor actual, double tol) {
        float[] e = expected.toArray(), a = actual.toArray();
        assertEquals(e.length, a.length);
        for (int i = 0; i < e.length; i++) assertTrue(Math.abs(e[i] - a[i]) <= tol * Math.max(1, Math.abs(e[i])), i + ": " + e[i] + " vs " + a[i]);
    }

    @Test
    void convReluBecomesOneNodeWithTheSameBits() {
        Tensor x = Tensor.randn(rng, 2, 3, 9, 8), w = Tensor.randn(rng, 5, 3, 3, 3), b = Tensor.randn(rng, 5);
        ModelProto m = model(17, List.of(conv("c", "x", "w", "b", "h", 1), node("Relu", "r", List.of("h"), List.of("y"))),
                List.of(init("w", w), init("b", b)), List.of(floatValue("x", -1, 3, 9, 8)), List.of(floatValue("y", -1, 5, 9, 8)));
        assertEquals(1, executed(m));
        try (var s = Autograd.noGrad()) {
            assertArrayEquals(ConvOp.conv2d(x, w, b, 1, 1, 1, 1, 1, 1, 1, 1, 1).relu().toArray(), run(m, x).toArray());
        }
    }

    @Test
    void residualBlockFoldsTheAddAndReluIntoOneConvolution() {
        Tensor x = Tensor.randn(rng, 1, 4, 7, 7), wa = Tensor.randn(rng, 6, 4, 3, 3), wb = Tensor.randn(rng, 6, 4, 1, 1);
        ModelProto m = model(17, List.of(conv("a", "x", "wa", null, "ya", 1), conv("b", "x", "wb", null, "yb", 0),
                        node("Add", "add", List.of("ya", "yb"), List.of("s")), node("Relu", "r", List.of("s"), List.of("y"))),
                List.of(init("wa", wa), init("wb", wb)), List.of(floatValue("x", 1, 4, 7, 7)), List.of(floatValue("y", 1, 6, 7, 7)));
        assertEquals(2, executed(m)); // the residual's convolution stays its own node
        try (var s = Autograd.noGrad()) {
            Tensor expected = ConvOp.conv2d(x, wa, null, 1, 1, 1, 1, 1, 1, 1, 1, 1).add(ConvOp.conv2d(x, wb, null, 1, 1, 0, 0, 0, 0, 1, 1, 1)).relu();
            assertArrayEquals(expected.toArray(), run(m, x).toArray());
        }
    }

    @Test
    void depthwiseReluSixFromClipWithConstantBounds() {
        Tensor x = Tensor.randn(rng, 1, 6, 10, 10).mul(4f), w = Tensor.randn(rng, 6, 1, 3, 3), b = Tensor.randn(rng, 6);
        List<NodeProto> nodes = new ArrayList<>(List.of(
                node("Constant", "lo", List.of(), List.of("lo"), AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(floats("", new float[] {0f})).build()),
                node("Constant", "hi", List.of(), List.of("hi"), AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(floats("", new float[] {6f})).build()),
                node("Conv", "dw", List.of("x", "w", "b"), List.of("h"), ints("pads", 1, 1, 1, 1), ints("strides", 2, 2), intAttr("group", 6)),
                node("Clip", "clip", List.of("h", "lo", "hi"), List.of("y"))));
        ModelProto m = model(17, nodes, List.of(init("w", w), init("b", b)), List.of(floatValue("x", 1, 6, 10, 10)), List.of(floatValue("y", 1, 6, 5, 5)));
        assertEquals(1, executed(m)); // the fused convolution; the two Constants are folded at load
        try (var s = Autograd.noGrad()) {
            assertArrayEquals(ConvOp.conv2d(x, w, b, 2, 2, 1, 1, 1, 1, 1, 1, 6).clamp(0f, 6f).toArray(), run(m, x).toArray());
        }
    }

    @Test
    void siluSpelledAsSigmoidTimesItselfIsFused() {
        Tensor x = Tensor.randn(rng, 1, 3, 6, 6), w = Tensor.randn(rng, 4, 3, 1, 1);
        ModelProto m = model(17, List.of(conv("c", "x", "w", null, "h", 0), node("Sigmoid", "sig", List.of("h"), List.of("g")),
                        node("Mul", "mul", List.of("h", "g"), List.of("y"))),
                List.of(init("w", w)), List.of(floatValue("x", 1, 3, 6, 6)), List.of(floatValue("y", 1, 4, 6, 6)));
        assertEquals(1, executed(m));
        try (var s = Autograd.noGrad()) {
            assertClose(ConvOp.conv2d(x, w, null).silu(), run(m, x), 1e-6);
            // bit-exact loading leaves the σ-family to the separate operators: their bits
            OnnxModel exact = OnnxModel.parse(m.toByteArray(), OnnxModel.Optimization.BIT_EXACT);
            assertEquals(Map.of("Conv", 1, ChainFusion.CHAIN, 1), exact.executedOperatorCounts()); // Sigmoid·Mul in one element-wise pass
            Tensor h = ConvOp.conv2d(x, w, null);
            assertArrayEquals(h.mul(h.sigmoid()).toArray(), exact.run(Map.of("x", x)).get("y").toArray());
        }
    }

    @Test
    void broadcastingAddAndOneDimensionalConvolutionStillMatch() {
        Tensor x = Tensor.randn(rng, 2, 3, 12), w = Tensor.randn(rng, 4, 3, 5), c = Tensor.randn(rng, 4, 1);
        ModelProto m = model(17, List.of(node("Conv", "c", List.of("x", "w"), List.of("h"), ints("pads", 2, 2)),
                        node("Add", "add", List.of("h", "c"), List.of("s")), node("HardSwish", "hs", List.of("s"), List.of("y"))),
                List.of(init("w", w), init("c", c)), List.of(floatValue("x", 2, 3, 12)), List.of(floatValue("y", 2, 4, 12)));
        assertEquals(1, executed(m));
        try (var s = Autograd.noGrad()) {
            Tensor h = ConvOp.conv1d(x, w, null, 1, 2, 1, 1).add(c);
            assertClose(h.mul(h.add(3f).clamp(0f, 6f)).div(6f), run(m, x), 1e-6);
        }
    }

    @Test
    void valuesUsedElsewhereAreNotFused() {
        Tensor x = Tensor.randn(rng, 1, 2, 5, 5), w = Tensor.randn(rng, 3, 2, 3, 3);
        // h feeds both the Relu and the Add: fusing the Relu into the convolution would lose h (the two element-wise
        // operators after it still make one pass)
        ModelProto shared = model(17, List.of(conv("c", "x", "w", null, "h", 1), node("Relu", "r", List.of("h"), List.of("a")),
                        node("Add", "add", List.of("h", "a"), List.of("y"))),
                List.of(init("w", w)), List.of(floatValue("x", 1, 2, 5, 5)), List.of(floatValue("y", 1, 3, 5, 5)));
        assertEquals(Map.of("Conv", 1, ChainFusion.CHAIN, 1), OnnxModel.parse(shared.toByteArray()).executedOperatorCounts());
        // the convolution's output is itself a graph output
        ModelProto exposed = model(17, List.of(conv("c", "x", "w", null, "h", 1), node("Relu", "r", List.of("h"), List.of("y"))),
                List.of(init("w", w)), List.of(floatValue("x", 1, 2, 5, 5)), List.of(floatValue("y", 1, 3, 5, 5), floatValue("h", 1, 3, 5, 5)));
        assertEquals(2, executed(exposed));
        try (var s = Autograd.noGrad()) {
            Tensor h = ConvOp.conv2d(x, w, null, 1, 1, 1, 1, 1, 1, 1, 1, 1);
            assertArrayEquals(h.add(h.relu()).toArray(), run(shared, x).toArray());
            Map<String, Tensor> out = OnnxModel.parse(exposed.toByteArray()).run(Map.of("x", x));
            assertArrayEquals(h.toArray(), out.get("h").toArray());
            assertArrayEquals(h.relu().toArray(), out.get("y").toArray());
        }
    }
}
