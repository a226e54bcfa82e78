package dev.lamina.onnx;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;

import org.junit.jupiter.api.Test;

/**
 * A loaded model does not keep the parsed protobuf: its initializers' bytes would stay beside the decoded weights
 * (a BERT-base export: 1.78 GB of heap after load with it, 1.11 GB without). Node protos (no weights) may stay.
 */
class OnnxModelMemoryTest {
    @Test
    void noFieldOfALoadedModelHoldsTheModelOrGraphProto() throws Exception {
        for (Field f : OnnxModel.class.getDeclaredFields()) {
            assertFalse(f.getType() == onnx.Onnx.ModelProto.class || f.getType() == onnx.Onnx.GraphProto.class,
                    "OnnxModel." + f.getName() + " holds a " + f.getType().getSimpleName());
        }
        OnnxModel model = OnnxModel.load(OnnxFixtures.dir("infer_bert").resolve("model.onnx"));
        assertFalse(model.producer().isEmpty(), "producer");
        assertTrue(model.irVersion() > 0, "IR version " + model.irVersion());
    }
}
