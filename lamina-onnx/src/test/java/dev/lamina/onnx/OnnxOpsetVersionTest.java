package dev.lamina.onnx;

import static dev.lamina.onnx.TestGraphs.floatValue;
import static dev.lamina.onnx.TestGraphs.int64s;
import static dev.lamina.onnx.TestGraphs.intAttr;
import static dev.lamina.onnx.TestGraphs.model;
import static dev.lamina.onnx.TestGraphs.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.lamina.tensor.Tensor;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * One operator name, different versions: the importer evaluates each node with the semantics of the model's opset
 * (13–20), rejects the old form under a new opset and the new form under an old one (naming node and operator), and
 * rejects opsets outside 13–20 with the supported range.
 */
class OnnxOpsetVersionTest {
    private static final String[] REDUCE = {"ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceSumSquare", "ReduceL1", "ReduceL2", "ReduceLogSumExp"};

    private static final float[] X = {1, -2, 3, 0.5f, 4, -1};

    private static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) a.addInts(x);
        return a.build();
    }

    /** A graph output of the given element type (0: unknown) and no declared shape. */
    private static ValueInfoProto anyShape(String name, int elemType) {
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType))).build();
    }

    private static AttributeProto str(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(v)).build();
    }

    /** One node reading x [2, 3] (plus initializers) and writing y. */
    private static ModelProto single(int opset, NodeProto n, List<TensorProto> inits) {
        return model(opset, List.of(n), inits, List.of(floatValue("x", 2, 3)), List.of(anyShape("y", 0)));
    }

    private static OnnxModel load(ModelProto m) {
        return OnnxModel.parse(m.toByteArray());
    }

    private static float[] run(ModelProto m) {
        return load(m).run(Map.of("x", Tensor.of(X.clone(), 2, 3))).get("y").toArray();
    }

    private static void assertMessage(Throwable e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message lacks '" + p + "': " + e.getMessage());
    }

    // ------------------------------------------------------------------------------------------------ opset range

    @Test
    void opsets13To20AreAcceptedAnd21IsNot() {
        for (int v = 13; v <= 20; v++) {
            OnnxModel m = load(single(v, node("Relu", "r", List.of("x"), List.of("y")), List.of()));
            assertEquals(v, m.opset());
        }
        assertEquals(20, OnnxModel.MAX_OPSET);
        OnnxException e = assertThrows(OnnxException.class, () -> load(single(21, node("Relu", "r", List.of("x"), List.of("y")), List.of())));
        assertMessage(e, "opset 21", "13", "20");
    }

    // ------------------------------------------------------------------------------------------------ Reduce*

    @Test
    void reduceAxesAttributeUntil17AxesInputFrom18() {
        for (String op : REDUCE) {
            float[] old = run(single(17, node(op, "red", List.of("x"), List.of("y"), ints("axes", 1), intAttr("keepdims", 0)), List.of()));
            float[] now = run(single(18, node(op, "red", List.of("x", "axes"), List.of("y"), intAttr("keepdims", 0)), List.of(int64s("axes", new long[] {1}, 1))));
            assertEquals(2, now.length, op);
            assertArrayEquals(old, now, 1e-6f, op + ": the attribute form at 17 and the input form at 18 differ");
        }
        // concrete values: mean and max of rows [1, -2, 3] and [0.5, 4, -1]
        assertArrayEquals(new float[] {2f / 3, 3.5f / 3}, run(single(18, node("ReduceMean", "m", List.of("x", "a"), List.of("y"), intAttr("keepdims", 0)),
                List.of(int64s("a", new long[] {-1}, 1)))), 1e-6f);
        assertArrayEquals(new float[] {3, 4}, run(single(20, node("ReduceMax", "m", List.of("x", "a"), List.of("y"), intAttr("keepdims", 0)),
                List.of(int64s("a", new long[] {1}, 1)))), 0f);
    }

    @Test
    void reduceAxesAttributeIsRejectedFrom18NamingNodeAndOperator() {
        for (int opset = 18; opset <= 20; opset++) {
            for (String op : REDUCE) {
                ModelProto m = single(opset, node(op, "old_style", List.of("x"), List.of("y"), ints("axes", 1)), List.of());
                OnnxException e = assertThrows(OnnxException.class, () -> load(m), op + " at " + opset);
                assertMessage(e, "node 'old_style'", "(" + op + ")", "attribute 'axes'", "opset " + opset, "second input");
            }
        }
    }

    @Test
    void reduceAxesInputIsRejectedBefore18() {
        for (String op : REDUCE) {
            ModelProto m = single(17, node(op, "new_style", List.of("x", "a"), List.of("y")), List.of(int64s("a", new long[] {1}, 1)));
            assertMessage(assertThrows(OnnxException.class, () -> load(m)), "node 'new_style'", op, "2 inputs, expected 1");
        }
    }

    @Test
    void reduceNoopWithEmptyAxes() {
        List<TensorProto> empty = List.of(int64s("a", new long[0], 0));
        assertArrayEquals(X, run(single(18, node("ReduceL2", "n", List.of("x", "a"), List.of("y"), intAttr("noop_with_empty_axes", 1)), empty)), 0f);
        assertArrayEquals(new float[] {4}, run(single(18, node("ReduceMax", "n", List.of("x", "a"), List.of("y"), intAttr("keepdims", 0)), empty)), 0f);
        assertArrayEquals(new float[] {-2}, run(single(18, node("ReduceMin", "n", List.of("x"), List.of("y"), intAttr("keepdims", 0)), List.of())), 0f);
    }

    @Test
    void boolReduceNeedsOpset20AndMaxOrMin() {
        // y = ReduceX(x > 0): bool ReduceMax/ReduceMin exist from opset 20 only
        for (int opset : new int[] {18, 19, 20}) {
            for (String op : new String[] {"ReduceMax", "ReduceMin", "ReduceSumSquare"}) {
                ModelProto m = model(opset, List.of(node("Greater", "gt", List.of("x", "zero"), List.of("pos")),
                                node(op, "any", List.of("pos", "a"), List.of("y"), intAttr("keepdims", 0))),
                        List.of(TestGraphs.floats("zero", new float[] {0}), int64s("a", new long[] {1}, 1)),
                        List.of(floatValue("x", 2, 3)), List.of(anyShape("y", 9)));
                if (opset == 20 && !op.equals("ReduceSumSquare")) {
                    float[] y = load(m).run(Map.of("x", Tensor.of(new float[] {1, -1, -1, -1, -2, -3}, 2, 3))).get("y").toArray();
                    assertArrayEquals(op.equals("ReduceMax") ? new float[] {1, 0} : new float[] {0, 0}, y, 0f, op);
                } else {
                    OnnxException e = assertThrows(OnnxException.class, () -> load(m).run(Map.of("x", Tensor.of(X.clone(), 2, 3))), op + " at " + opset);
                    assertMessage(e, "node 'any'", op, "bool", "opset 20");
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ Split

    private static ModelProto split(int opset, List<String> ins, int outs, List<TensorProto> inits, AttributeProto... attrs) {
        List<String> names = new java.util.ArrayList<>();
        for (int k = 0; k < outs; k++) names.add("y" + k);
        List<ValueInfoProto> outputs = names.stream().map(nm -> anyShape(nm, 1)).toList();
        return model(opset, List.of(node("Split", "sp", ins, names, attrs)), inits, List.of(floatValue("x", 1, 5)), outputs);
    }

    private static Map<String, Tensor> runSplit(ModelProto m) {
        return load(m).run(Map.of("x", Tensor.of(new float[] {1, 2, 3, 4, 5}, 1, 5)));
    }

    @Test
    void splitNumOutputsLastChunkSmaller() {
        Map<String, Tensor> y = runSplit(split(18, List.of("x"), 2, List.of(), intAttr("axis", 1), intAttr("num_outputs", 2)));
        assertArrayEquals(new float[] {1, 2, 3}, y.get("y0").toArray());
        assertArrayEquals(new float[] {4, 5}, y.get("y1").toArray());
        y = runSplit(split(18, List.of("x"), 3, List.of(), intAttr("axis", -1), intAttr("num_outputs", 3)));
        assertArrayEquals(new float[] {1, 2}, y.get("y0").toArray());
        assertArrayEquals(new float[] {3, 4}, y.get("y1").toArray());
        assertArrayEquals(new float[] {5}, y.get("y2").toArray());
    }

    @Test
    void splitErrors() {
        // 5 into 4 parts of ceil(5/4) = 2 leaves -1 for the last
        assertMessage(assertThrows(OnnxException.class, () -> runSplit(split(18, List.of("x"), 4, List.of(), intAttr("axis", 1), intAttr("num_outputs", 4)))),
                "node 'sp'", "Split", "cannot be split into 4 parts");
        assertMessage(assertThrows(OnnxException.class, () -> runSplit(split(18, List.of("x"), 2, List.of(), intAttr("axis", 1), intAttr("num_outputs", 3)))),
                "num_outputs = 3", "2 outputs");
        assertMessage(assertThrows(OnnxException.class, () -> runSplit(split(18, List.of("x", "s"), 2, List.of(int64s("s", new long[] {2, 3}, 2)),
                intAttr("axis", 1), intAttr("num_outputs", 2)))), "not both");
        // the 'split' attribute (removed in opset 13) is rejected from opset 18; earlier opsets still read it
        assertMessage(assertThrows(OnnxException.class, () -> load(split(18, List.of("x"), 2, List.of(), intAttr("axis", 1), ints("split", 1, 4)))),
                "node 'sp'", "attribute 'split'", "opset 18");
        assertArrayEquals(new float[] {2, 3, 4, 5}, runSplit(split(17, List.of("x"), 2, List.of(), intAttr("axis", 1), ints("split", 1, 4))).get("y1").toArray());
    }

    // ------------------------------------------------------------------------------------------------ Pad

    private static ModelProto pad(int opset, List<String> ins, List<TensorProto> inits, String mode) {
        return single(opset, node("Pad", "pd", ins, List.of("y"), str("mode", mode)), inits);
    }

    @Test
    void padAxesInputFrom18() {
        // x [2, 3]; pad axis 1 by (1, 2) with 9
        List<TensorProto> inits = List.of(int64s("p", new long[] {1, 2}, 2), int64s("a", new long[] {-1}, 1), TestGraphs.floats("v", new float[] {9}));
        float[] y = run(pad(18, List.of("x", "p", "v", "a"), inits, "constant"));
        assertArrayEquals(new float[] {9, 1, -2, 3, 9, 9, 9, 0.5f, 4, -1, 9, 9}, y, 0f);
        assertMessage(assertThrows(OnnxException.class, () -> load(pad(17, List.of("x", "p", "v", "a"), inits, "constant"))), "node 'pd'", "4 inputs");
        List<TensorProto> repeated = List.of(int64s("p", new long[] {1, 1, 1, 1}, 4), int64s("a", new long[] {1, -1}, 2));
        assertMessage(assertThrows(OnnxException.class, () -> run(pad(18, List.of("x", "p", "", "a"), repeated, "constant"))), "repeated");
        List<TensorProto> tooMany = List.of(int64s("p", new long[] {1, 1, 1, 1}, 4), int64s("a", new long[] {1}, 1));
        assertMessage(assertThrows(OnnxException.class, () -> run(pad(18, List.of("x", "p", "", "a"), tooMany, "constant"))), "4 values for 1 axes");
    }

    @Test
    void padWrapFrom19() {
        List<TensorProto> inits = List.of(int64s("p", new long[] {0, 2, 0, 1}, 4));
        assertArrayEquals(new float[] {-2, 3, 1, -2, 3, 1, 4, -1, 0.5f, 4, -1, 0.5f}, run(pad(19, List.of("x", "p"), inits, "wrap")), 0f);
        assertMessage(assertThrows(OnnxException.class, () -> run(pad(18, List.of("x", "p"), inits, "wrap"))), "node 'pd'", "Pad", "'wrap'", "opset 19");
    }

    // ------------------------------------------------------------------------------------------------ AveragePool, GroupNormalization, Gelu

    @Test
    void dilatedAveragePoolFrom19() {
        // x [1, 1, 6]: kernel 2, dilation 2 averages x[i] and x[i + 2]
        ModelProto m19 = model(19, List.of(node("AveragePool", "ap", List.of("x"), List.of("y"), ints("kernel_shape", 2), ints("dilations", 2))),
                List.of(), List.of(floatValue("x", 1, 1, 6)), List.of(anyShape("y", 1)));
        float[] y = load(m19).run(Map.of("x", Tensor.of(X.clone(), 1, 1, 6))).get("y").toArray();
        assertArrayEquals(new float[] {2, -0.75f, 3.5f, -0.25f}, y, 1e-6f);
        ModelProto m18 = m19.toBuilder().setOpsetImport(0, m19.getOpsetImport(0).toBuilder().setVersion(18)).build();
        assertMessage(assertThrows(OnnxException.class, () -> load(m18).run(Map.of("x", Tensor.of(X.clone(), 1, 1, 6)))), "node 'ap'", "dilations", "opset 19");
    }

    @Test
    void groupNormalizationFrom18WithScalePerGroup() {
        NodeProto gn = node("GroupNormalization", "gn", List.of("x", "s", "b"), List.of("y"), intAttr("num_groups", 2));
        ModelProto ok = model(18, List.of(gn), List.of(TestGraphs.floats("s", new float[] {2, 1}, 2), TestGraphs.floats("b", new float[] {0, 10}, 2)),
                List.of(floatValue("x", 1, 4, 1)), List.of(anyShape("y", 1)));
        // groups (1, 3) and (-2, 2): normalized ±1 (eps aside), then group 0 × 2 + 0, group 1 × 1 + 10
        float[] y = load(ok).run(Map.of("x", Tensor.of(new float[] {1, 3, -2, 2}, 1, 4, 1))).get("y").toArray();
        assertArrayEquals(new float[] {-2, 2, 9, 11}, y, 1e-4f);
        UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
                () -> load(ok.toBuilder().setOpsetImport(0, ok.getOpsetImport(0).toBuilder().setVersion(17)).build()));
        assertMessage(e, "GroupNormalization", "'gn'", "from opset 18", "opset 17");
        // opset 21's per-channel scale is not opset 18's
        ModelProto perChannel = model(18, List.of(gn), List.of(TestGraphs.floats("s", new float[] {1, 1, 1, 1}, 4), TestGraphs.floats("b", new float[] {0, 0, 0, 0}, 4)),
                List.of(floatValue("x", 1, 4, 1)), List.of(anyShape("y", 1)));
        assertMessage(assertThrows(OnnxException.class, () -> load(perChannel).run(Map.of("x", Tensor.of(new float[] {1, 3, -2, 2}, 1, 4, 1)))),
                "node 'gn'", "one value per group");
    }

    @Test
    void geluFrom20() {
        float[] exact = run(single(20, node("Gelu", "g", List.of("x"), List.of("y")), List.of()));
        float[] tanh = run(single(20, node("Gelu", "g", List.of("x"), List.of("y"), str("approximate", "tanh")), List.of()));
        for (int i = 0; i < X.length; i++) {
            double v = X[i];
            assertEquals(0.5 * v * (1 + MathOps.erf(v / Math.sqrt(2))), exact[i], 1e-6);
            assertEquals(0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))), tanh[i], 1e-6);
        }
        assertTrue(Math.abs(exact[1] - tanh[1]) > 1e-5, "tanh approximation equals the exact GELU");
        for (int opset : new int[] {17, 19}) {
            UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class, () -> load(single(opset, node("Gelu", "g", List.of("x"), List.of("y")), List.of())));
            assertEquals("Gelu", e.opType());
            assertMessage(e, "'g'", "from opset 20", "opset " + opset);
        }
        assertMessage(assertThrows(OnnxException.class, () -> run(single(20, node("Gelu", "g", List.of("x"), List.of("y"), str("approximate", "sigmoid")), List.of()))),
                "node 'g'", "Gelu", "'sigmoid'");
    }

    @Test
    void unchangedOperatorsRunAlikeAtEveryOpset() {
        // Cast, Reshape, Shape, Identity, Equal only widened their types in 19; ConstantOfShape in 20
        float[] base = null;
        for (int v = 13; v <= 20; v++) {
            ModelProto m = model(v, List.of(node("Identity", "id", List.of("x"), List.of("i")), node("Shape", "sh", List.of("i"), List.of("s")),
                            node("ConstantOfShape", "c", List.of("s"), List.of("ones"), AttributeProto.newBuilder().setName("value")
                                    .setType(AttributeProto.AttributeType.TENSOR).setT(TestGraphs.floats("one", new float[] {1}, 1)).build()),
                            node("Add", "add", List.of("i", "ones"), List.of("sum")), node("Reshape", "rs", List.of("sum", "shape"), List.of("y"))),
                    List.of(int64s("shape", new long[] {3, 2}, 2)), List.of(floatValue("x", 2, 3)), List.of(anyShape("y", 1)));
            float[] y = run(m);
            if (base == null) base = y;
            assertArrayEquals(base, y, 0f, "opset " + v);
        }
        assertArrayEquals(new float[] {2, -1, 4, 1.5f, 5, 0}, base, 0f);
        // ReduceSum has taken its axes as an input since opset 13: the same node at every opset
        for (int v = 13; v <= 20; v++) {
            assertArrayEquals(new float[] {2, 3.5f}, run(single(v, node("ReduceSum", "rs", List.of("x", "a"), List.of("y"), intAttr("keepdims", 0)),
                    List.of(int64s("a", new long[] {1}, 1)))), 1e-6f, "opset " + v);
        }
    }
}
