package dev.lamina.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.autograd.Autograd;
import dev.lamina.models.CharLstm;
import dev.lamina.models.CharTransformer;
import dev.lamina.models.LanguageModel;
import dev.lamina.nn.LayerNorm;
import dev.lamina.nn.LearnedPositionalEncoding;
import dev.lamina.nn.Linear;
import dev.lamina.nn.Module;
import dev.lamina.nn.MultiheadAttention;
import dev.lamina.nn.Sequential;
import dev.lamina.nn.SinusoidalPositionalEncoding;
import dev.lamina.nn.TransformerEncoder;
import dev.lamina.nn.TransformerEncoderLayer;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import onnx.Onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Export then import of attention layers and the character language models. The ONNX graph is written with ONNX
 * operators (MatMul, Split, Softmax, Trilu, LayerNormalization, ...); the importer fuses each attention chain back
 * into Lamina's attention kernel ({@link AttentionFusion}), so the outputs are bit-identical to Lamina's forward.
 * With the fusion prevented (the attention weights made a graph output), the plain operators agree within a
 * relative error of 1e-6 (max |Δ| / max |expected|): the importer's Softmax sums in double, the kernel in float.
 * The files are left under target/onnx-export/ for tools/fixtures/check_onnx_export.py.
 */
class OnnxAttentionExportTest {
    private static final Path EXPORTS = Path.of("target", "onnx-export");
    private static final double TOLERANCE = 1e-6;

    /** Biases start at zero and LayerNorms at (1, 0): move every parameter so that none of them is trivial. */
    private static <M extends Module> M perturb(M m, Rng rng) {
        for (Tensor p : m.parameters()) p.copyFrom_(p.add(Tensor.uniform(rng, -0.3, 0.3, p.shape())));
        return m;
    }

    private static Tensor lamina(Module m, Function<Tensor, Tensor> forward, Tensor x) {
        m.eval();
        try (var scope = Autograd.noGrad()) {
            return forward.apply(x);
        }
    }

    /** Bit-identical: the same kernels run (attention fused back, GELU fused back, MatMul + Add = Linear). */
    private static void assertSame(String what, Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        assertArrayEquals(expected.toArray(), actual.toArray(), what + ": identical outputs");
    }

    private static void assertClose(String what, Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double err = OnnxFixtures.relativeError(actual.toArray(), expected.toArray());
        assertTrue(err <= TOLERANCE, what + ": relative error " + err);
    }

    private static OnnxModel export(String name, Module m, int[] shape, boolean causal) throws IOException {
        Path file = Files.createDirectories(EXPORTS).resolve(name + ".onnx");
        OnnxExport.export(m, shape, causal, file);
        return OnnxModel.load(file);
    }

    // ------------------------------------------------------------------------------------------------ attention

    static Stream<Arguments> attentionCases() {
        return Stream.of(
                Arguments.of("mha_batch_first", true, false, true),
                Arguments.of("mha_batch_first_causal", true, true, true),
                Arguments.of("mha_seq_first", false, false, true),
                Arguments.of("mha_seq_first_causal", false, true, true),
                Arguments.of("mha_nobias_causal", true, true, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attentionCases")
    void multiheadAttention(String name, boolean batchFirst, boolean causal, boolean bias) throws IOException {
        Rng rng = new Rng(21);
        MultiheadAttention mha = perturb(new MultiheadAttention(12, 3, 0.2, bias, batchFirst, rng), rng);
        int[] shape = batchFirst ? new int[] {2, 7, 12} : new int[] {7, 2, 12};
        OnnxModel m = export(name, mha, shape, causal);
        assertTrue(m.operatorCounts().containsKey("Softmax") && m.operatorCounts().containsKey("Split"), m.operatorCounts().toString());
        assertEquals(causal, m.operatorCounts().containsKey("Trilu"), m.operatorCounts().toString());
        assertTrue(m.initializer("in_proj_weight.T") != null, "in_proj_weight carried (transposed)");
        Tensor x = Tensor.randn(new Rng(22), shape);
        Tensor expected = lamina(mha, t -> mha.forward(t, t, t, null, null, false, true, causal).output(), x);
        assertSame(name, expected, m.run(Map.of("input", x)).get("output"));
        // length and batch are both free: [N, L, E] or [L, N, E]
        assertEquals(batchFirst ? "input: float[N, L, 12]" : "input: float[L, N, 12]", m.inputs().get(0).toString());
        {
            Tensor x2 = Tensor.randn(new Rng(24), 4, 3, 12);
            assertSame(name + " [4, 3, 12]", lamina(mha, t -> mha.forward(t, t, t, null, null, false, true, causal).output(), x2),
                    m.run(Map.of("input", x2)).get("output"));
        }
        // the causal mask really masks: position 0 of the causal graph ignores the later positions
        if (causal) {
            int lAxis = batchFirst ? 1 : 0;
            Tensor other = Tensor.cat(java.util.List.of(x.narrow(lAxis, 0, 3), Tensor.randn(new Rng(23), x.narrow(lAxis, 3, 4).shape())), lAxis).contiguous();
            Tensor y0 = m.run(Map.of("input", x)).get("output").narrow(lAxis, 0, 3);
            Tensor y1 = m.run(Map.of("input", other)).get("output").narrow(lAxis, 0, 3);
            assertArrayEquals(y0.contiguous().toArray(), y1.contiguous().toArray(), name + ": earlier positions unaffected by later ones");
        }
    }

    static Stream<Arguments> encoderLayerCases() {
        return Stream.of(
                Arguments.of("encoder_layer_post_relu", false, "relu", true, false),
                Arguments.of("encoder_layer_post_gelu_seq_first", false, "gelu", false, false),
                Arguments.of("encoder_layer_pre_relu_seq_first_causal", true, "relu", false, true),
                Arguments.of("encoder_layer_pre_gelu", true, "gelu", true, false),
                Arguments.of("encoder_layer_pre_gelu_causal", true, "gelu", true, true),
                Arguments.of("encoder_layer_post_gelu_causal", false, "gelu", true, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("encoderLayerCases")
    void encoderLayer(String name, boolean normFirst, String activation, boolean batchFirst, boolean causal) throws IOException {
        Rng rng = new Rng(31);
        TransformerEncoderLayer layer = perturb(new TransformerEncoderLayer(16, 4, 24, 0.1, activation, normFirst, batchFirst, rng), rng);
        int[] shape = batchFirst ? new int[] {3, 6, 16} : new int[] {6, 3, 16};
        OnnxModel m = export(name, layer, shape, causal);
        Tensor x = Tensor.randn(new Rng(32), shape);
        Tensor expected = lamina(layer, t -> layer.forward(t, null, null, causal), x);
        assertSame(name, expected, m.run(Map.of("input", x)).get("output"));
        Tensor x2 = Tensor.randn(new Rng(33), 5, 2, 16); // other length and batch: both are free
        assertSame(name + " [5, 2, 16]", lamina(layer, t -> layer.forward(t, null, null, causal), x2), m.run(Map.of("input", x2)).get("output"));
        assertEquals(2, m.operatorCounts().get("LayerNormalization"));
        // dropout (p = 0.1) is the identity in the export, as in evaluation
        assertTrue(!m.operatorCounts().containsKey("Dropout"));
    }

    @Test
    void encoderStackWithPositionsInASequential() throws IOException {
        Rng rng = new Rng(41);
        for (boolean batchFirst : new boolean[] {true, false}) {
            Module positions = batchFirst ? new LearnedPositionalEncoding(10, 8, true, rng) : new SinusoidalPositionalEncoding(8, 10, false);
            TransformerEncoder enc = new TransformerEncoder(() -> new TransformerEncoderLayer(8, 2, 16, 0.1, "gelu", batchFirst, batchFirst, rng), 2,
                    new LayerNorm(8));
            Sequential model = perturb(new Sequential(new Linear(5, 8, true, rng), positions, enc, new Linear(8, 3, true, rng)), rng);
            int[] shape = batchFirst ? new int[] {2, 9, 5} : new int[] {9, 2, 5};
            String name = batchFirst ? "encoder_stack_learned_positions" : "encoder_stack_sinusoidal_seq_first";
            OnnxModel m = export(name, model, shape, false);
            Tensor x = Tensor.randn(new Rng(42), shape);
            assertSame(name, lamina(model, model::forward, x), m.run(Map.of("input", x)).get("output"));
            assertEquals(5, m.operatorCounts().get("LayerNormalization"), name + ": 2 per layer and the final norm");
            {
                String dims = batchFirst ? "N, L" : "L, N";
                assertEquals("input: float[" + dims + ", 5]", m.inputs().get(0).toString());
                assertEquals("output: float[" + dims + ", 3]", m.outputs().get(0).toString());
                Tensor x2 = Tensor.randn(new Rng(43), 4, 3, 5);
                assertSame(name + " [4, 3, 5]", lamina(model, model::forward, x2), m.run(Map.of("input", x2)).get("output"));
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ language models

    private static Tensor ids(Rng rng, int vocab, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] v = new float[t.numel()];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextInt(vocab);
        return Tensor.of(v, shape);
    }

    private static OnnxModel exportLanguageModel(String name, LanguageModel lm) throws IOException {
        Path file = Files.createDirectories(EXPORTS).resolve(name + ".onnx");
        OnnxExport.exportLanguageModel(lm, file);
        OnnxModel m = OnnxModel.load(file);
        assertEquals("ids: int64[N, T]", m.inputs().get(0).toString());
        assertEquals("logits: float[N, T, " + lm.vocabSize() + "]", m.outputs().get(0).toString());
        return m;
    }

    /** Logits of the ONNX model equal Lamina's {@code logits} for several batch sizes and lengths (the graph's N and T are free). */
    private static void assertSameLogits(String name, LanguageModel lm, OnnxModel m, int vocab, int[][] shapes) {
        Rng rng = new Rng(51);
        for (int[] s : shapes) {
            Tensor x = ids(rng, vocab, s);
            assertSame(name + " " + s[0] + "x" + s[1], lamina(lm, lm::logits, x), m.run(Map.of("ids", x)).get("logits"));
        }
    }

    @Test
    void charLstm() throws IOException {
        CharLstm lm = new CharLstm(11, 6, 9, 2, new Rng(61));
        OnnxModel m = exportLanguageModel("char_lstm", lm);
        assertEquals(2, m.operatorCounts().get("LSTM"));
        assertSameLogits("char_lstm", lm, m, 11, new int[][] {{2, 8}, {3, 13}, {1, 1}});
    }

    @Test
    void charTransformer() throws IOException {
        CharTransformer lm = perturb(new CharTransformer(13, 12, 16, 4, 32, 2, 0.1, new Rng(71)), new Rng(72));
        OnnxModel m = exportLanguageModel("char_transformer", lm);
        assertEquals(1, m.operatorCounts().get("Trilu"), "one causal mask shared by both layers");
        assertSameLogits("char_transformer", lm, m, 13, new int[][] {{2, 12}, {3, 5}, {1, 1}});
        // per layer: Transpose, MatMul, Mul, Add, Softmax fused into the last MatMul; GELU's Div, Erf, Add, Mul into its last Mul;
        // after each of the two sub-layers, the bias Add and the residual Add in one element-wise pass
        assertEquals(m.nodeCount() - 2 * 5 - 2 * 4 - 2 * 2 - m.foldedNodeCount(), m.executedNodeCount());
        assertEquals(4, m.executedOperatorCounts().get(ChainFusion.CHAIN));
        // longer than the context: no position rows left, as Lamina refuses it too
        Tensor tooLong = ids(new Rng(73), 13, 1, 13);
        assertThrows(OnnxException.class, () -> m.run(Map.of("ids", tooLong)));
        assertThrows(RuntimeException.class, () -> lamina(lm, lm::logits, tooLong));
    }

    @Test
    void plainOperatorsAgreeWithoutTheFusion() {
        CharTransformer lm = perturb(new CharTransformer(13, 12, 16, 4, 32, 2, 0.1, new Rng(74)), new Rng(75));
        Onnx.ModelProto proto = OnnxExport.toModelProto(lm);
        // the attention weights of every layer as extra graph outputs: the chains are no longer private, so nothing fuses
        Onnx.GraphProto.Builder g = proto.getGraph().toBuilder();
        int softmaxes = 0;
        for (Onnx.NodeProto n : proto.getGraph().getNodeList()) {
            if (n.getOpType().equals("Softmax")) {
                g.addOutput(Onnx.ValueInfoProto.newBuilder().setName(n.getOutput(0)));
                softmaxes++;
            }
        }
        assertEquals(2, softmaxes);
        OnnxModel plain = OnnxModel.parse(proto.toBuilder().setGraph(g).build().toByteArray());
        assertEquals(plain.nodeCount() - 2 * 4 - 2 * 3 - plain.foldedNodeCount(), plain.executedNodeCount(),
                "the two GELUs fused, per layer the scale and mask (Mul, Add) and each sub-layer's bias and residual Adds in one pass each, no attention");
        assertFalse(plain.executedOperatorCounts().containsKey("lamina.Attention"));
        Tensor x = ids(new Rng(76), 13, 2, 12);
        Map<String, Tensor> out = plain.run(Map.of("ids", x));
        assertClose("unfused char_transformer", lamina(lm, lm::logits, x), out.get("logits"));
        for (Map.Entry<String, Tensor> e : out.entrySet()) {
            if (e.getKey().equals("logits")) continue;
            Tensor w = e.getValue(); // [N, H, T, T], causal: nothing above the diagonal, rows sum to 1
            assertArrayEquals(new int[] {2, 4, 12, 12}, w.shape());
            float[] a = w.toArray();
            for (int r = 0; r < 2 * 4 * 12; r++) {
                int i = r % 12;
                double sum = 0;
                for (int j = 0; j < 12; j++) {
                    if (j > i) assertEquals(0f, a[r * 12 + j], e.getKey() + ": weight above the diagonal");
                    sum += a[r * 12 + j];
                }
                assertEquals(1.0, sum, 1e-5);
            }
        }
    }

    @Test
    void fusedAttentionFallsBackToTheOperatorsWhenShapesDoNotFitTheKernel() {
        // K broadcasts over the batch (ONNX MatMul allows it, the kernel does not): the fused node runs the operators
        float c = 0.35f;
        java.util.List<Onnx.NodeProto> nodes = java.util.List.of(
                TestGraphs.node("Transpose", "kt", java.util.List.of("k"), java.util.List.of("kt"),
                        Onnx.AttributeProto.newBuilder().setName("perm").setType(Onnx.AttributeProto.AttributeType.INTS).addAllInts(java.util.List.of(0L, 1L, 3L, 2L)).build()),
                TestGraphs.node("MatMul", "qk", java.util.List.of("q", "kt"), java.util.List.of("s")),
                TestGraphs.node("Mul", "scale", java.util.List.of("s", "c"), java.util.List.of("ss")),
                TestGraphs.node("Softmax", "sm", java.util.List.of("ss"), java.util.List.of("p"), TestGraphs.intAttr("axis", -1)),
                TestGraphs.node("MatMul", "pv", java.util.List.of("p", "v"), java.util.List.of("y")));
        Onnx.ModelProto proto = TestGraphs.model(17, nodes, java.util.List.of(TestGraphs.floats("c", new float[] {c})),
                java.util.List.of(TestGraphs.floatValue("q", 2, 2, 3, 4), TestGraphs.floatValue("k", 1, 2, 5, 4), TestGraphs.floatValue("v", 2, 2, 5, 3)),
                java.util.List.of(TestGraphs.floatValue("y", 2, 2, 3, 3)));
        OnnxModel m = OnnxModel.parse(proto.toByteArray());
        assertEquals(1, m.executedNodeCount(), "fused into one node");
        Rng rng = new Rng(91);
        Tensor q = Tensor.randn(rng, 2, 2, 3, 4), k = Tensor.randn(rng, 1, 2, 5, 4), v = Tensor.randn(rng, 2, 2, 5, 3);
        Tensor expected = q.matmul(k.transpose(-1, -2)).mul(c).softmax(-1).matmul(v);
        assertSame("broadcast K", expected, m.run(Map.of("q", q, "k", k, "v", v)).get("y"));
        // K of the full batch: Lamina's kernel runs, within float rounding of the operators
        Tensor k2 = Tensor.randn(rng, 2, 2, 5, 4);
        Onnx.ModelProto full = proto.toBuilder().setGraph(proto.getGraph().toBuilder().setInput(1, TestGraphs.floatValue("k", 2, 2, 5, 4))).build();
        Tensor y = OnnxModel.parse(full.toByteArray()).run(Map.of("q", q, "k", k2, "v", v)).get("y");
        assertClose("kernel", q.matmul(k2.transpose(-1, -2)).mul(c).softmax(-1).matmul(v), y);
        assertSame("kernel = AttentionOp", dev.lamina.nn.functional.AttentionOp.scaledDotProductAttention(q, k2, v, null, null, false, 0, false, c, null).output(), y);
    }

    @Test
    void modelProbeDoesNotChangeTrainingMode() {
        CharTransformer lm = new CharTransformer(5, 4, 8, 2, 8, 1, 0.1, new Rng(81));
        lm.train();
        OnnxExport.toModelProto(lm);
        assertTrue(lm.isTraining());
    }
}
