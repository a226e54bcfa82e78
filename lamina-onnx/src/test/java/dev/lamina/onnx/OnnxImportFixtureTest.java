package dev.lamina.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every onnx_* fixture: PyTorch's exported model, run by the importer, matches PyTorch's outputs (rel err ≤ 1e-4). */
class OnnxImportFixtureTest {
    static Stream<String> fixtures() {
        return OnnxFixtures.cases().stream().filter(c -> c.startsWith("onnx_"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void matchesPyTorch(String fixture) throws IOException {
        Path dir = OnnxFixtures.dir(fixture);
        OnnxModel model = OnnxModel.load(dir.resolve("model.onnx"));
        assertEquals(17, model.opset());
        Map<String, Tensor> out = model.run(OnnxFixtures.inputs(fixture));
        List<String> names = OnnxModel.names(model.outputs());
        int k = 0;
        for (; Files.exists(dir.resolve("out" + k + ".npy")); k++) {
            assertEquals("out" + k, names.get(k));
            OnnxFixtures.assertClose(fixture + "/out" + k, OnnxFixtures.npy(dir.resolve("out" + k + ".npy")), out.get("out" + k));
        }
        assertEquals(names.size(), k, fixture + ": reference outputs");
    }

    @Test
    void fixturesArePresent() {
        assertTrue(fixtures().count() >= 13, "onnx_* fixtures missing: " + OnnxFixtures.cases());
    }

    @Test
    void dynamicBatchRunsOtherBatchSizes() throws IOException {
        // onnx_mlp was exported with a symbolic batch dimension: rows are independent, so a 1-row batch matches row 0
        Path dir = OnnxFixtures.dir("onnx_mlp");
        OnnxModel model = OnnxModel.load(dir.resolve("model.onnx"));
        Tensor x = OnnxFixtures.tensor(OnnxFixtures.npy(dir.resolve("in0.npy")));
        Tensor full = model.run(Map.of("in0", x)).get("out0");
        Tensor one = model.run(Map.of("in0", x.narrow(0, 0, 1).contiguous())).get("out0");
        assertEquals(0.0, OnnxFixtures.relativeError(one.toArray(), full.narrow(0, 0, 1).contiguous().toArray()), 1e-6);
    }
}
