package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.autograd.Autograd;
import dev.lamina.io.Npy;
import dev.lamina.io.NpyArray;
import dev.lamina.io.Safetensors;
import dev.lamina.models.Models;
import dev.lamina.nn.Sequential;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import onnx.Onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lamina onnx run|info} and {@code lamina export --format onnx}, end to end through the command line. */
class OnnxCliTest {
    /** The lamina-onnx fixtures, from the module directory Maven runs the tests in. */
    private static final Path FIXTURES = Path.of("..", "lamina-onnx", "src", "test", "resources", "fixtures");

    private static CliRun run(String... args) {
        return CliRun.run(args);
    }

    private static double relErr(float[] a, float[] b) {
        double diff = 0, scale = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs((double) a[i] - b[i]));
            scale = Math.max(scale, Math.abs((double) b[i]));
        }
        return diff / Math.max(scale, 1e-6);
    }

    @Test
    void runWritesEveryOutputMatchingPyTorch(@TempDir Path dir) throws IOException {
        Path fx = FIXTURES.resolve("onnx_lstm");
        CliRun r = run("onnx", "run", fx.resolve("model.onnx").toString(), "--input", "in0=" + fx.resolve("in0.npy"), "--output-dir", dir.resolve("out").toString());
        assertEquals(0, r.code(), r.err());
        for (String o : new String[] {"out0", "out1"}) {
            NpyArray got = Npy.read(dir.resolve("out").resolve(o + ".npy")), want = Npy.read(fx.resolve(o + ".npy"));
            assertArrayEquals(want.shape(), got.shape(), o);
            assertTrue(relErr(got.data(), want.data()) <= 1e-4, o);
        }
        assertTrue(r.out().contains("out0 [2, 5, 3]"), r.out());
    }

    /** A tensor input or output of ONNX element type {@code type} and the given dims. */
    private static Onnx.ValueInfoProto valueInfo(String name, int type, long... dims) {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
        for (long d : dims) shape.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        return Onnx.ValueInfoProto.newBuilder().setName(name)
                .setType(Onnx.TypeProto.newBuilder().setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape))).build();
    }

    @Test
    void runWritesIntegerAndBoolOutputsInTheirOwnDtype(@TempDir Path dir) throws IOException {
        // ids (int64) + 2^40 → big (int64, beyond what a float holds exactly); ids > 1 → mask (bool)
        long big = 1L << 40;
        Onnx.GraphProto g = Onnx.GraphProto.newBuilder().setName("ints")
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Add").setName("add").addInput("ids").addInput("offset").addOutput("big"))
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Greater").setName("gt").addInput("ids").addInput("one").addOutput("mask"))
                .addInitializer(Onnx.TensorProto.newBuilder().setName("offset").setDataType(7).addDims(1).addInt64Data(big))
                .addInitializer(Onnx.TensorProto.newBuilder().setName("one").setDataType(7).addDims(1).addInt64Data(1))
                .addInput(valueInfo("ids", 7, 3)).addOutput(valueInfo("big", 7, 3)).addOutput(valueInfo("mask", 9, 3)).build();
        Onnx.ModelProto m = Onnx.ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).setGraph(g).build();
        Path model = dir.resolve("ints.onnx"), ids = dir.resolve("ids.npy");
        Files.write(model, m.toByteArray());
        Npy.write(ids, new int[] {3}, new long[] {0, 1, 2});
        CliRun r = run("onnx", "run", model.toString(), "--input", "ids=" + ids, "--output-dir", dir.resolve("out").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("big [3] I64"), r.out());
        assertTrue(r.out().contains("mask [3] BOOL"), r.out());
        NpyArray bigOut = Npy.read(dir.resolve("out").resolve("big.npy")), mask = Npy.read(dir.resolve("out").resolve("mask.npy"));
        assertEquals("<i8", bigOut.dtype());
        assertEquals("|b1", mask.dtype());
        assertArrayEquals(new float[] {0, 0, 1}, mask.data());
        // the int64 file holds the exact values: read its payload (after the 128-byte header) as longs
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(Files.readAllBytes(dir.resolve("out").resolve("big.npy"))).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(128 + 3 * 8, b.capacity());
        assertArrayEquals(new long[] {big, big + 1, big + 2}, new long[] {b.getLong(128), b.getLong(136), b.getLong(144)});
    }

    @Test
    void runTakesInt64Indices(@TempDir Path dir) throws IOException {
        Path fx = FIXTURES.resolve("onnx_embedding");
        CliRun r = run("onnx", "run", fx.resolve("model.onnx").toString(), "--input", "in0=" + fx.resolve("in0.npy"), "--output-dir", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(relErr(Npy.read(dir.resolve("out0.npy")).data(), Npy.read(fx.resolve("out0.npy")).data()) <= 1e-4);
    }

    @Test
    void infoPrintsInputsOutputsOpsetAndOperatorCounts() {
        CliRun r = run("onnx", "info", FIXTURES.resolve("onnx_cnn").resolve("model.onnx").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("opset:      17"), r.out());
        assertTrue(r.out().contains("in0: float[2, 1, 12, 12]"), r.out());
        assertTrue(r.out().contains("out0: float[2, 3]"), r.out());
        assertTrue(r.out().matches("(?s).*Conv\\s+2\\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*BatchNormalization\\s+2\\n.*"), r.out());
    }

    @Test
    void clearErrorsForBadInputs(@TempDir Path dir) throws IOException {
        Path fx = FIXTURES.resolve("onnx_cnn");
        String model = fx.resolve("model.onnx").toString(), outDir = dir.resolve("o").toString();
        CliRun unknown = run("onnx", "run", model, "--input", "other=" + fx.resolve("in0.npy"), "--output-dir", outDir);
        assertNotEquals(0, unknown.code());
        assertTrue(unknown.err().contains("--input other=") && unknown.err().contains("unknown input name 'other'") && unknown.err().contains("has the inputs in0: "),
                "an unknown name is reported as unknown, with the model's inputs: " + unknown.err());

        Path wrong = dir.resolve("wrong.npy");
        Npy.write(wrong, new int[] {2, 1, 12, 10}, new float[240]);
        CliRun shape = run("onnx", "run", model, "--input", "in0=" + wrong, "--output-dir", outDir);
        assertNotEquals(0, shape.code());
        assertTrue(shape.err().contains("[2, 1, 12, 10]") && shape.err().contains("declares"), shape.err());

        CliRun noFile = run("onnx", "run", model, "--input", "in0=" + dir.resolve("absent.npy"), "--output-dir", outDir);
        assertNotEquals(0, noFile.code());
        assertTrue(noFile.err().contains("absent.npy"), noFile.err());

        CliRun syntax = run("onnx", "run", model, "--input", "in0", "--output-dir", outDir);
        assertNotEquals(0, syntax.code());
        assertTrue(syntax.err().contains("NAME=FILE.npy"), syntax.err());
        assertTrue(Files.notExists(dir.resolve("o")), "nothing written on failure");
    }

    @Test
    void clearErrorsForBadModels(@TempDir Path dir) throws IOException {
        Path junk = Files.write(dir.resolve("junk.onnx"), new byte[] {0x3a, 100, 1, 2});
        CliRun bad = run("onnx", "info", junk.toString());
        assertNotEquals(0, bad.code());
        assertTrue(bad.err().contains("junk.onnx") && bad.err().contains("not a valid ONNX model"), bad.err());

        Onnx.ModelProto m = Onnx.ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setVersion(17))
                .setGraph(Onnx.GraphProto.newBuilder()
                        .addNode(Onnx.NodeProto.newBuilder().setOpType("Celu").setName("celu_0").addInput("x").addOutput("y"))
                        .addInput(Onnx.ValueInfoProto.newBuilder().setName("x"))
                        .addOutput(Onnx.ValueInfoProto.newBuilder().setName("y")))
                .build();
        Path celu = Files.write(dir.resolve("celu.onnx"), m.toByteArray());
        CliRun unsupported = run("onnx", "run", celu.toString(), "--input", "x=" + FIXTURES.resolve("onnx_mlp").resolve("in0.npy"), "--output-dir", dir.toString());
        assertNotEquals(0, unsupported.code());
        assertTrue(unsupported.err().contains("unsupported operator Celu") && unsupported.err().contains("celu_0"), unsupported.err());

        CliRun absent = run("onnx", "info", dir.resolve("absent.onnx").toString());
        assertNotEquals(0, absent.code());
        assertTrue(absent.err().contains("absent.onnx"), absent.err());
    }

    @Test
    void exportedTrainedWeightsRunThroughOnnx(@TempDir Path dir) throws IOException {
        // "trained" weights: a model with its own seed saved as a state dict, exported from a model built with another seed
        Sequential trained = Models.create("mlp", new Rng(123));
        Path weights = dir.resolve("mlp.safetensors");
        Safetensors.write(weights, trained.stateDict());
        Path onnx = dir.resolve("mlp.onnx");
        CliRun r = run("export", "--model", "mlp", "--weights", weights.toString(), "--format", "onnx", "--output", onnx.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("input [N, 784]"), r.out());

        Tensor x = Tensor.randn(new Rng(9), 3, 784);
        Path in = dir.resolve("x.npy");
        Npy.write(in, x.shape(), x.toArray());
        CliRun ran = run("onnx", "run", onnx.toString(), "--input", "input=" + in, "--output-dir", dir.toString());
        assertEquals(0, ran.code(), ran.err());
        Tensor expected;
        trained.eval();
        try (var scope = Autograd.noGrad()) {
            expected = trained.forward(x);
        }
        assertArrayEquals(expected.toArray(), Npy.read(dir.resolve("output.npy")).data());
    }

    @Test
    void exportsAModelSavedByTrainSave(@TempDir Path dir) throws IOException {
        // the file format of `lamina train --save` (Models.save): weights plus the model name in the metadata
        Sequential trained = Models.create("rowlstm", new Rng(5));
        Path saved = dir.resolve("rowlstm.safetensors");
        Models.save(trained, "rowlstm", saved);
        Path onnx = dir.resolve("rowlstm.onnx");
        CliRun r = run("export", "--weights", saved.toString(), "--output", onnx.toString());
        assertEquals(0, r.code(), r.err());
        Tensor x = Tensor.rand(new Rng(6), 2, 784);
        Path in = dir.resolve("x.npy");
        Npy.write(in, x.shape(), x.toArray());
        assertEquals(0, run("onnx", "run", onnx.toString(), "--input", "input=" + in, "--output-dir", dir.toString()).code());
        Tensor expected;
        trained.eval();
        try (var scope = Autograd.noGrad()) {
            expected = trained.forward(x);
        }
        assertArrayEquals(expected.toArray(), Npy.read(dir.resolve("output.npy")).data());
        CliRun wrong = run("export", "--weights", saved.toString(), "--model", "cnn", "--output", onnx.toString());
        assertNotEquals(0, wrong.code());
        assertTrue(wrong.err().contains("holds a 'rowlstm' model"), wrong.err());
    }

    @Test
    void exportCnnWithoutWeightsWarnsAndInfoDescribesIt(@TempDir Path dir) {
        Path onnx = dir.resolve("cnn.onnx");
        CliRun r = run("export", "--model", "cnn", "--output", onnx.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("untrained"), r.err());
        CliRun info = run("onnx", "info", onnx.toString());
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("input: float[N, 784]") && info.out().contains("output: float[N, 10]"), info.out());
        // 421,834 parameters (PyTorch's count) + 2·(32 + 64) batch-norm statistics + the 4 values of the Reshape target
        assertTrue(info.out().contains("weights:    422,030 values"), info.out());
    }

    @Test
    void exportErrors(@TempDir Path dir) throws IOException {
        CliRun neither = run("export", "--output", dir.resolve("m").toString());
        assertNotEquals(0, neither.code());
        assertTrue(neither.err().contains("--weights") && neither.err().contains("--model"), neither.err());
        CliRun format = run("export", "--model", "mlp", "--format", "tflite", "--output", dir.resolve("m").toString());
        assertNotEquals(0, format.code());
        assertTrue(format.err().contains("unknown export format 'tflite'"), format.err());
        Path partial = dir.resolve("partial.safetensors");
        Safetensors.write(partial, java.util.Map.of("1.weight", Tensor.zeros(256, 784)));
        CliRun missing = run("export", "--model", "mlp", "--weights", partial.toString(), "--output", dir.resolve("m.onnx").toString());
        assertNotEquals(0, missing.code());
        assertTrue(missing.err().contains("1.bias"), missing.err());
        assertTrue(Files.notExists(dir.resolve("m.onnx")));
    }
}
