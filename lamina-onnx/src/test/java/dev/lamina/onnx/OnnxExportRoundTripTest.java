package dev.lamina.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.autograd.Autograd;
import dev.lamina.models.Models;
import dev.lamina.nn.AdaptiveAvgPool1d;
import dev.lamina.nn.AdaptiveAvgPool2d;
import dev.lamina.nn.AvgPool1d;
import dev.lamina.nn.AvgPool2d;
import dev.lamina.nn.BatchNorm1d;
import dev.lamina.nn.BatchNorm2d;
import dev.lamina.nn.BatchNormBase;
import dev.lamina.nn.Conv1d;
import dev.lamina.nn.Conv2d;
import dev.lamina.nn.ConvTranspose1d;
import dev.lamina.nn.ConvTranspose2d;
import dev.lamina.nn.Dropout;
import dev.lamina.nn.Dropout2d;
import dev.lamina.nn.ELU;
import dev.lamina.nn.Embedding;
import dev.lamina.nn.GRU;
import dev.lamina.nn.Flatten;
import dev.lamina.nn.GELU;
import dev.lamina.nn.Hardsigmoid;
import dev.lamina.nn.Hardswish;
import dev.lamina.nn.GlobalAvgPool;
import dev.lamina.nn.GlobalMaxPool;
import dev.lamina.nn.Input;
import dev.lamina.nn.InstanceNorm2d;
import dev.lamina.nn.LSTM;
import dev.lamina.nn.LayerNorm;
import dev.lamina.nn.LeakyReLU;
import dev.lamina.nn.Linear;
import dev.lamina.nn.LogSoftmax;
import dev.lamina.nn.MaxPool1d;
import dev.lamina.nn.MaxPool2d;
import dev.lamina.nn.Module;
import dev.lamina.nn.RMSNorm;
import dev.lamina.nn.ReLU;
import dev.lamina.nn.ReLU6;
import dev.lamina.nn.Reshape;
import dev.lamina.nn.Sequential;
import dev.lamina.nn.SiLU;
import dev.lamina.nn.Sigmoid;
import dev.lamina.nn.Softmax;
import dev.lamina.nn.Tanh;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Export then import: every exportable layer kind, in small Sequential models, gives the same outputs through the
 * ONNX file as Lamina's forward: bit-identical (the importer runs the same kernels, and fuses the exported exact
 * GELU back into one), except GELU's tanh form, written as its formula (rel err ≤ 1e-6). The exported files are
 * also left under target/onnx-export/ for tools/onnx/check_onnx.py (Debian's onnx checker).
 */
class OnnxExportRoundTripTest {
    private static final Path EXPORTS = Path.of("target", "onnx-export");

    /** Non-trivial running statistics and affine parameters so evaluation-mode batch norm is really exercised. */
    private static <M extends Module> M randomizeNorms(M model, Rng rng) {
        for (Module m : allModules(model)) {
            if (m instanceof BatchNormBase b) {
                int c = b.numFeatures();
                b.runningMean().copyFrom_(Tensor.uniform(rng, -0.5, 0.5, c));
                b.runningVar().copyFrom_(Tensor.uniform(rng, 0.5, 1.5, c));
                b.weight().copyFrom_(Tensor.uniform(rng, 0.5, 1.5, c));
                b.bias().copyFrom_(Tensor.uniform(rng, -0.5, 0.5, c));
            }
        }
        return model;
    }

    private static java.util.List<Module> allModules(Module m) {
        java.util.List<Module> out = new java.util.ArrayList<>();
        out.add(m);
        for (Module c : m.children().values()) out.addAll(allModules(c));
        return out;
    }

    static Stream<Arguments> models() {
        Rng rng = new Rng(7);
        return Stream.of(
                Arguments.of("mlp", new Sequential(new Input(20), new Linear(20, 16, true, rng), new ReLU(), new Dropout(0.5, rng.split()),
                        new Linear(16, 8, true, rng), new LeakyReLU(0.2), new Linear(8, 4, false, rng), new Softmax(1)), new int[] {3, 20}),
                Arguments.of("cnn", randomizeNorms(Models.cnn(rng), rng), new int[] {2, 784}),
                Arguments.of("conv2d_variants", randomizeNorms(new Sequential(
                        new Conv2d(2, 4, 3, 2, true, rng).stride(2).padding(1).dilation(2), new ELU(0.7),
                        new ConvTranspose2d(4, 4, 3, 2, true, rng).stride(2).padding(1).outputPadding(1), new GELU(),
                        new Conv2d(4, 6, 3, 1, false, rng).padding("same"), new BatchNorm2d(6), new SiLU(),
                        new InstanceNorm2d(6, 1e-5, true), new Dropout2d(0.3, rng.split()),
                        new AvgPool2d(new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, false, false),
                        new MaxPool2d(new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, null, true),
                        new AdaptiveAvgPool2d(1), new Flatten(), new Linear(6, 3, true, rng), new LogSoftmax(1)), rng), new int[] {2, 2, 11, 9}),
                Arguments.of("conv1d", randomizeNorms(new Sequential(
                        new Conv1d(3, 4, 4, 1, true, rng).padding("same").dilation(2), new BatchNorm1d(4), new Tanh(),
                        new MaxPool1d(3, 2, 1), new Conv1d(4, 6, 3, 2, true, rng).stride(2), new Sigmoid(), new AvgPool1d(2),
                        new GlobalMaxPool(false), new Linear(6, 5, true, rng), new BatchNorm1d(5), new GELU(true)), rng), new int[] {2, 3, 17}),
                Arguments.of("conv_transpose1d", new Sequential(new Conv1d(3, 4, 3, 1, true, rng),
                        new ConvTranspose1d(4, 4, 3, 2, true, rng).stride(2).padding(1).outputPadding(1), new ReLU(),
                        new AdaptiveAvgPool1d(7), new Flatten(), new Linear(28, 3, true, rng)), new int[] {2, 3, 16}),
                Arguments.of("tokens_layernorm", new Sequential(new Linear(6, 8, true, rng), new LayerNorm(8), new GELU(),
                        new Linear(8, 3, true, rng), new Flatten(1, 2), new Reshape(5, 3), new GlobalAvgPool(true)), new int[] {2, 5, 6}),
                Arguments.of("embedding_lstm", new Sequential(new Embedding(10, 6, null, rng),
                        new LSTM(6, 5, 2, true, true, rng).batchFirst(true), new Linear(10, 3, true, rng)), new int[] {2, 7}),
                Arguments.of("gru", new Sequential(new GRU(4, 6, 1, true, false, rng), new Linear(6, 2, true, rng), new Tanh()), new int[] {5, 2, 4}),
                Arguments.of("mobile_activations", randomizeNorms(new Sequential(new Conv2d(3, 6, 3, 1, true, rng).padding(1), new BatchNorm2d(6),
                        new ReLU6(), new Conv2d(6, 6, 3, 6, false, rng).padding(1), new Hardswish(), new Conv2d(6, 4, 1, 1, true, rng),
                        new Hardsigmoid()), rng), new int[] {2, 3, 7, 9}),
                Arguments.of("lstm_nobias", new Sequential(new LSTM(4, 3, 1, false, true, rng)), new int[] {6, 2, 4}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void reimportsWithTheSameOutputs(String name, Module model, int[] inputShape) throws IOException {
        Files.createDirectories(EXPORTS);
        Path file = EXPORTS.resolve(name + ".onnx");
        OnnxExport.export(model, inputShape, file);

        OnnxModel imported = OnnxModel.load(file, OnnxModel.Optimization.BIT_EXACT);
        assertEquals(17, imported.opset());
        assertWeightsCarried(name, model, imported);

        Tensor x = name.startsWith("embedding") ? indices(inputShape, 10) : Tensor.randn(new Rng(11), inputShape);
        model.eval();
        Tensor expected;
        try (var scope = Autograd.noGrad()) {
            expected = model.forward(x);
        }
        Tensor actual = imported.run(Map.of("input", x)).get("output");
        assertArrayEquals(expected.shape(), actual.shape(), name + ": shape");
        if (name.equals("conv1d") || name.equals("mobile_activations")) {
            // GELU's tanh form has no ONNX 17 operator: exported as its formula, it rounds differently from the fused kernel;
            // ONNX's HardSigmoid is α·x + β (α = ⅙ rounded to float), Lamina's Hardsigmoid is relu6(x + 3) / 6
            double err = OnnxFixtures.relativeError(actual.toArray(), expected.toArray());
            assertTrue(err <= 1e-6, name + ": relative error " + err);
        } else {
            assertArrayEquals(expected.toArray(), actual.toArray(), name + ": the same kernels run, so the outputs are identical");
        }

        // with every rewrite (batch norm folded into the convolutions) the outputs agree to float rounding
        double fast = OnnxFixtures.relativeError(OnnxModel.load(file).run(Map.of("input", x)).get("output").toArray(), expected.toArray());
        assertTrue(fast <= 1e-6, name + ": relative error with every rewrite " + fast);

        // the batch dimension is symbolic: another batch size runs too
        Tensor x1 = x.narrow(0, 0, 1).contiguous();
        Tensor y1 = imported.run(Map.of("input", x1)).get("output");
        assertEquals(1, y1.size(0));
    }

    /**
     * Exporters read a layer only through its config record and its parameters: the model rebuilt layer by layer
     * from {@code config()}, with the original's state dict, exports to the very same bytes.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void exportsTheSameGraphWhenRebuiltFromConfigs(String name, Module model, int[] inputShape) {
        Module rebuilt = rebuildFromConfigs(model);
        rebuilt.loadStateDict(model.stateDict(), true);
        assertArrayEquals(OnnxExport.toModelProto(model, inputShape).toByteArray(), OnnxExport.toModelProto(rebuilt, inputShape).toByteArray(), name);
    }

    @Test
    void attentionLayersExportTheSameGraphWhenRebuiltFromConfigs() {
        Rng rng = new Rng(17);
        Sequential model = new Sequential(new dev.lamina.nn.LearnedPositionalEncoding(12, 8, true, rng),
                new dev.lamina.nn.TransformerEncoderLayer(8, 2, 16, 0.1, "gelu", true, true, rng),
                new dev.lamina.nn.MultiheadAttention(8, 4, 0.0, false, true, rng), new LayerNorm(8),
                new dev.lamina.nn.SinusoidalPositionalEncoding(8, 10, true), new Linear(8, 3, true, rng));
        Module rebuilt = rebuildFromConfigs(model);
        rebuilt.loadStateDict(model.stateDict(), true);
        for (boolean causal : new boolean[] {false, true}) {
            assertArrayEquals(OnnxExport.toModelProto(model, new int[] {2, 6, 8}, causal).toByteArray(),
                    OnnxExport.toModelProto(rebuilt, new int[] {2, 6, 8}, causal).toByteArray(), "causal " + causal);
        }
    }

    /** Sequential containers kept, every layer built afresh from its config (other weights until a state dict is loaded). */
    private static Module rebuildFromConfigs(Module m) {
        if (m instanceof Sequential s) {
            Sequential out = new Sequential();
            for (Module c : s.layers()) out.add(rebuildFromConfigs(c));
            return out;
        }
        return m.config().build(new Rng(99));
    }

    private static Tensor indices(int[] shape, int bound) {
        Rng rng = new Rng(13);
        Tensor t = Tensor.zeros(shape);
        float[] v = new float[t.numel()];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextInt(bound);
        return Tensor.of(v, shape);
    }

    /** Every parameter and batch-norm statistic is an initializer under its state-dict name, with the same values. */
    private static void assertWeightsCarried(String name, Module model, OnnxModel imported) {
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
            if (e.getKey().endsWith("num_batches_tracked")) continue;
            // LSTM/GRU weights are exported stacked per layer with ONNX's gate order (checked by the outputs)
            if (e.getKey().matches(".*(weight|bias)_(ih|hh)_l\\d+(_reverse)?")) continue;
            Tensor t = imported.initializer(e.getKey());
            Tensor expected = e.getValue();
            if (t == null) { // Linear on rank > 2 inputs is a MatMul with the transposed weight
                t = imported.initializer(e.getKey() + ".T");
                expected = expected.t();
            }
            assertTrue(t != null, name + ": no initializer " + e.getKey());
            assertArrayEquals(expected.contiguous().toArray(), t.toArray(), name + ": " + e.getKey());
        }
    }

    @Test
    void identicalOutputsWhereTheSameKernelsRun() throws IOException {
        Rng rng = new Rng(3);
        Sequential model = randomizeNorms(Models.cnn(rng), rng);
        Path file = Files.createDirectories(EXPORTS).resolve("cnn_identical.onnx");
        OnnxExport.export(model, new int[] {4, 784}, file);
        Tensor x = Tensor.randn(new Rng(5), 4, 784);
        model.eval();
        Tensor expected;
        try (var scope = Autograd.noGrad()) {
            expected = model.forward(x);
        }
        assertArrayEquals(expected.toArray(), OnnxModel.load(file, OnnxModel.Optimization.BIT_EXACT).run(Map.of("input", x)).get("output").toArray());
    }

    @Test
    void unsupportedLayerIsNamed(@TempDir Path dir) {
        Sequential model = new Sequential(new Linear(4, 4, true, new Rng(1)), new RMSNorm(4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.export(model, new int[] {2, 4}, dir.resolve("m.onnx")));
        assertTrue(e.getMessage().contains("1 (RMSNorm)"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("m.onnx")));
    }

    @Test
    void exportLeavesTrainingModeAsItWas(@TempDir Path dir) throws IOException {
        Sequential model = new Sequential(new Linear(4, 4, true, new Rng(1)), new Dropout(0.5, new Rng(2)));
        model.train();
        OnnxExport.export(model, new int[] {2, 4}, dir.resolve("m.onnx"));
        assertTrue(model.isTraining());
    }
}
