package dev.lamina.models;

import dev.lamina.autograd.Autograd;
import dev.lamina.io.Safetensors;
import dev.lamina.nn.Module;
import dev.lamina.nn.Sequential;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

class ModelSpecTest {
    private static final String MLP = """
            {"input": [784], "layers": [
              {"type": "Linear", "in_features": 784, "out_features": 128},
              {"type": "ReLU"},
              {"type": "Dropout", "p": 0.2},
              {"type": "Linear", "in_features": 128, "out_features": 10}]}
            """;

    private static ModelSpec spec(String json) throws IOException {
        return ModelSpec.parse(json, "net.json");
    }

    private static String buildError(String json) throws IOException {
        ModelSpec s = spec(json);
        return assertThrows(IllegalArgumentException.class, () -> s.build(new Rng(0))).getMessage();
    }

    @Test
    void buildsTheDeclaredSequential() throws IOException {
        Sequential net = spec(MLP).build(new Rng(1));
        assertEquals(5, net.size());
        assertEquals(784 * 128 + 128 + 128 * 10 + 10, net.parameterCount());
        assertEquals(Set.of("1.weight", "1.bias", "4.weight", "4.bias"), net.stateDict().keySet());
        try (var s = Autograd.noGrad()) {
            assertArrayEquals(new int[] {3, 10}, net.forward(Tensor.zeros(3, 784)).shape());
        }
        String summary = spec(MLP).summary(net);
        assertTrue(summary.contains("1 (Linear)") && summary.contains("[N, 128]") && summary.contains("100,480") && summary.contains("Total parameters: 101,770"), summary);
    }

    @Test
    void theShippedExamplesBuild() throws IOException {
        for (String name : List.of("fashion-mlp.json", "fashion-cnn.json")) {
            ModelSpec s = ModelSpec.read(Path.of("..", "examples", name));
            Sequential net = s.build(new Rng(0));
            try (var g = Autograd.noGrad()) {
                net.eval();
                assertArrayEquals(new int[] {2, 10}, net.forward(Tensor.zeros(2, 784)).shape(), name);
            }
        }
    }

    @Test
    void unknownLayerTypeListsTheKnownOnes() {
        var e = assertThrows(IOException.class, () -> spec("{\"input\": [4], \"layers\": [{\"type\": \"Relu\"}]}"));
        assertTrue(e.getMessage().contains("net.json: layers[0]: unknown layer type \"Relu\"") && e.getMessage().contains("ReLU, ") && e.getMessage().contains("Conv2d"), e.getMessage());
    }

    @Test
    void argumentErrorsNameTheLayerIndexAndType() throws IOException {
        String unknown = buildError("{\"input\": [4], \"layers\": [{\"type\": \"ReLU\"}, {\"type\": \"Linear\", \"in\": 4, \"out_features\": 2}]}");
        assertTrue(unknown.contains("net.json: layers[1] (Linear): unknown argument 'in'; it takes in_features, out_features, bias"), unknown);
        String missing = buildError("{\"input\": [4], \"layers\": [{\"type\": \"Linear\", \"out_features\": 2}]}");
        assertTrue(missing.contains("layers[0] (Linear): missing argument 'in_features' (an integer)"), missing);
        String typed = buildError("{\"input\": [4], \"layers\": [{\"type\": \"Linear\", \"in_features\": \"4\", \"out_features\": 2}]}");
        assertTrue(typed.contains("layers[0] (Linear): argument 'in_features' must be an integer, got the string \"4\""), typed);
        String fraction = buildError("{\"input\": [1, 8, 8], \"layers\": [{\"type\": \"Conv2d\", \"in_channels\": 1, \"out_channels\": 2, \"kernel_size\": [3, 3, 3]}]}");
        assertTrue(fraction.contains("layers[0] (Conv2d): argument 'kernel_size' must be an integer or a list of 2 integers, got the list [3, 3, 3]"), fraction);
        String text = buildError("{\"input\": [1, 8, 8], \"layers\": [{\"type\": \"Conv2d\", \"in_channels\": 1, \"out_channels\": 2, \"kernel_size\": \"3\"}]}");
        assertTrue(text.contains("layers[0] (Conv2d): argument 'kernel_size' must be an integer or a list of 2 integers, got the string \"3\""), text);
        String flag = buildError("{\"input\": [4], \"layers\": [{\"type\": \"Linear\", \"in_features\": 4, \"out_features\": 2, \"bias\": 1}]}");
        assertTrue(flag.contains("argument 'bias' must be true or false, got 1"), flag);
        String refused = buildError("{\"input\": [4], \"layers\": [{\"type\": \"Dropout\", \"p\": 1.5}]}");
        assertTrue(refused.startsWith("net.json: layers[0] (Dropout): ") && refused.contains("1.5"), refused);
    }

    @Test
    void aShapeThatDoesNotChainNamesTheLayerAndBothShapes() throws IOException {
        String e = buildError("""
                {"input": [784], "layers": [
                  {"type": "Linear", "in_features": 784, "out_features": 128},
                  {"type": "ReLU"},
                  {"type": "Linear", "in_features": 100, "out_features": 10}]}
                """);
        assertTrue(e.contains("net.json: layers[2] (Linear) does not accept the output of layers[1] (ReLU), shape [N, 128]") && e.contains("[..., 100]"), e);
        String first = buildError("{\"input\": [3, 28, 28], \"layers\": [{\"type\": \"Conv2d\", \"in_channels\": 1, \"out_channels\": 4, \"kernel_size\": 3}]}");
        assertTrue(first.contains("layers[0] (Conv2d) does not accept the output of the declared input, shape [N, 3, 28, 28]") && first.contains("1"), first);
    }

    @Test
    void structuralErrorsNameTheFile() {
        for (String[] c : new String[][] {
                {"[1, 2]", "a model definition is a JSON object"},
                {"{\"layers\": [{\"type\": \"ReLU\"}]}", "\"input\" must be the shape of one example"},
                {"{\"input\": [0], \"layers\": [{\"type\": \"ReLU\"}]}", "\"input\"[0] must be a positive integer, got 0"},
                {"{\"input\": [4], \"layers\": []}", "\"layers\" must be a non-empty list"},
                {"{\"input\": [4], \"layers\": [{\"kind\": \"ReLU\"}]}", "layers[0] has no \"type\" string"},
                {"{\"input\": [4], \"layer\": []}", "unknown key \"layer\""},
                {"{\"input\": [4], \"layers\": [{\"type\": \"ReLU\"},]}", "line 1"}}) {
            var e = assertThrows(IOException.class, () -> spec(c[0]), c[0]);
            assertTrue(e.getMessage().startsWith("net.json") && e.getMessage().contains(c[1]), e.getMessage());
        }
    }

    @Test
    void missingFileIsAClearError(@TempDir Path dir) {
        var e = assertThrows(IOException.class, () -> ModelSpec.read(dir.resolve("nope.json")));
        assertTrue(e.getMessage().contains("model file not found") && e.getMessage().contains("nope.json"), e.getMessage());
    }

    @Test
    void savedModelLoadsWithoutItsCode(@TempDir Path dir) throws IOException {
        ModelSpec s = spec(MLP);
        Sequential net = s.build(new Rng(7));
        Path file = dir.resolve("sub/m.safetensors");
        Files.createDirectories(file.getParent());
        s.save(net, file, Map.of("note", "x"));
        Map<String, String> meta = Safetensors.readMetadata(file);
        assertTrue(ModelSpec.isIn(meta));
        assertEquals("x", meta.get("note"));
        assertEquals(s.toJson(), ModelSpec.fromMetadata(meta, file.toString()).toJson());
        Sequential back = ModelSpec.load(file);
        assertFalse(back.isTraining());
        Tensor x = Tensor.randn(new Rng(3), 2, 784);
        net.eval();
        try (var g = Autograd.noGrad()) {
            assertArrayEquals(net.forward(x).toArray(), back.forward(x).toArray());
        }
    }

    @Test
    void loadRefusesFilesWithoutADefinitionOrWithOtherWeights(@TempDir Path dir) throws IOException {
        Path plain = dir.resolve("plain.safetensors");
        Safetensors.write(plain, Map.of("w", Tensor.zeros(2)));
        var e = assertThrows(IOException.class, () -> ModelSpec.load(plain));
        assertTrue(e.getMessage().contains("no model definition in the metadata") && e.getMessage().contains(ModelSpec.METADATA_KEY), e.getMessage());
        Path wrong = dir.resolve("wrong.safetensors");
        Safetensors.write(wrong, Map.of("w", Tensor.zeros(2)), Map.of(ModelSpec.METADATA_KEY, spec(MLP).toJson()));
        var e2 = assertThrows(IOException.class, () -> ModelSpec.load(wrong));
        assertTrue(e2.getMessage().contains("do not fit the saved model definition") && e2.getMessage().contains("1.weight"), e2.getMessage());
    }

    /** Every catalogued type builds and runs from a definition (type, input shape, arguments as JSON members). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Linear|[6]|\"in_features\": 6, \"out_features\": 3, \"bias\": false",
            "Conv1d|[2, 9]|\"in_channels\": 2, \"out_channels\": 4, \"kernel_size\": 3, \"stride\": 2, \"padding\": 1, \"dilation\": 1",
            "Conv2d|[2, 9, 9]|\"in_channels\": 2, \"out_channels\": 4, \"kernel_size\": [3, 2], \"stride\": [2, 1], \"padding\": [1, 0], \"groups\": 2",
            "ConvTranspose1d|[2, 5]|\"in_channels\": 2, \"out_channels\": 3, \"kernel_size\": 3, \"stride\": 2, \"output_padding\": 1",
            "ConvTranspose2d|[2, 5, 5]|\"in_channels\": 2, \"out_channels\": 3, \"kernel_size\": 3, \"stride\": 2, \"padding\": 1",
            "MaxPool1d|[2, 9]|\"kernel_size\": 3, \"stride\": 2, \"ceil_mode\": true",
            "MaxPool2d|[2, 8, 8]|\"kernel_size\": 2",
            "AvgPool1d|[2, 8]|\"kernel_size\": 2, \"padding\": 1, \"count_include_pad\": false",
            "AvgPool2d|[2, 8, 8]|\"kernel_size\": [2, 4], \"stride\": 2",
            "GlobalAvgPool|[2, 4, 4]|\"keepdim\": true",
            "GlobalMaxPool|[2, 4, 4]|",
            "AdaptiveAvgPool1d|[2, 9]|\"output_size\": 4",
            "AdaptiveMaxPool1d|[2, 9]|\"output_size\": 4",
            "AdaptiveAvgPool2d|[2, 9, 9]|\"output_size\": [3, 2]",
            "AdaptiveMaxPool2d|[2, 9, 9]|\"output_size\": 3",
            "BatchNorm1d|[5]|\"num_features\": 5, \"eps\": 0.001, \"momentum\": 0.2",
            "BatchNorm2d|[3, 4, 4]|\"num_features\": 3, \"affine\": false",
            "LayerNorm|[4, 6]|\"normalized_shape\": [6], \"elementwise_affine\": true",
            "RMSNorm|[4, 6]|\"normalized_shape\": 6",
            "InstanceNorm1d|[3, 7]|\"num_features\": 3, \"affine\": true",
            "InstanceNorm2d|[3, 4, 4]|\"num_features\": 3",
            "GroupNorm|[4, 3, 3]|\"num_groups\": 2, \"num_channels\": 4",
            "Dropout|[5]|\"p\": 0.1",
            "Dropout2d|[3, 4, 4]|",
            "Flatten|[2, 3, 4]|\"start_dim\": 1",
            "Reshape|[12]|\"shape\": [3, 4]",
            "Upsample|[2, 3, 3]|\"scale_factor\": 2, \"mode\": \"bilinear\", \"align_corners\": true",
            "ReLU|[3]|", "SiLU|[3]|", "Sigmoid|[3]|", "Tanh|[3]|",
            "LeakyReLU|[3]|\"negative_slope\": 0.2",
            "ELU|[3]|\"alpha\": 0.5",
            "GELU|[3]|\"approximate\": \"tanh\"",
            "Softmax|[3]|\"dim\": 1",
            "LogSoftmax|[3]|",
            "Embedding|[5]|\"num_embeddings\": 10, \"embedding_dim\": 4, \"padding_idx\": 0",
            "LSTM|[5, 3]|\"input_size\": 3, \"hidden_size\": 4, \"num_layers\": 2, \"batch_first\": true, \"dropout\": 0.1, \"bidirectional\": true",
            "GRU|[5, 3]|\"input_size\": 3, \"hidden_size\": 4, \"batch_first\": true",
            "LastStep|[5, 3]|",
            "MultiheadAttention|[5, 8]|\"embed_dim\": 8, \"num_heads\": 2, \"batch_first\": true",
            "TransformerEncoderLayer|[5, 8]|\"d_model\": 8, \"nhead\": 2, \"dim_feedforward\": 16, \"batch_first\": true, \"norm_first\": true, \"activation\": \"gelu\"",
            "SinusoidalPositionalEncoding|[5, 8]|\"d_model\": 8, \"max_len\": 16, \"batch_first\": true",
            "LearnedPositionalEncoding|[5, 8]|\"max_len\": 16, \"d_model\": 8, \"batch_first\": true"})
    void everyLayerTypeBuilds(String type, String input, String args) throws IOException {
        String members = args == null || args.isBlank() ? "" : ", " + args;
        Sequential net = spec("{\"input\": " + input + ", \"layers\": [{\"type\": \"" + type + "\"" + members + "}]}").build(new Rng(0));
        Module layer = net.get(1);
        assertEquals(type, layer.getClass().getSimpleName());
    }

    @Test
    void theParameterizedTestCoversEveryType() throws Exception {
        var m = ModelSpecTest.class.getDeclaredMethod("everyLayerTypeBuilds", String.class, String.class, String.class);
        Set<String> covered = new TreeSet<>();
        for (String row : m.getAnnotation(CsvSource.class).value()) covered.add(row.split("\\|")[0]);
        assertEquals(new TreeSet<>(ModelSpec.layerTypes()), covered);
        Map<String, List<String>> args = new HashMap<>();
        for (String t : ModelSpec.layerTypes()) args.put(t, ModelSpec.arguments(t));
        assertEquals(List.of("in_features", "out_features", "bias"), args.get("Linear"));
        assertNull(ModelSpec.arguments("Nope"));
    }
}
