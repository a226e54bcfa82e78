package dev.lamina.onnx;

import static dev.lamina.onnx.TestGraphs.floatValue;
import static dev.lamina.onnx.TestGraphs.int64s;
import static dev.lamina.onnx.TestGraphs.intAttr;
import static dev.lamina.onnx.TestGraphs.model;
import static dev.lamina.onnx.TestGraphs.node;
import static dev.lamina.onnx.TestGraphs.shapeless;
import static dev.lamina.onnx.TestGraphs.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.tensor.DType;
import dev.lamina.tensor.Tensor;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Integer and bool values through hand-built graphs: int64 values far above 2^24 (where a float stops holding every
 * integer) stay exact through the shape ops and integer arithmetic, integer Div and Mod follow the ONNX spec on
 * negative operands, comparisons give BOOL, and integer outputs come back as I64. A fixture test, so it runs on the
 * CPU and on the reference backend.
 */
class OnnxIntegerFixtureTest {
    private static final int INT64 = 7, BOOL = 9;
    private static final long BIG = (1L << 40) + 3;

    private static Map<String, Tensor> run(ModelProto m, Map<String, Tensor> feeds) {
        return OnnxModel.parse(m.toByteArray()).run(feeds);
    }

    private static void fails(Runnable r, String... parts) {
        OnnxException e = assertThrows(OnnxException.class, r::run);
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message lacks '" + p + "': " + e.getMessage());
    }

    @Test
    void bigIntegersStayExactThroughShapeOpsArithmeticAndWhere() {
        long[] x = {BIG, -(BIG + 2), 7, (1L << 41) + 1, -9, 123_456_789_012L};
        List<NodeProto> nodes = List.of(
                node("Reshape", "reshape", List.of("x", "shape32"), List.of("r")),                      // [3, 2]
                node("Transpose", "transpose", List.of("r"), List.of("t")),                             // [2, 3]
                node("Gather", "gather", List.of("t", "rows"), List.of("g"), intAttr("axis", 0)),       // rows swapped
                node("Concat", "concat", List.of("g", "x"), List.of("c"), intAttr("axis", 1)),          // [2, 6]
                node("Slice", "slice", List.of("c", "starts", "ends", "axes"), List.of("s")),            // columns 1..4 → [2, 4]
                node("Add", "add", List.of("s", "big"), List.of("a")),
                node("Mul", "mul", List.of("a", "two"), List.of("m")),
                node("Div", "div", List.of("m", "three"), List.of("d")),
                node("Less", "less", List.of("d", "zero"), List.of("neg")),
                node("Neg", "negate", List.of("d"), List.of("nd")),
                node("Where", "where", List.of("neg", "nd", "d"), List.of("y")));                       // |d|
        ModelProto m = model(17, nodes, List.of(int64s("shape32", new long[] {3, 2}, 2), int64s("rows", new long[] {1, 0}, 2),
                        int64s("starts", new long[] {1}, 1), int64s("ends", new long[] {5}, 1), int64s("axes", new long[] {1}, 1),
                        int64s("big", new long[] {BIG}, 1), int64s("two", new long[] {2}, 1), int64s("three", new long[] {-3}, 1),
                        int64s("zero", new long[] {0}, 1)),
                List.of(value("x", INT64, 2, 3)), List.of(value("y", INT64, 2, 4), shapeless("neg", BOOL)));
        Map<String, Tensor> out = run(m, Map.of("x", Tensor.ofLongs(x, 2, 3)));

        // the same computation on longs: r = x as [3, 2]; t = rᵀ; g = t's rows swapped; c = [g | x]; s = c[:, 1:5]
        long[][] t = {{x[0], x[2], x[4]}, {x[1], x[3], x[5]}};
        long[][] g = {t[1], t[0]};
        long[][] c = new long[2][6];
        for (int i = 0; i < 2; i++) {
            System.arraycopy(g[i], 0, c[i], 0, 3);
            System.arraycopy(x, 3 * i, c[i], 3, 3);
        }
        long[] expected = new long[8];
        boolean[] negative = new boolean[8];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 4; j++) {
                long d = (c[i][j + 1] + BIG) * 2 / -3;   // Java's / truncates toward zero, as ONNX's integer Div does
                negative[i * 4 + j] = d < 0;
                expected[i * 4 + j] = Math.abs(d);
            }
        }
        Tensor y = out.get("y");
        assertEquals(DType.I64, y.dtype());
        assertArrayEquals(new int[] {2, 4}, y.shape());
        assertArrayEquals(expected, y.toLongArray());
        assertEquals(DType.BOOL, out.get("neg").dtype());
        assertArrayEquals(negative, out.get("neg").toBooleanArray());
        // the values really are beyond what a float holds exactly
        assertTrue(expected[0] > (1L << 24) && (long) (float) expected[0] != expected[0] || expected[1] > (1L << 24) && (long) (float) expected[1] != expected[1]);
    }

    /** One binary op on two int64 inputs a and b → y. */
    private static Tensor binary(String op, long[] a, long[] b, long fmod) {
        NodeProto n = fmod < 0 ? node(op, "op", List.of("a", "b"), List.of("y")) : node(op, "op", List.of("a", "b"), List.of("y"), intAttr("fmod", fmod));
        ModelProto m = model(17, List.of(n), List.of(), List.of(value("a", INT64, a.length), value("b", INT64, b.length)), List.of(shapeless("y", op.equals("Div") || op.equals("Mod") ? INT64 : BOOL)));
        return run(m, Map.of("a", Tensor.ofLongs(a, a.length), "b", Tensor.ofLongs(b, b.length))).get("y");
    }

    @Test
    void integerDivAndModFollowTheOnnxSpecOnNegativeOperands() {
        long[] a = {-4, 7, 5, 4, -7, 8, -BIG}, b = {2, -3, 8, -2, 3, 5, 10};
        // Div truncates toward zero
        assertArrayEquals(new long[] {-2, -2, 0, -2, -2, 1, -(BIG / 10)}, binary("Div", a, b, -1).toLongArray());
        // the spec's Mod examples: fmod=0 takes the divisor's sign, fmod=1 the dividend's
        assertArrayEquals(new long[] {0, -2, 5, 0, 2, 3, 1}, binary("Mod", a, b, 0).toLongArray());
        assertArrayEquals(new long[] {0, 1, 5, 0, -1, 3, -9}, binary("Mod", a, b, 1).toLongArray());
        fails(() -> binary("Div", new long[] {1}, new long[] {0}, -1), "'op' (Div)", "division by zero");
    }

    @Test
    void comparisonsOfBigIntegersGiveBool() {
        long[] a = {(1L << 24) + 1, BIG, -BIG}, b = {1L << 24, BIG, -BIG + 1};   // 2^24 + 1 and 2^24 are one float
        Tensor eq = binary("Equal", a, b, -1);
        assertEquals(DType.BOOL, eq.dtype());
        assertArrayEquals(new boolean[] {false, true, false}, eq.toBooleanArray());
        assertArrayEquals(new boolean[] {true, false, false}, binary("Greater", a, b, -1).toBooleanArray());
        assertArrayEquals(new boolean[] {false, true, true}, binary("LessOrEqual", a, b, -1).toBooleanArray());
        assertArrayEquals(new boolean[] {false, false, true}, binary("Less", a, b, -1).toBooleanArray());
        assertArrayEquals(new boolean[] {true, true, false}, binary("GreaterOrEqual", a, b, -1).toBooleanArray());
    }

    @Test
    void integerOutputsComeBackAsI64AndIntegerInputsMayBeWholeFloats() {
        ModelProto m = model(17, List.of(
                        node("Shape", "shape", List.of("x"), List.of("s")),
                        node("ArgMax", "argmax", List.of("x"), List.of("i"), intAttr("axis", 1), intAttr("keepdims", 0)),
                        node("ReduceSum", "sum", List.of("ids"), List.of("total"), intAttr("keepdims", 0)),
                        node("Cast", "cast", List.of("ids"), List.of("narrow"), intAttr("to", 6))),   // int32 wraps
                List.of(), List.of(floatValue("x", 2, 3), value("ids", INT64, 3)),
                List.of(shapeless("s", INT64), shapeless("i", INT64), shapeless("total", INT64), shapeless("narrow", 6)));
        Tensor x = Tensor.of(new float[] {1, 5, 2, 9, 0, 3}, 2, 3);
        Map<String, Tensor> out = run(m, Map.of("x", x, "ids", Tensor.ofLongs(new long[] {BIG, 1L << 32, -1}, 3)));
        for (String name : List.of("s", "i", "total", "narrow")) assertEquals(DType.I64, out.get(name).dtype(), name);
        assertArrayEquals(new long[] {2, 3}, out.get("s").toLongArray());
        assertArrayEquals(new long[] {1, 0}, out.get("i").toLongArray());
        assertArrayEquals(new long[] {BIG + (1L << 32) - 1}, out.get("total").toLongArray());
        assertArrayEquals(new long[] {3, 0, -1}, out.get("narrow").toLongArray());   // (int) (2^40 + 3) = 3, (int) 2^32 = 0
        // an integer input fed as whole floats is converted; a fraction is refused, naming the input
        assertArrayEquals(new long[] {6}, run(m, Map.of("x", x, "ids", Tensor.vector(1, 2, 3))).get("total").toLongArray());
        fails(() -> run(m, Map.of("x", x, "ids", Tensor.vector(1, 2.5f, 3))), "input 'ids'", "whole numbers", "2.5");
        fails(() -> run(m, Map.of("x", Tensor.ofLongs(new long[6], 2, 3), "ids", Tensor.vector(1, 2, 3))), "input 'x'", "F32", "I64");
    }

    @Test
    void aFloatOnlyOpFedIntegersNamesTheNodeTheOpAndTheDtype() {
        ModelProto m = model(17, List.of(node("Relu", "relu_ids", List.of("ids"), List.of("y"))), List.of(),
                List.of(value("ids", INT64, 3)), List.of(shapeless("y", INT64)));
        fails(() -> run(m, Map.of("ids", Tensor.ofLongs(new long[] {1, 2, 3}, 3))), "relu_ids", "Relu", "I64", "float");
        ModelProto mm = model(17, List.of(node("MatMul", "mm", List.of("a", "b"), List.of("y"))), List.of(),
                List.of(value("a", INT64, 2, 2), floatValue("b", 2, 2)), List.of(shapeless("y", 1)));
        fails(() -> run(mm, Map.of("a", Tensor.ofLongs(new long[4], 2, 2), "b", Tensor.zeros(2, 2))), "'mm' (MatMul)", "input 'A'", "I64");
    }

    @Test
    void argMaxAndClipOfIntegersAreExact() {
        ModelProto m = model(17, List.of(
                        node("ArgMax", "argmax", List.of("ids"), List.of("best"), intAttr("axis", 1), intAttr("keepdims", 0)),
                        node("ArgMin", "argmin", List.of("ids"), List.of("worst"), intAttr("axis", 0)),
                        node("Clip", "clip", List.of("ids", "lo", "hi"), List.of("clipped"))),
                List.of(int64s("lo", new long[] {-BIG}, 1), int64s("hi", new long[] {BIG + 1}, 1)), List.of(value("ids", INT64, 2, 2)),
                List.of(shapeless("best", INT64), shapeless("worst", INT64), shapeless("clipped", INT64)));
        // 2^24 and 2^24 + 1 are one float: only an exact comparison finds the larger
        long[] ids = {1L << 24, (1L << 24) + 1, BIG + 7, -BIG - 7};
        Map<String, Tensor> out = run(m, Map.of("ids", Tensor.ofLongs(ids, 2, 2)));
        assertArrayEquals(new long[] {1, 0}, out.get("best").toLongArray());
        assertArrayEquals(new int[] {1, 2}, out.get("worst").shape());
        assertArrayEquals(new long[] {0, 1}, out.get("worst").toLongArray());
        assertArrayEquals(new long[] {1L << 24, (1L << 24) + 1, BIG + 1, -BIG}, out.get("clipped").toLongArray());
    }

    @Test
    void logicOnBoolValues() {
        ModelProto m = model(17, List.of(
                        node("Greater", "gt", List.of("a", "b"), List.of("p")),
                        node("Not", "not", List.of("p"), List.of("q")),
                        node("Xor", "xor", List.of("p", "q"), List.of("all")),
                        node("And", "and", List.of("p", "q"), List.of("none"))),
                List.of(), List.of(value("a", INT64, 3), value("b", INT64, 1)),
                List.of(shapeless("q", BOOL), shapeless("all", BOOL), shapeless("none", BOOL)));
        Map<String, Tensor> out = run(m, Map.of("a", Tensor.ofLongs(new long[] {BIG + 1, BIG, 0}, 3), "b", Tensor.ofLongs(new long[] {BIG}, 1)));
        assertArrayEquals(new boolean[] {false, true, true}, out.get("q").toBooleanArray());
        assertArrayEquals(new boolean[] {true, true, true}, out.get("all").toBooleanArray());
        assertArrayEquals(new boolean[] {false, false, false}, out.get("none").toBooleanArray());
    }
}
