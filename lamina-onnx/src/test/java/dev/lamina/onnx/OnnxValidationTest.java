package dev.lamina.onnx;

import static dev.lamina.onnx.TestGraphs.addConstant;
import static dev.lamina.onnx.TestGraphs.floatValue;
import static dev.lamina.onnx.TestGraphs.floats;
import static dev.lamina.onnx.TestGraphs.int64s;
import static dev.lamina.onnx.TestGraphs.intAttr;
import static dev.lamina.onnx.TestGraphs.model;
import static dev.lamina.onnx.TestGraphs.node;
import static dev.lamina.onnx.TestGraphs.rawFloats;
import static dev.lamina.onnx.TestGraphs.rawInt64s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import onnx.Onnx.ModelProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.TensorProto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Malformed, unsupported and lying models are rejected with clear messages, before anything runs where possible. */
class OnnxValidationTest {
    private static byte[] fixtureBytes(String fixture) throws IOException {
        return Files.readAllBytes(OnnxFixtures.dir(fixture).resolve("model.onnx"));
    }

    private static OnnxException rejects(ModelProto m) {
        return assertThrows(OnnxException.class, () -> OnnxModel.parse(m.toByteArray()));
    }

    private static void assertMessage(Throwable e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message lacks '" + p + "': " + e.getMessage());
    }

    // ------------------------------------------------------------------------------------------------ bytes

    @Test
    void emptyFile(@TempDir Path dir) throws IOException {
        Path f = Files.write(dir.resolve("empty.onnx"), new byte[0]);
        assertMessage(assertThrows(OnnxException.class, () -> OnnxModel.load(f)), "empty.onnx", "not a valid ONNX model");
    }

    @Test
    void randomBytes() {
        Rng rng = new Rng(1);
        for (int k = 0; k < 200; k++) {
            byte[] b = new byte[1 + (int) (rng.nextDouble() * 300)];
            for (int i = 0; i < b.length; i++) b[i] = (byte) (rng.nextDouble() * 256);
            assertThrows(OnnxException.class, () -> OnnxModel.parse(b));
        }
    }

    @Test
    void badProtobufWireData() {
        // field 7 (graph) as a length-delimited field claiming 100 bytes with only 2 present
        byte[] b = {0x3a, 100, 1, 2};
        assertMessage(assertThrows(OnnxException.class, () -> OnnxModel.parse(b)), "not a valid ONNX model", "protobuf");
        // an end-group tag that was never opened
        assertMessage(assertThrows(OnnxException.class, () -> OnnxModel.parse(new byte[] {0x0c})), "not a valid ONNX model");
    }

    @Test
    void truncatedFilesAreRejected() throws IOException {
        byte[] full = fixtureBytes("onnx_cnn");
        for (int cut = 1; cut < full.length; cut += Math.max(1, full.length / 97)) {
            byte[] b = Arrays.copyOf(full, cut);
            assertThrows(OnnxException.class, () -> OnnxModel.parse(b), "cut at " + cut);
        }
    }

    @Test
    void noGraph() {
        ModelProto m = ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).build();
        assertMessage(rejects(m), "no graph");
    }

    // ------------------------------------------------------------------------------------------------ opsets and operators

    @Test
    void opsetOutsideTheSupportedRange() {
        ModelProto ok = addConstant(floats("c", new float[] {1, 2, 3}, 3));
        for (int v : new int[] {11, 12, 21}) {
            ModelProto m = ok.toBuilder().setOpsetImport(0, OperatorSetIdProto.newBuilder().setDomain("").setVersion(v)).build();
            assertMessage(rejects(m), "opset " + v, "13", "20");
        }
        assertMessage(rejects(ok.toBuilder().clearOpsetImport().build()), "no default-domain opset");
    }

    @Test
    void unsupportedOperatorFailsAtLoadNamingOperatorAndNode() {
        ModelProto m = model(17, List.of(node("Relu", "first", List.of("x"), List.of("h")), node("NonMaxSuppression", "nms_7", List.of("h", "h"), List.of("y"))),
                List.of(), List.of(floatValue("x", 2, 3)), List.of(floatValue("y", 2, 3)));
        UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class, () -> OnnxModel.parse(m.toByteArray()));
        assertEquals("NonMaxSuppression", e.opType());
        assertEquals("nms_7", e.nodeName());
        assertMessage(e, "NonMaxSuppression", "nms_7");
    }

    @Test
    void unsupportedFileErrorNamesTheFile(@TempDir Path dir) throws IOException {
        ModelProto m = model(17, List.of(node("Loop", "loop_1", List.of("x"), List.of("y"))),
                List.of(), List.of(floatValue("x", 2)), List.of(floatValue("y", 2)));
        Path f = Files.write(dir.resolve("loop.onnx"), m.toByteArray());
        UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class, () -> OnnxModel.load(f));
        assertMessage(e, "loop.onnx", "Loop", "loop_1");
    }

    @Test
    void otherDomainsAreUnsupported() {
        ModelProto m = model(17, List.of(node("Relu", "r", List.of("x"), List.of("y")).toBuilder().setDomain("com.microsoft").build()),
                List.of(), List.of(floatValue("x", 2)), List.of(floatValue("y", 2)));
        assertMessage(rejects(m), "com.microsoft::Relu", "'r'");
    }

    @Test
    void wrongInputCount() {
        ModelProto m = model(17, List.of(node("Add", "a", List.of("x"), List.of("y"))), List.of(), List.of(floatValue("x", 2)), List.of(floatValue("y", 2)));
        assertMessage(rejects(m), "node 'a' (Add)", "1 inputs, expected 2");
    }

    @Test
    void unsupportedExtraOutputIsRefusedAtLoad() {
        ModelProto m = model(17, List.of(node("MaxPool", "mp", List.of("x"), List.of("y", "indices"),
                        TestGraphs.intAttr("unused", 0))), List.of(), List.of(floatValue("x", 1, 1, 4, 4)), List.of(floatValue("y", 1, 1, 2, 2)));
        assertMessage(assertThrows(UnsupportedOperatorException.class, () -> OnnxModel.parse(m.toByteArray())), "mp", "output 1");
    }

    @Test
    void nodesOutOfOrderOrUndefinedInputs() {
        ModelProto m = model(17, List.of(node("Relu", "second", List.of("h"), List.of("y")), node("Relu", "first", List.of("x"), List.of("h"))),
                List.of(), List.of(floatValue("x", 2)), List.of(floatValue("y", 2)));
        assertMessage(rejects(m), "'second'", "input 'h' is not defined");
        ModelProto twice = model(17, List.of(node("Relu", "a", List.of("x"), List.of("y")), node("Relu", "b", List.of("x"), List.of("y"))),
                List.of(), List.of(floatValue("x", 2)), List.of(floatValue("y", 2)));
        assertMessage(rejects(twice), "'b'", "already defined");
        ModelProto noOut = model(17, List.of(node("Relu", "a", List.of("x"), List.of("h"))), List.of(), List.of(floatValue("x", 2)), List.of(floatValue("y", 2)));
        assertMessage(rejects(noOut), "graph output 'y'");
    }

    // ------------------------------------------------------------------------------------------------ initializers

    @Test
    void initializerEncodingsAllDecode() {
        Tensor x = Tensor.of(new float[] {1, 1, 1, 2, 2, 2}, 2, 3);
        for (TensorProto c : List.of(floats("c", new float[] {1, 2, 3}, 3), rawFloats("c", new float[] {1, 2, 3}, 3))) {
            Tensor y = OnnxModel.parse(addConstant(c).toByteArray()).run(Map.of("x", x)).get("y");
            assertArrayEquals(new float[] {2, 3, 4, 3, 4, 5}, y.toArray());
        }
        TensorProto dbl = TensorProto.newBuilder().setName("c").setDataType(11).addDims(3).addDoubleData(1).addDoubleData(2).addDoubleData(3).build();
        assertArrayEquals(new float[] {2, 3, 4, 3, 4, 5}, OnnxModel.parse(addConstant(dbl).toByteArray()).run(Map.of("x", x)).get("y").toArray());
        // int64 shapes, typed and raw
        for (TensorProto shape : List.of(int64s("s", new long[] {3, -1}, 2), rawInt64s("s", new long[] {3, -1}, 2))) {
            ModelProto m = model(17, List.of(node("Reshape", "r", List.of("x", "s"), List.of("y"))), List.of(shape),
                    List.of(floatValue("x", 2, 3)), List.of(floatValue("y", 3, 2)));
            assertArrayEquals(new int[] {3, 2}, OnnxModel.parse(m.toByteArray()).run(Map.of("x", x)).get("y").shape());
        }
    }

    @Test
    void rawDataOfTheWrongSize() {
        TensorProto c = rawFloats("c", new float[] {1, 2, 3}, 3).toBuilder().setRawData(ByteString.copyFrom(new byte[10])).build();
        assertMessage(rejects(addConstant(c)), "initializer", "'c'", "12 bytes", "found 10");
        TensorProto s = rawInt64s("s", new long[] {3, -1}, 2).toBuilder().setRawData(ByteString.copyFrom(new byte[12])).build();
        ModelProto m = model(17, List.of(node("Reshape", "r", List.of("x", "s"), List.of("y"))), List.of(s),
                List.of(floatValue("x", 2, 3)), List.of(floatValue("y", 3, 2)));
        assertMessage(rejects(m), "'s'", "16 bytes", "found 12");
    }

    @Test
    void shapesThatLie() {
        assertMessage(rejects(addConstant(floats("c", new float[] {1, 2, 3}, 4))), "'c'", "3 values, expected 4");
        assertMessage(rejects(addConstant(floats("c", new float[] {1, 2, 3}, -3))), "negative dimension");
        assertMessage(rejects(addConstant(floats("c", new float[] {1, 2, 3}, 1L << 40))), "too large");
        assertMessage(rejects(addConstant(floats("c", new float[] {1, 2, 3}, 1 << 20, 1 << 20))), "more than");
        // a graph output declared [N, 5] that really is [N, 3]
        ModelProto m = model(17, List.of(node("Relu", "r", List.of("x"), List.of("y"))), List.of(),
                List.of(floatValue("x", -1, 3)), List.of(floatValue("y", -1, 5)));
        OnnxModel model = OnnxModel.parse(m.toByteArray());
        assertMessage(assertThrows(OnnxException.class, () -> model.run(Map.of("x", Tensor.zeros(2, 3)))), "output 'y'", "[2, 3]", "declares");
    }

    @Test
    void externalDataAndUnsupportedTypes() {
        TensorProto ext = TensorProto.newBuilder().setName("c").setDataType(1).addDims(3).setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(onnx.Onnx.StringStringEntryProto.newBuilder().setKey("location").setValue("weights.bin")).build();
        assertMessage(rejects(addConstant(ext)), "external", "'c'");
        TensorProto str = TensorProto.newBuilder().setName("c").setDataType(8).addDims(1).addStringData(ByteString.copyFromUtf8("a")).build();
        assertMessage(rejects(addConstant(str)), "unsupported element type string");
    }

    // ------------------------------------------------------------------------------------------------ running

    @Test
    void inputsAreCheckedBeforeRunning() throws IOException {
        OnnxModel m = OnnxModel.load(OnnxFixtures.dir("onnx_cnn").resolve("model.onnx"));
        assertMessage(assertThrows(OnnxException.class, () -> m.run(Map.of())), "missing input 'in0'", "[2, 1, 12, 12]");
        assertMessage(assertThrows(OnnxException.class, () -> m.run(Map.of("in0", Tensor.zeros(2, 1, 12, 11)))), "input 'in0'", "[2, 1, 12, 11]", "declares");
        assertMessage(assertThrows(OnnxException.class, () -> m.run(Map.of("in0", Tensor.zeros(2, 1, 12, 12), "extra", Tensor.zeros(1)))), "unknown input 'extra'");
        OnnxModel emb = OnnxModel.load(OnnxFixtures.dir("onnx_embedding").resolve("model.onnx"));
        assertMessage(assertThrows(OnnxException.class, () -> emb.run(Map.of("in0", Tensor.full(0.5f, 3, 4)))), "whole numbers");
    }

    @Test
    void runtimeFailuresNameTheNode() throws IOException {
        OnnxModel emb = OnnxModel.load(OnnxFixtures.dir("onnx_embedding").resolve("model.onnx"));
        OnnxException e = assertThrows(OnnxException.class, () -> emb.run(Map.of("in0", Tensor.full(12f, 3, 4))));
        assertMessage(e, "(Gather)", "index 12 is out of range");
        ModelProto mm = model(17, List.of(node("MatMul", "mm_1", List.of("x", "w"), List.of("y"))), List.of(floats("w", new float[6], 3, 2)),
                List.of(floatValue("x", 2, 4)), List.of(floatValue("y", 2, 2)));
        assertMessage(assertThrows(OnnxException.class, () -> OnnxModel.parse(mm.toByteArray()).run(Map.of("x", Tensor.zeros(2, 4)))), "node 'mm_1' (MatMul)");
        ModelProto bn = model(17, List.of(node("BatchNormalization", "bn", List.of("x", "s", "s", "s", "s"), List.of("y"), intAttr("training_mode", 1))),
                List.of(floats("s", new float[] {1, 1}, 2)), List.of(floatValue("x", 2, 2)), List.of(floatValue("y", 2, 2)));
        assertMessage(assertThrows(OnnxException.class, () -> OnnxModel.parse(bn.toByteArray()).run(Map.of("x", Tensor.zeros(2, 2)))), "'bn'", "training_mode");
    }

    @Test
    void describesTheModel() throws IOException {
        OnnxModel m = OnnxModel.load(OnnxFixtures.dir("onnx_mlp").resolve("model.onnx"));
        assertEquals(17, m.opset());
        assertEquals("in0: float[batch, 10]", m.inputs().get(0).toString());
        assertEquals("out0: float[batch, 4]", m.outputs().get(0).toString());
        assertEquals(Map.of("Gemm", 3, "Relu", 1, "Sigmoid", 1, "Tanh", 1), m.operatorCounts());
        assertEquals(10 * 16 + 16 + 16 * 8 + 8 + 8 * 4 + 4, m.parameterCount());
    }
}
