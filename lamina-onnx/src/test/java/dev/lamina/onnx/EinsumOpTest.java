package dev.lamina.onnx;

import static dev.lamina.onnx.TestGraphs.floatValue;
import static dev.lamina.onnx.TestGraphs.model;
import static dev.lamina.onnx.TestGraphs.node;
import static dev.lamina.onnx.TestGraphs.shapeless;
import static dev.lamina.onnx.TestGraphs.stringAttr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Einsum on hand-built graphs: forms PyTorch's exports in {@link ZooOperatorFixtureTest} do not reach, and every rejected equation. */
class EinsumOpTest {
    private static Tensor einsum(String equation, Tensor... xs) {
        List<String> names = new ArrayList<>();
        List<onnx.Onnx.ValueInfoProto> inputs = new ArrayList<>();
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        for (int k = 0; k < xs.length; k++) {
            long[] dims = new long[xs[k].dim()];
            for (int d = 0; d < dims.length; d++) dims[d] = xs[k].size(d);
            names.add("x" + k);
            inputs.add(floatValue("x" + k, dims));
            feeds.put("x" + k, xs[k]);
        }
        var m = model(17, List.of(node("Einsum", "ein", names, List.of("y"), stringAttr("equation", equation))), List.of(), inputs, List.of(shapeless("y", 1)));
        return OnnxModel.parse(m.toByteArray()).run(feeds).get("y");
    }

    private static void fails(String equation, String part, Tensor... xs) {
        OnnxException e = assertThrows(OnnxException.class, () -> einsum(equation, xs));
        assertTrue(e.getMessage().contains("node 'ein' (Einsum)") && e.getMessage().contains(part), "message lacks '" + part + "': " + e.getMessage());
    }

    private static final Tensor A = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);

    @Test
    void transposeSumDotAndOuter() {
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, einsum("ij->ji", A).toArray());
        assertArrayEquals(new float[] {6, 15}, einsum("ij->i", A).toArray());
        Tensor all = einsum("ij->", A);
        assertEquals(0, all.dim());
        assertEquals(21f, all.item());
        assertEquals(91f, einsum("ij,ij->", A, A).item());
        Tensor outer = einsum("i,j", Tensor.of(new float[] {1, 2}, 2), Tensor.of(new float[] {3, 4, 5}, 3));
        assertArrayEquals(new float[] {3, 4, 5, 6, 8, 10}, outer.toArray());
        assertArrayEquals(new int[] {2, 3}, outer.shape());
    }

    @Test
    void implicitOutputIsAlphabeticalAndEllipsisBroadcasts() {
        // "ba" implicit → "ab": the transpose
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, einsum("ba", A).toArray());
        Tensor b = Tensor.of(new float[] {1, 0, 0, 1, 1, 1}, 3, 2);
        Tensor batched = einsum("...ij,jk->...ik", A.reshape(1, 2, 3), b);
        assertArrayEquals(new float[] {4, 5, 10, 11}, batched.toArray());
        assertArrayEquals(new int[] {1, 2, 2}, batched.shape());
        Tensor expanded = einsum("xij,yjk->xyik", A.reshape(1, 2, 3), Tensor.cat(List.of(b.reshape(1, 3, 2), b.reshape(1, 3, 2).mul(2f)), 0));
        assertArrayEquals(new int[] {1, 2, 2, 2}, expanded.shape());
        assertArrayEquals(new float[] {4, 5, 10, 11, 8, 10, 20, 22}, expanded.toArray());
    }

    @Test
    void rejectedEquations() {
        fails("ii->i", "letter 'i' repeated in operand 0 (diagonals are not supported)", Tensor.zeros(2, 2));
        fails("ij,jk->ik", "has 2 operands, the node 1 inputs", A);
        fails("ijk->i", "names 3 dimensions, the input has 2", A);
        fails("ij->iz", "output letter 'z' is in no operand", A);
        fails("ij->ii", "output letter 'i' appears twice", A);
        fails("i1->i", "'1' is not a letter", A);
        fails("ij,ij->i", "dimension 'j' is 3 in one operand and 2 in operand 1", A, Tensor.zeros(2, 2));
        fails("...i...->i", "two ellipses", A);
    }
}
