package dev.lamina.onnx;

import static dev.lamina.onnx.TestGraphs.floatValue;
import static dev.lamina.onnx.TestGraphs.floats;
import static dev.lamina.onnx.TestGraphs.intAttr;
import static dev.lamina.onnx.TestGraphs.model;
import static dev.lamina.onnx.TestGraphs.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.autograd.Autograd;
import dev.lamina.nn.functional.ConvOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.TensorProto;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

/**
 * Constant weights packed at load (Conv, MatMul, Gemm) compute what the unpacked ops compute, and one loaded model
 * run from 8 threads at once gives every thread the single-thread result bit for bit.
 */
class PackedWeightsTest {
    private final Rng rng = new Rng(21);

    private static TensorProto init(String name, Tensor t) {
        long[] dims = new long[t.dim()];
        for (int i = 0; i < dims.length; i++) dims[i] = t.size(i);
        return floats(name, t.toArray(), dims);
    }

    private static void assertClose(Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        float[] e = expected.toArray(), a = actual.toArray();
        for (int i = 0; i < e.length; i++) assertTrue(Math.abs(e[i] - a[i]) <= 1e-5 * Math.max(1, Math.abs(e[i])), i + ": " + e[i] + " vs " + a[i]);
    }

    @Test
    void matMulAndGemmWithConstantWeightsMatchTheTensorOps() {
        Tensor x3 = Tensor.randn(rng, 2, 5, 40), w = Tensor.randn(rng, 40, 70);       // MatMul, 3-D A
        Tensor wt = Tensor.randn(rng, 70, 33), bias = Tensor.randn(rng, 33);          // Gemm transB with bias
        Tensor wa = Tensor.randn(rng, 33, 9);                                          // Gemm transA (A = [33, 10])
        ModelProto m = model(17, List.of(
                        node("MatMul", "mm", List.of("x", "w"), List.of("h")),
                        node("Reshape", "flat", List.of("h", "shape"), List.of("h2")),
                        node("Gemm", "lin", List.of("h2", "wt", "bias"), List.of("g"), intAttr("transB", 1)),
                        node("Transpose", "t", List.of("g"), List.of("gt")),
                        node("Gemm", "lin2", List.of("gt", "wa"), List.of("y"), intAttr("transA", 1))),
                List.of(init("w", w), TestGraphs.int64s("shape", new long[] {10, 70}, 2), init("wt", wt.t().contiguous()), init("bias", bias), init("wa", wa)),
                List.of(floatValue("x", 2, 5, 40)), List.of(floatValue("y", 10, 9)));
        try (var s = Autograd.noGrad()) {
            Tensor g = x3.matmul(w).reshape(10, 70).matmul(wt).add(bias);
            assertClose(g.matmul(wa), OnnxModel.parse(m.toByteArray()).run(Map.of("x", x3)).get("y"));
            // one row: the batch-1 kernel
            Tensor x1 = Tensor.randn(rng, 1, 1, 40);
            ModelProto one = model(17, List.of(node("MatMul", "mm", List.of("x", "w"), List.of("y"))), List.of(init("w", w)),
                    List.of(floatValue("x", 1, 1, 40)), List.of(floatValue("y", 1, 1, 70)));
            assertClose(x1.matmul(w), OnnxModel.parse(one.toByteArray()).run(Map.of("x", x1)).get("y"));
        }
    }

    @Test
    void eightConcurrentRunsOfOneModelGiveTheSingleThreadBits() throws Exception {
        Tensor wc = Tensor.randn(rng, 16, 3, 3, 3), bc = Tensor.randn(rng, 16), wl = Tensor.randn(rng, 10, 16 * 8 * 8);
        AttributeProto pads = AttributeProto.newBuilder().setName("pads").setType(AttributeProto.AttributeType.INTS).addAllInts(List.of(1L, 1L, 1L, 1L)).build();
        ModelProto m = model(17, List.of(node("Conv", "c", List.of("x", "wc", "bc"), List.of("h"), pads),
                        node("Relu", "r", List.of("h"), List.of("a")), node("Flatten", "f", List.of("a"), List.of("fl")),
                        node("Gemm", "lin", List.of("fl", "wl"), List.of("y"), intAttr("transB", 1))),
                List.of(init("wc", wc), init("bc", bc), init("wl", wl)), List.of(floatValue("x", -1, 3, 8, 8)), List.of(floatValue("y", -1, 10)));
        OnnxModel model = OnnxModel.parse(m.toByteArray());
        List<Tensor> inputs = new ArrayList<>();
        for (int i = 0; i < 8; i++) inputs.add(Tensor.randn(rng, 1 + i % 3, 3, 8, 8));
        List<float[]> expected = new ArrayList<>();
        for (Tensor x : inputs) expected.add(model.run(Map.of("x", x)).get("y").toArray());
        try (var s = Autograd.noGrad()) { // the plain ops agree within rounding
            Tensor h = ConvOp.conv2d(inputs.get(0), wc, bc, 1, 1, 1, 1, 1, 1, 1, 1, 1).relu();
            assertClose(h.reshape(h.size(0), -1).matmul(wl.t()), Tensor.of(expected.get(0), 1, 10));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 5; round++) {
                List<Future<float[]>> runs = new ArrayList<>();
                for (Tensor x : inputs) runs.add(pool.submit(() -> model.run(Map.of("x", x)).get("y").toArray()));
                for (int i = 0; i < runs.size(); i++) assertArrayEquals(expected.get(i), runs.get(i).get(), "thread " + i + " round " + round);
            }
        } finally {
            pool.shutdown();
        }
    }
}
