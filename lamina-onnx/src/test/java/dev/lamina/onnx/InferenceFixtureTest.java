package dev.lamina.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The infer_* fixtures (tools/fixtures/make_infer_fixtures.py): reduced-width torchvision architectures and BERT- and
 * GPT-shaped transformers, exported by PyTorch, match PyTorch's float64 outputs through the fused plan, and the
 * chains the engine fuses are fused.
 */
class InferenceFixtureTest {
    static Stream<String> fixtures() {
        return OnnxFixtures.cases().stream().filter(c -> c.startsWith("infer_"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void matchesPyTorch(String fixture) throws IOException {
        OnnxFixtures.runAndCompare(fixture, 17);
    }

    @Test
    void allSevenArchitecturesArePresent() {
        assertEquals(7, fixtures().count(), "infer_* fixtures: " + OnnxFixtures.cases());
    }

    private static Map<String, Integer> executed(String fixture) throws IOException {
        return OnnxModel.load(OnnxFixtures.dir(fixture).resolve("model.onnx")).executedOperatorCounts();
    }

    @Test
    void convolutionsTakeTheirActivationsAndResidualsIntoTheEpilogue() throws IOException {
        Map<String, Integer> resnet = executed("infer_resnet_basic");
        // every ReLU follows a convolution (directly or after the residual Add): none is left, nor any Add
        assertFalse(resnet.containsKey("Relu"), resnet.toString());
        assertFalse(resnet.containsKey("Add"), resnet.toString());
        Map<String, Integer> mobilenet = executed("infer_mobilenet_v2");
        assertFalse(mobilenet.containsKey("Clip"), mobilenet.toString());
        Map<String, Integer> efficientnet = executed("infer_efficientnet");
        // SiLU after the expand and depthwise convolutions, the SE gate's Sigmoid after its second 1x1 convolution
        assertFalse(efficientnet.containsKey("Sigmoid"), efficientnet.toString());
    }

    @Test
    void bertPaddingMaskAndGptCausalMaskedFillRunInTheAttentionKernel() throws IOException {
        for (String fixture : new String[] {"infer_bert", "infer_gpt"}) {
            Map<String, Integer> ops = executed(fixture);
            assertEquals(2, ops.getOrDefault(AttentionFusion.ATTENTION, 0), fixture + ": " + ops);
            assertFalse(ops.containsKey("Softmax"), fixture + ": " + ops);
        }
        assertFalse(executed("infer_gpt").containsKey("Where"));
        OnnxModel gpt = OnnxModel.load(OnnxFixtures.dir("infer_gpt").resolve("model.onnx"));
        assertTrue(gpt.foldedNodeCount() > 0, "the causal mask and the scale are computed at load");
    }
}
