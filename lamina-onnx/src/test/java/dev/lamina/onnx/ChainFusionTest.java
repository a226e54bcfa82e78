package dev.lamina.onnx;

import static dev.lamina.onnx.TestGraphs.floatValue;
import static dev.lamina.onnx.TestGraphs.floats;
import static dev.lamina.onnx.TestGraphs.int64s;
import static dev.lamina.onnx.TestGraphs.model;
import static dev.lamina.onnx.TestGraphs.node;
import static dev.lamina.onnx.TestGraphs.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Element-wise regions run as one blocked pass ({@link ChainFusion}): which nodes join a region, and that the fused
 * node computes exactly (bit for bit) what the separate operators compute, on sizes that are not multiples of the
 * block or the vector width, with scalar, row-broadcast and full-shape operands, and falling back to the separate
 * operators for integers and other broadcasts.
 */
class ChainFusionTest {
    private final Rng rng = new Rng(5);

    private static TensorProto scalar(String name, float v) {
        return floats(name, new float[] {v});
    }

    /** torch.onnx.export's tanh GELU: x·x·x·0.044715 + x, ·√(2/π), tanh, + 1, ·x, ·0.5. */
    private static List<NodeProto> tanhGelu(String x, String y) {
        return List.of(node("Mul", "m0", List.of(x, x), List.of("sq")), node("Mul", "m1", List.of(x, "sq"), List.of("cube")),
                node("Mul", "m2", List.of("c044", "cube"), List.of("a")), node("Add", "a0", List.of(x, "a"), List.of("inner")),
                node("Mul", "m3", List.of("c079", "inner"), List.of("u")), node("Tanh", "t", List.of("u"), List.of("th")),
                node("Add", "a1", List.of("one", "th"), List.of("p")), node("Mul", "m4", List.of(x, "p"), List.of("xp")),
                node("Mul", "m5", List.of("half", "xp"), List.of(y)));
    }

    private static List<TensorProto> geluConstants() {
        return List.of(scalar("c044", 0.044715f), scalar("c079", 0.7978846f), scalar("one", 1f), scalar("half", 0.5f));
    }

    /** The same arithmetic with Lamina's tensor operators, in the graph's order. */
    private static Tensor tanhGeluByOps(Tensor x) {
        Tensor inner = x.add(Tensor.scalar(0.044715f).mul(x.mul(x.mul(x))));
        Tensor p = Tensor.scalar(1f).add(Tensor.scalar(0.7978846f).mul(inner).tanh());
        return Tensor.scalar(0.5f).mul(x.mul(p));
    }

    private static OnnxModel load(ModelProto m) {
        return OnnxModel.parse(m.toByteArray());
    }

    @Test
    void exportedTanhGeluBecomesOneNodeWithTheSameBits() {
        for (int[] shape : new int[][] {{3, 1000, 7}, {1, 5}, {2, 4096}, {4097}}) {
            Tensor x = Tensor.randn(rng, shape).mul(3f);
            long[] dims = new long[shape.length];
            for (int i = 0; i < dims.length; i++) dims[i] = i == 0 ? -1 : shape[i];
            ModelProto m = model(17, tanhGelu("x", "y"), geluConstants(), List.of(floatValue("x", dims)), List.of(floatValue("y", dims)));
            OnnxModel model = load(m);
            assertEquals(Map.of(ChainFusion.CHAIN, 1), model.executedOperatorCounts());
            assertArrayEquals(tanhGeluByOps(x).toArray(), model.run(Map.of("x", x)).get("y").toArray(), java.util.Arrays.toString(shape));
        }
    }

    @Test
    void biasRowsAndFullShapeOperandsJoinTheRegion() {
        // y = sigmoid(x + b) · x − (x + b) / 2, b a row [7] broadcast over x [5, 3, 7]
        Tensor x = Tensor.randn(rng, 5, 3, 7), b = Tensor.randn(rng, 7);
        List<NodeProto> nodes = List.of(node("Add", "bias", List.of("x", "b"), List.of("h")), node("Sigmoid", "s", List.of("h"), List.of("g")),
                node("Mul", "gate", List.of("g", "x"), List.of("gx")), node("Div", "d", List.of("h", "two"), List.of("h2")),
                node("Sub", "y", List.of("gx", "h2"), List.of("y")));
        long[] dims = {-1, 3, 7};
        ModelProto m = model(17, nodes, List.of(floats("b", b.toArray(), 7), scalar("two", 2f)), List.of(floatValue("x", dims)), List.of(floatValue("y", dims)));
        OnnxModel model = load(m);
        assertEquals(Map.of(ChainFusion.CHAIN, 1), model.executedOperatorCounts());
        Tensor h = x.add(b);
        assertArrayEquals(h.sigmoid().mul(x).sub(h.div(Tensor.scalar(2f))).toArray(), model.run(Map.of("x", x)).get("y").toArray());
        // a row on the left of the operator, and a row spanning several trailing dimensions
        Tensor r = Tensor.randn(rng, 3, 7), big = Tensor.randn(rng, 700, 3, 7);
        ModelProto left = model(17, List.of(node("Sub", "s", List.of("r", "x"), List.of("d")), node("Relu", "y", List.of("d"), List.of("y"))),
                List.of(floats("r", r.toArray(), 3, 7)), List.of(floatValue("x", dims)), List.of(floatValue("y", dims)));
        assertArrayEquals(r.sub(big).relu().toArray(), load(left).run(Map.of("x", big)).get("y").toArray());
        assertEquals(Map.of(ChainFusion.CHAIN, 1), load(left).executedOperatorCounts());
    }

    @Test
    void aValueReadOutsideTheRegionEndsIt() {
        // t is a graph output and feeds two chains: tanh stays a node; each chain of two fuses on its own
        List<NodeProto> nodes = List.of(node("Tanh", "t", List.of("x"), List.of("t")),
                node("Mul", "m", List.of("t", "three"), List.of("t3")), node("Exp", "e", List.of("t3"), List.of("y1")),
                node("Add", "a", List.of("t", "three"), List.of("t4")), node("Sqrt", "q", List.of("t4"), List.of("y2")));
        long[] dims = {-1, 9};
        ModelProto m = model(17, nodes, List.of(scalar("three", 3f)), List.of(floatValue("x", dims)),
                List.of(floatValue("t", dims), floatValue("y1", dims), floatValue("y2", dims)));
        OnnxModel model = load(m);
        assertEquals(Map.of("Tanh", 1, ChainFusion.CHAIN, 2), model.executedOperatorCounts());
        Tensor x = Tensor.randn(rng, 4, 9);
        Map<String, Tensor> out = model.run(Map.of("x", x));
        Tensor t = x.tanh();
        assertArrayEquals(t.toArray(), out.get("t").toArray());
        assertArrayEquals(t.mul(Tensor.scalar(3f)).exp().toArray(), out.get("y1").toArray());
        assertArrayEquals(t.add(Tensor.scalar(3f)).sqrt().toArray(), out.get("y2").toArray());
    }

    @Test
    void integerArithmeticAndOtherBroadcastsRunTheSeparateOperators() {
        // shape arithmetic on int64: (a · b + c) computed on longs, as the separate operators do
        List<NodeProto> ints = List.of(node("Mul", "m", List.of("a", "b"), List.of("ab")), node("Add", "y", List.of("ab", "c"), List.of("y")));
        ModelProto mi = model(17, ints, List.of(int64s("b", new long[] {3, -2}, 2), int64s("c", new long[] {1 << 20}, 1)),
                List.of(value("a", 7, 2)), List.of(value("y", 7, 2)));
        OnnxModel im = load(mi);
        assertEquals(Map.of(ChainFusion.CHAIN, 1), im.executedOperatorCounts());
        assertArrayEquals(new float[] {15 + (1 << 20), -14 + (1 << 20)}, im.run(Map.of("a", Tensor.vector(5, 7))).get("y").toArray());
        // [4, 1] · [1, 5]: an outer product, then tanh; neither operand has the output's shape
        List<NodeProto> outer = List.of(node("Mul", "m", List.of("x", "r"), List.of("p")), node("Tanh", "y", List.of("p"), List.of("y")));
        Tensor x = Tensor.randn(rng, 4, 1), r = Tensor.randn(rng, 1, 5);
        ModelProto mo = model(17, outer, List.of(floats("r", r.toArray(), 1, 5)), List.of(floatValue("x", 4, 1)), List.of(floatValue("y", 4, 5)));
        assertArrayEquals(x.mul(r).tanh().toArray(), load(mo).run(Map.of("x", x)).get("y").toArray());
        // a scalar of higher rank widens the output: [1, 1, 1] · x[6] is [1, 1, 6]
        List<NodeProto> widen = List.of(node("Mul", "m", List.of("x", "k"), List.of("p")), node("Neg", "y", List.of("p"), List.of("y")));
        ModelProto mw = model(17, widen, List.of(floats("k", new float[] {2f}, 1, 1, 1)), List.of(floatValue("x", 6)), List.of(floatValue("y", 1, 1, 6)));
        Tensor y = load(mw).run(Map.of("x", Tensor.randn(rng, 6))).get("y");
        assertArrayEquals(new int[] {1, 1, 6}, y.shape());
    }

    @Test
    void errorsInsideARegionNameTheOriginalNode() {
        List<NodeProto> outer = List.of(node("Mul", "scale_it", List.of("x", "r"), List.of("p")), node("Tanh", "y", List.of("p"), List.of("y")));
        ModelProto m = model(17, outer, List.of(floats("r", new float[] {1, 2, 3}, 3)), List.of(floatValue("x", -1, 4)), List.of(floatValue("y", -1, 4)));
        OnnxException e = org.junit.jupiter.api.Assertions.assertThrows(OnnxException.class, () -> load(m).run(Map.of("x", Tensor.zeros(2, 4))));
        assertTrue(e.getMessage().contains("'scale_it' (Mul)"), e.getMessage());
    }

    @Test
    void registersAreReusedOnlyAfterTheirLastRead() {
        // a long chain where an early value is read again at the end: (x+1)·2·3·4·5 + (x+1)
        List<NodeProto> nodes = new ArrayList<>(List.of(node("Add", "a", List.of("x", "one"), List.of("h0"))));
        for (int i = 1; i <= 4; i++) nodes.add(node("Mul", "m" + i, List.of("h" + (i - 1), "k" + i), List.of("h" + i)));
        nodes.add(node("Add", "y", List.of("h4", "h0"), List.of("y")));
        List<TensorProto> consts = new ArrayList<>(List.of(scalar("one", 1f)));
        for (int i = 1; i <= 4; i++) consts.add(scalar("k" + i, i + 1));
        ModelProto m = model(17, nodes, consts, List.of(floatValue("x", -1)), List.of(floatValue("y", -1)));
        Tensor x = Tensor.randn(rng, 10_000);
        Tensor h0 = x.add(Tensor.scalar(1f));
        Tensor expected = h0.mul(Tensor.scalar(2f)).mul(Tensor.scalar(3f)).mul(Tensor.scalar(4f)).mul(Tensor.scalar(5f)).add(h0);
        assertArrayEquals(expected.toArray(), load(m).run(Map.of("x", x)).get("y").toArray());
        assertFalse(load(m).executedOperatorCounts().containsKey("Mul"));
    }
}
