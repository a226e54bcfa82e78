package dev.lamina.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.tensor.Tensor;
import onnx.Onnx.TensorProto;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The zoo_* fixtures (tools/fixtures/make_zoo_op_fixtures.py): tiny PyTorch models exported at opset 17 that use the
 * operators torchvision's zoo and hand-written transformer code need, run by the importer and compared with
 * PyTorch (rel err ≤ 1e-4). Each case must still hold the operators it was written for, so a re-export that lowers
 * them to something else fails here instead of silently testing nothing.
 */
class ZooOperatorFixtureTest {
    private static final Map<String, List<String>> OPERATORS = Map.of(
            "zoo_scatternd_swin_mask", List.of("ScatterND", "ConstantOfShape"),
            "zoo_index_put", List.of("ScatterND"),
            "zoo_scatter_gather_elements", List.of("ScatterElements", "GatherElements"),
            "zoo_masked_select", List.of("NonZero", "GatherND", "ScatterND"),
            "zoo_einsum", List.of("Einsum"),
            "zoo_dropout_training_p0", List.of("Dropout"),
            "zoo_transformer_oddments", List.of("CumSum", "TopK", "OneHot", "DepthToSpace"),
            "zoo_nan_inf_sort", List.of("IsNaN", "IsInf", "TopK"));

    static Stream<String> fixtures() {
        return OnnxFixtures.cases().stream().filter(c -> c.startsWith("zoo_"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void matchesPyTorch(String fixture) throws IOException {
        OnnxFixtures.runAndCompare(fixture, 17);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void holdsTheOperatorsItIsFor(String fixture) throws IOException {
        List<String> ops = OPERATORS.get(fixture);
        assertTrue(ops != null, fixture + " is not listed in OPERATORS");
        Map<String, Integer> counts = OnnxModel.load(OnnxFixtures.dir(fixture).resolve("model.onnx")).operatorCounts();
        for (String op : ops) assertTrue(counts.containsKey(op), fixture + " has no " + op + ": " + counts);
    }

    @Test
    void dropoutInTrainingModeIsRefusedUnlessItsRatioIsZero() {
        TensorProto on = TensorProto.newBuilder().setName("on").setDataType(9).addInt32Data(1).build();
        for (float ratio : new float[] {0f, 0.25f}) {
            var m = TestGraphs.model(17, List.of(TestGraphs.node("Dropout", "drop", List.of("x", "r", "on"), List.of("y"))),
                    List.of(TestGraphs.floats("r", new float[] {ratio}), on), List.of(TestGraphs.floatValue("x", 2)), List.of(TestGraphs.floatValue("y", 2)));
            OnnxModel model = OnnxModel.parse(m.toByteArray());
            Tensor x = Tensor.of(new float[] {1.5f, -2f}, 2);
            if (ratio == 0f) {
                assertArrayEquals(x.toArray(), model.run(Map.of("x", x)).get("y").toArray());
            } else {
                OnnxException e = assertThrows(OnnxException.class, () -> model.run(Map.of("x", x)));
                assertTrue(e.getMessage().contains("node 'drop' (Dropout)") && e.getMessage().contains("training_mode=true with ratio 0.25"), e.getMessage());
            }
        }
    }

    @Test
    void isInfDetectsOnlyTheRequestedSignsAndIsNaNRefusesIntegers() {
        Tensor x = Tensor.of(new float[] {Float.NEGATIVE_INFINITY, 1f, Float.POSITIVE_INFINITY, Float.NaN}, 4);
        for (int[] signs : new int[][] {{1, 1}, {0, 1}, {1, 0}}) {
            var m = TestGraphs.model(17, List.of(TestGraphs.node("IsInf", "inf", List.of("x"), List.of("y"),
                            TestGraphs.intAttr("detect_negative", signs[0]), TestGraphs.intAttr("detect_positive", signs[1]))),
                    List.of(), List.of(TestGraphs.floatValue("x", 4)), List.of(TestGraphs.value("y", 9, 4)));
            float[] y = OnnxModel.parse(m.toByteArray()).run(Map.of("x", x)).get("y").toArray();
            assertArrayEquals(new float[] {signs[0], 0, signs[1], 0}, y);
        }
        var nan = TestGraphs.model(17, List.of(TestGraphs.node("IsNaN", "nan", List.of("x"), List.of("y"))),
                List.of(), List.of(TestGraphs.value("x", 7, 4)), List.of(TestGraphs.value("y", 9, 4)));
        OnnxException e = assertThrows(OnnxException.class, () -> OnnxModel.parse(nan.toByteArray()).run(Map.of("x", Tensor.zeros(4))));
        assertTrue(e.getMessage().contains("node 'nan' (IsNaN)") && e.getMessage().contains("must be a float tensor"), e.getMessage());
    }

    @Test
    void everyListedFixtureIsPresent() {
        for (String f : OPERATORS.keySet()) assertTrue(Path.of(OnnxFixtures.dir(f).toString(), "model.onnx").toFile().isFile(), f + " missing");
    }
}
