package dev.lamina.onnx;

import static org.junit.jupiter.api.Assertions.assertTrue;

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
            "zoo_einsum", List.of("Einsum"));

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
    void everyListedFixtureIsPresent() {
        for (String f : OPERATORS.keySet()) assertTrue(Path.of(OnnxFixtures.dir(f).toString(), "model.onnx").toFile().isFile(), f + " missing");
    }
}
