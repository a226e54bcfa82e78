package dev.lamina.onnx;

import dev.lamina.backend.Backends;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The run that sets {@code lamina.backend} really imports and runs models on that backend, constants included. */
class OnnxBackendSelectionTest {
    @Test
    void aModelsConstantsAndResultsLiveOnTheChosenBackend() {
        String wanted = System.getProperty("lamina.backend", "cpu");
        OnnxModel m = OnnxModel.parse(TestGraphs.addConstant(TestGraphs.floats("c", new float[] {1, 2, 3}, 3)).toByteArray());
        Tensor y = m.run(Map.of("x", Tensor.ones(2, 3))).get("y");
        assertEquals(wanted, y.backend().name());
        assertEquals(java.util.List.of(2f, 3f, 4f, 2f, 3f, 4f), java.util.Arrays.asList(box(y.toArray())));
        assertEquals(wanted, Backends.current().name());
    }

    private static Float[] box(float[] v) {
        Float[] b = new Float[v.length];
        for (int i = 0; i < v.length; i++) b[i] = v[i];
        return b;
    }
}
