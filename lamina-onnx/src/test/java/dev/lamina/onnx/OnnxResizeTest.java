package dev.lamina.onnx;

import static dev.lamina.onnx.TestGraphs.floatValue;
import static dev.lamina.onnx.TestGraphs.floats;
import static dev.lamina.onnx.TestGraphs.int64s;
import static dev.lamina.onnx.TestGraphs.intAttr;
import static dev.lamina.onnx.TestGraphs.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.lamina.autograd.Autograd;
import dev.lamina.nn.Conv2d;
import dev.lamina.nn.Module;
import dev.lamina.nn.ReLU;
import dev.lamina.nn.Sequential;
import dev.lamina.nn.Upsample;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ONNX {@code Resize}: PyTorch-exported {@code nn.Upsample} models (onnx_up_* from make_upsample_fixtures.py) match
 * PyTorch's outputs; hand-built graphs check each nearest_mode and coordinate mode against values worked out from
 * the operator's formulas; unsupported attribute values fail naming the node and the value; {@link Upsample} exports
 * as PyTorch does and re-imports with the same outputs.
 */
class OnnxResizeTest {
    private static final Path EXPORTS = Path.of("target", "onnx-export");

    static Stream<String> fixtures() {
        return OnnxFixtures.cases().stream().filter(c -> c.startsWith("onnx_up_"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void pytorchExportsMatchPyTorch(String fixture) throws IOException {
        OnnxFixtures.runAndCompare(fixture, 17);
        assertEquals(1, OnnxModel.load(OnnxFixtures.dir(fixture).resolve("model.onnx")).operatorCounts().get("Resize"));
    }

    @Test
    void allFixturesPresent() {
        assertEquals(14, fixtures().count(), "onnx_up_* fixtures: " + fixtures().toList());
    }

    // ------------------------------------------------------------------------------------------------ hand-built graphs

    private static AttributeProto str(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(v)).build();
    }

    private static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) a.addInts(x);
        return a.build();
    }

    /** y = Resize(x, scales or sizes) at {@code opset}; {@code scales} / {@code sizes} null when absent. */
    private static OnnxModel resize(int opset, float[] scales, long[] sizes, AttributeProto... attrs) {
        List<TensorProto> inits = new ArrayList<>();
        List<String> in = new ArrayList<>(List.of("x", ""));
        if (scales != null) {
            inits.add(floats("scales", scales, scales.length));
            in.add("scales");
        } else {
            in.add("");
        }
        if (sizes != null) {
            inits.add(int64s("sizes", sizes, sizes.length));
            in.add("sizes");
        }
        NodeProto n = node("Resize", "rs", in, List.of("y"), attrs);
        ModelProto m = TestGraphs.model(opset, List.of(n), inits, List.of(floatValue("x", -1, 1, 4)), List.of(floatValue("y", -1, 1, -1)));
        return OnnxModel.parse(m.toByteArray());
    }

    /** x = [0, 1, 2, 3] as [1, 1, 4], so nearest outputs are the source indices. */
    private static float[] run(OnnxModel m) {
        return m.run(Map.of("x", Tensor.of(new float[] {0, 1, 2, 3}, 1, 1, 4))).get("y").toArray();
    }

    static Stream<Arguments> nearestModes() {
        // half_pixel, scale 1.5 → 6 outputs at (o + 0.5) / 1.5 − 0.5 = −1/6, 0.5, 7/6, 11/6, 2.5, 19/6
        return Stream.of(
                Arguments.of("half_pixel", "round_prefer_floor", new float[] {0, 0, 1, 2, 2, 3}),
                Arguments.of("half_pixel", "round_prefer_ceil", new float[] {0, 1, 1, 2, 3, 3}),
                Arguments.of("half_pixel", "floor", new float[] {0, 0, 1, 1, 2, 3}),
                Arguments.of("half_pixel", "ceil", new float[] {0, 1, 2, 2, 3, 3}),
                // asymmetric: o / 1.5 = 0, 2/3, 4/3, 2, 8/3, 10/3
                Arguments.of("asymmetric", "floor", new float[] {0, 0, 1, 2, 2, 3}),
                Arguments.of("asymmetric", "round_prefer_floor", new float[] {0, 1, 1, 2, 3, 3}),
                // align_corners: o · 3/5 = 0, 0.6, 1.2, 1.8, 2.4, 3
                Arguments.of("align_corners", "round_prefer_floor", new float[] {0, 1, 1, 2, 2, 3}),
                Arguments.of("pytorch_half_pixel", "ceil", new float[] {0, 1, 2, 2, 3, 3}));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("nearestModes")
    void nearestModesFollowTheFormulas(String coord, String nearestMode, float[] expected) {
        OnnxModel m = resize(17, new float[] {1, 1, 1.5f}, null, str("mode", "nearest"), str("coordinate_transformation_mode", coord), str("nearest_mode", nearestMode));
        assertArrayEquals(expected, run(m));
        // the same through sizes (scale = 6 / 4)
        assertArrayEquals(expected, run(resize(17, null, new long[] {1, 1, 6}, str("mode", "nearest"), str("coordinate_transformation_mode", coord),
                str("nearest_mode", nearestMode))));
    }

    @Test
    void linearCoordinateModes() {
        // one output: half_pixel samples 0.5 / 0.25 − 0.5 = 1.5, pytorch_half_pixel and align_corners sample 0
        assertArrayEquals(new float[] {1.5f}, run(resize(17, null, new long[] {1, 1, 1}, str("mode", "linear"))));
        assertArrayEquals(new float[] {0f}, run(resize(17, null, new long[] {1, 1, 1}, str("mode", "linear"), str("coordinate_transformation_mode", "pytorch_half_pixel"))));
        assertArrayEquals(new float[] {0f}, run(resize(17, null, new long[] {1, 1, 1}, str("mode", "linear"), str("coordinate_transformation_mode", "align_corners"))));
        // scale 2, asymmetric: o / 2 → 0, .5, 1, 1.5, 2, 2.5, 3, 3 (clamped)
        assertArrayEquals(new float[] {0, 0.5f, 1, 1.5f, 2, 2.5f, 3, 3}, run(resize(17, new float[] {1, 1, 2}, null, str("mode", "linear"),
                str("coordinate_transformation_mode", "asymmetric"))));
        // scale 2, half_pixel: (o + .5) / 2 − .5 → −.25 (clamped to 0), .25, .75, ..., 3.25 (clamped to 3)
        assertArrayEquals(new float[] {0, 0.25f, 0.75f, 1.25f, 1.75f, 2.25f, 2.75f, 3}, run(resize(17, new float[] {1, 1, 2}, null, str("mode", "linear"))));
        // align_corners to 7: o · 3/6 = o / 2
        assertArrayEquals(new float[] {0, 0.5f, 1, 1.5f, 2, 2.5f, 3}, run(resize(17, null, new long[] {1, 1, 7}, str("mode", "linear"),
                str("coordinate_transformation_mode", "align_corners"))));
    }

    @Test
    void emptyScalesNextToSizesCountsAsAbsent() {
        NodeProto n = node("Resize", "rs", List.of("x", "", "scales", "sizes"), List.of("y"), str("mode", "nearest"));
        ModelProto p = TestGraphs.model(17, List.of(n), List.of(floats("scales", new float[0], 0), int64s("sizes", new long[] {1, 1, 8}, 3)),
                List.of(floatValue("x", -1, 1, 4)), List.of(floatValue("y", -1, 1, -1)));
        // half_pixel, round_prefer_floor, scale 2: (o + .5) / 2 − .5 = −.25, .25, .75, ... → 0, 0, 1, 1, 2, 2, 3, 3
        assertArrayEquals(new float[] {0, 0, 1, 1, 2, 2, 3, 3}, run(OnnxModel.parse(p.toByteArray())));
    }

    @Test
    void opset18AxesResizeOnlyTheNamedDimensions() {
        OnnxModel m = resize(18, new float[] {2}, null, str("mode", "nearest"), str("coordinate_transformation_mode", "asymmetric"),
                str("nearest_mode", "floor"), ints("axes", -1));
        assertArrayEquals(new float[] {0, 0, 1, 1, 2, 2, 3, 3}, run(m));
        OnnxException e = assertThrows(OnnxException.class, () -> run(resize(17, new float[] {1, 1, 2}, null, ints("axes", 2))));
        assertTrue(e.getMessage().contains("node 'rs' (Resize)") && e.getMessage().contains("'axes'") && e.getMessage().contains("opset 18"), e.getMessage());
    }

    static Stream<Arguments> unsupported() {
        float[] s2 = {1, 1, 2};
        return Stream.of(
                Arguments.of(resize(17, s2, null, str("mode", "cubic")), "mode 'cubic'"),
                Arguments.of(resize(17, s2, null, str("coordinate_transformation_mode", "tf_crop_and_resize")), "coordinate_transformation_mode 'tf_crop_and_resize'"),
                Arguments.of(resize(17, s2, null, str("coordinate_transformation_mode", "tf_half_pixel_for_nn")), "coordinate_transformation_mode 'tf_half_pixel_for_nn'"),
                Arguments.of(resize(19, s2, null, str("coordinate_transformation_mode", "half_pixel_symmetric")), "coordinate_transformation_mode 'half_pixel_symmetric'"),
                Arguments.of(resize(17, s2, null, str("nearest_mode", "round_half_even")), "nearest_mode 'round_half_even'"),
                Arguments.of(resize(18, s2, null, intAttr("antialias", 1)), "antialias = 1"),
                Arguments.of(resize(18, null, new long[] {1, 1, 8}, str("keep_aspect_ratio_policy", "not_larger")), "keep_aspect_ratio_policy 'not_larger'"),
                Arguments.of(resize(17, new float[] {1, 2, 2}, null), "resizing dimension 1 (batch or channels)"),
                Arguments.of(resize(17, new float[] {2, 2}, null), "'scales' has 2 values for 3 axes"),
                Arguments.of(resize(17, new float[] {1, 1, 0}, null), "scales must be positive"),
                Arguments.of(resize(17, null, new long[] {1, 1, 0}), "sizes must be positive"),
                Arguments.of(resize(17, new float[] {1, 1, 2}, new long[] {1, 1, 8}), "only one of the inputs 'scales' and 'sizes'"),
                Arguments.of(resize(17, null, null), "one of the inputs 'scales' and 'sizes' is required"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("unsupported")
    void unsupportedValuesNameNodeAndValue(OnnxModel m, String expected) {
        OnnxException e = assertThrows(OnnxException.class, () -> run(m));
        assertTrue(e.getMessage().startsWith("node 'rs' (Resize): ") && e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void otherRanksAreRefused() {
        NodeProto n = node("Resize", "rs", List.of("x", "", "scales"), List.of("y"));
        ModelProto p = TestGraphs.model(17, List.of(n), List.of(floats("scales", new float[] {2, 2}, 2)),
                List.of(floatValue("x", 2, 3)), List.of(floatValue("y", -1, -1)));
        OnnxException e = assertThrows(OnnxException.class, () -> OnnxModel.parse(p.toByteArray()).run(Map.of("x", Tensor.zeros(2, 3))));
        assertTrue(e.getMessage().contains("node 'rs' (Resize)") && e.getMessage().contains("rank 3 or 4") && e.getMessage().contains("[2, 3]"), e.getMessage());
    }

    // ------------------------------------------------------------------------------------------------ export

    static Stream<Arguments> exported() {
        Rng rng = new Rng(3);
        return Stream.of(
                Arguments.of("up_nearest_s2", new Sequential(new Conv2d(2, 3, 3, 1, true, rng), Upsample.scale(2), new ReLU()), new int[] {2, 2, 5, 6},
                        "asymmetric", "nearest"),
                Arguments.of("up_nearest_pair", new Sequential(new Upsample(null, new double[] {1.5, 3}, "nearest", null)), new int[] {1, 2, 4, 3},
                        "asymmetric", "nearest"),
                Arguments.of("up_nearest_size", new Sequential(Upsample.size(5, 7)), new int[] {2, 3, 3, 4}, "asymmetric", "nearest"),
                Arguments.of("up_bilinear_ac0", new Sequential(Upsample.scale(2, "bilinear", false)), new int[] {2, 3, 4, 5}, "half_pixel", "linear"),
                Arguments.of("up_bilinear_ac1", new Sequential(Upsample.scale(2.5, "bilinear", true)), new int[] {1, 2, 4, 4}, "align_corners", "linear"),
                Arguments.of("up_bilinear_size_down", new Sequential(Upsample.size(new int[] {3, 4}, "bilinear", null)), new int[] {2, 2, 7, 9},
                        "half_pixel", "linear"),
                Arguments.of("up_linear1d_size_ac1", new Sequential(Upsample.size(new int[] {9}, "linear", true)), new int[] {2, 3, 6},
                        "align_corners", "linear"),
                Arguments.of("up_nearest1d_s3", new Sequential(Upsample.scale(3)), new int[] {2, 3, 5}, "asymmetric", "nearest"));
    }

    /** PyTorch's attributes; re-imported, the outputs match Lamina's forward (also for another batch size: N stays symbolic). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("exported")
    void exportsAsPyTorchAndReimports(String name, Module model, int[] shape, String coord, String mode) throws IOException {
        Files.createDirectories(EXPORTS);
        Path file = EXPORTS.resolve(name + ".onnx");
        OnnxExport.export(model, shape, file);
        NodeProto resize = ModelProto.parseFrom(Files.readAllBytes(file)).getGraph().getNodeList().stream()
                .filter(p -> p.getOpType().equals("Resize")).findFirst().orElseThrow();
        Map<String, Object> attrs = new java.util.TreeMap<>();
        for (AttributeProto a : resize.getAttributeList()) attrs.put(a.getName(), a.hasS() ? a.getS().toStringUtf8() : (Object) a.getF());
        assertEquals(Map.of("coordinate_transformation_mode", coord, "cubic_coeff_a", -0.75f, "mode", mode, "nearest_mode", "floor"), attrs);

        OnnxModel imported = OnnxModel.load(file);
        model.eval();
        for (int batch : new int[] {shape[0], shape[0] + 1}) {
            int[] s = shape.clone();
            s[0] = batch;
            Tensor x = Tensor.randn(new Rng(11 + batch), s);
            Tensor expected;
            try (var scope = Autograd.noGrad()) {
                expected = model.forward(x);
            }
            Tensor actual = imported.run(Map.of("input", x)).get("output");
            assertArrayEquals(expected.shape(), actual.shape(), name);
            assertTrue(OnnxFixtures.relativeError(actual.toArray(), expected.toArray()) <= 1e-6, name + " batch " + batch);
            if (mode.equals("nearest")) assertArrayEquals(expected.toArray(), actual.toArray(), name + ": nearest copies the same values");
        }
    }
}
