package dev.lamina.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.lamina.tensor.Tensor;
import onnx.Onnx.ModelProto;
import onnx.Onnx.OperatorSetIdProto;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The onnx18_* fixtures (tools/fixtures/make_onnx18_fixtures.py): graphs declared at opset 18, 19 or 20 that use
 * the forms those versions introduced (Reduce* axes input, Split num_outputs, Pad axes and wrap, AveragePool
 * dilations, GroupNormalization, Gelu, bool ReduceMax/Min), run by the importer, match numpy's float64 evaluation of
 * the ONNX definitions (rel err ≤ 1e-4); and each needs its opset: declared one opset lower it is rejected.
 */
class Onnx18FixtureTest {
    static Stream<Arguments> fixtures() {
        return Stream.of(
                arguments("onnx18_reduce_axes_input", 18), arguments("onnx18_split_num_outputs", 18),
                arguments("onnx18_pad_axes", 18), arguments("onnx18_pad_wrap", 19), arguments("onnx18_avgpool_dilated", 19),
                arguments("onnx18_groupnorm", 18), arguments("onnx18_gelu_mish", 20), arguments("onnx18_reduce_bool", 20),
                arguments("onnx18_mlp_op18", 18), arguments("onnx18_cnn_op20", 20));
    }

    @ParameterizedTest(name = "{0} (opset {1})")
    @MethodSource("fixtures")
    void matchesNumpyReference(String fixture, int opset) throws IOException {
        int k = OnnxFixtures.runAndCompare(fixture, opset);
        assertTrue(k >= 2, fixture + ": too few outputs");
    }

    @ParameterizedTest(name = "{0} at opset {1} - 1")
    @MethodSource("fixtures")
    void isRejectedOneOpsetBelowItsDeclaredOne(String fixture, int opset) throws IOException {
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(OnnxFixtures.dir(fixture).resolve("model.onnx")));
        ModelProto older = m.toBuilder().setOpsetImport(0, OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset - 1)).build();
        Map<String, Tensor> feeds = OnnxFixtures.inputs(fixture);
        OnnxException e = assertThrows(OnnxException.class, () -> OnnxModel.parse(older.toByteArray()).run(feeds));
        assertTrue(e.getMessage().contains("node '"), "the message names no node: " + e.getMessage());
    }

    @Test
    void everyOnnx18FixtureIsListed() {
        Set<String> listed = fixtures().map(a -> (String) a.get()[0]).collect(Collectors.toCollection(TreeSet::new));
        Set<String> present = OnnxFixtures.cases().stream().filter(c -> c.startsWith("onnx18_")).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(listed, present);
    }
}
