package dev.lamina.models;

import dev.lamina.data.TabularData;
import dev.lamina.data.TabularSchema;
import dev.lamina.nn.Sequential;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** {@link SavedModel#load} on models saved from definitions: image classifiers of any declared input shape, and tabular models. */
class SavedModelTest {
    @TempDir
    Path dir;

    @Test
    void aDefinitionOfImagesLoadsAsAnImageClassifierShapedToItsInput() throws IOException {
        ModelSpec spec = ModelSpec.parse("{\"input\": [1, 28, 28], \"layers\": [{\"type\": \"Flatten\"}, {\"type\": \"Linear\", \"in_features\": 784, \"out_features\": 10}]}", "net.json");
        Sequential net = spec.build(new Rng(3));
        Path file = dir.resolve("net.safetensors");
        spec.save(net, file, Map.of());
        SavedModel.ImageClassifier m = assertInstanceOf(SavedModel.ImageClassifier.class, SavedModel.load(file));
        assertEquals(SavedModel.MODEL_FILE, m.name());
        assertArrayEquals(new int[] {1, 28, 28}, m.input());
        Tensor pixels = Tensor.rand(new Rng(4), 2, 784);
        assertArrayEquals(new int[] {2, 1, 28, 28}, m.inputs(pixels).shape());
        net.eval();
        assertArrayEquals(net.forward(m.inputs(pixels)).toArray(), m.net().forward(m.inputs(pixels)).toArray());
        assertFalse(m.net().isTraining(), "loaded in evaluation mode");
    }

    @Test
    void aDefinitionWithATabularSchemaLoadsAsATabularModelInTheTargetsUnits() throws IOException {
        ModelSpec spec = ModelSpec.parse("{\"input\": [2], \"layers\": [{\"type\": \"Linear\", \"in_features\": 2, \"out_features\": 1}]}", "t.json");
        Sequential net = spec.build(new Rng(5));
        TabularSchema schema = new TabularSchema(List.of("a", "b"), "y", TabularData.Task.REGRESS, null, new float[] {10, 20}, new float[] {2, 4}, 100, 10);
        Path file = dir.resolve("t.safetensors");
        spec.save(net, file, schema.toMetadata());
        SavedModel.Tabular m = assertInstanceOf(SavedModel.Tabular.class, SavedModel.load(file));
        assertFalse(m.classifies());
        Tensor raw = Tensor.of(new float[] {12, 16}, 1, 2);
        net.eval();
        float standardised = net.forward(Tensor.of(new float[] {1, -1}, 1, 2)).toArray()[0];
        assertEquals(standardised * 10 + 100, m.predict(raw).toArray()[0], 1e-4, "normalised with the saved statistics, back in the target's units");

        TabularSchema three = new TabularSchema(List.of("a", "b", "c"), "y", TabularData.Task.REGRESS, null, new float[3], new float[] {1, 1, 1}, 0, 1);
        Path wrong = dir.resolve("wrong.safetensors");
        spec.save(net, wrong, three.toMetadata());
        IOException e = assertThrows(IOException.class, () -> SavedModel.load(wrong));
        assertTrue(e.getMessage().contains("wrong.safetensors: the saved model takes [2] and gives [N, 1], its tabular schema has 3 features and 1 output"), e.getMessage());
    }
}
