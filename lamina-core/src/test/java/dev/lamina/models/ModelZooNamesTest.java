package dev.lamina.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.io.JsonTree;
import dev.lamina.nn.Module;
import dev.lamina.nn.StateDicts;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The full-size zoo models have torchvision 0.14's state dicts entry for entry (name, order and shape, from
 * tools/fixtures/make_model_fixtures.py's torchvision_state_dict_shapes.json), so a torchvision state dict loads
 * strictly; one of another architecture fails listing every missing, unexpected and mis-shaped entry.
 */
class ModelZooNamesTest {
    private static Map<String, Map<String, int[]>> torchvision;

    private static final Map<String, Supplier<Module>> FULL_SIZE = Map.of(
            "resnet18", () -> ResNet.resnet18(VisionConfig.imagenet(new Rng(1))),
            "resnet34", () -> ResNet.resnet34(VisionConfig.imagenet(new Rng(1))),
            "resnet50", () -> ResNet.resnet50(VisionConfig.imagenet(new Rng(1))),
            "mobilenet_v2", () -> new MobileNetV2(VisionConfig.imagenet(new Rng(1))),
            "mobilenet_v3_small", () -> MobileNetV3.small(VisionConfig.imagenet(new Rng(1))),
            "efficientnet_b0", () -> EfficientNet.b0(VisionConfig.imagenet(new Rng(1))),
            "vit_b_16", () -> new VisionTransformer(VisionTransformer.Config.b16(1000), new Rng(1)));

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void readShapes() throws IOException {
        String src = "/models/torchvision_state_dict_shapes.json";
        try (InputStream in = ModelZooNamesTest.class.getResourceAsStream(src)) {
            Map<String, Object> tree = (Map<String, Object>) JsonTree.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), src);
            torchvision = new LinkedHashMap<>();
            tree.forEach((model, entries) -> {
                Map<String, int[]> shapes = new LinkedHashMap<>();
                ((Map<String, Object>) entries).forEach((k, v) -> shapes.put(k, ((List<Long>) v).stream().mapToInt(Long::intValue).toArray()));
                torchvision.put(model, shapes);
            });
        }
    }

    private static List<String> describe(Map<String, int[]> shapes) {
        List<String> out = new ArrayList<>();
        shapes.forEach((k, v) -> out.add(k + " " + Shape.str(v)));
        return out;
    }

    private static Map<String, Tensor> zerosShaped(Map<String, int[]> shapes) {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        shapes.forEach((k, v) -> sd.put(k, Tensor.zeros(v)));
        return sd;
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "resnet34", "resnet50", "mobilenet_v2", "mobilenet_v3_small", "efficientnet_b0", "vit_b_16"})
    void fullSizeStateDictIsTorchvisions(String name) {
        Module model = FULL_SIZE.get(name).get();
        Map<String, int[]> own = new LinkedHashMap<>();
        model.stateDict().forEach((k, t) -> own.put(k, t.shape()));
        assertEquals(describe(torchvision.get(name)), describe(own), name + ": state-dict entries (name and shape, in order)");
        StateDicts.LoadResult r = model.loadStateDict(zerosShaped(torchvision.get(name)), true);
        assertTrue(r.missingKeys().isEmpty() && r.unexpectedKeys().isEmpty(), name + ": " + r);
        assertTrue(model.namedParameters().values().stream().allMatch(t -> t.sum().item() == 0f), name + ": every loaded value is a zero");
    }

    @Test
    void anotherArchitecturesStateDictListsEveryMismatch() {
        Map<String, int[]> r50 = torchvision.get("resnet50"), r18 = torchvision.get("resnet18");
        Module model = ResNet.resnet18(VisionConfig.imagenet(new Rng(1)));
        Map<String, Tensor> before = new LinkedHashMap<>();
        model.stateDict().forEach((k, t) -> before.put(k, t.copy()));
        StateDicts.StateDictException e = assertThrows(StateDicts.StateDictException.class, () -> model.loadStateDict(zerosShaped(r50), true));
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), mismatched = new ArrayList<>();
        r18.forEach((k, v) -> {
            if (!r50.containsKey(k)) missing.add(k);
            else if (!java.util.Arrays.equals(v, r50.get(k))) mismatched.add(k + ": state dict " + Shape.str(r50.get(k)) + ", model " + Shape.str(v));
        });
        r50.keySet().stream().filter(k -> !r18.containsKey(k)).forEach(unexpected::add);
        assertEquals(missing, e.missingKeys());
        assertEquals(unexpected, e.unexpectedKeys());
        assertEquals(mismatched, e.shapeMismatches());
        assertTrue(mismatched.size() > 10 && unexpected.size() > 100, e.getMessage());
        assertTrue(e.getMessage().contains("layer1.0.conv1.weight: state dict [64, 64, 1, 1], model [64, 64, 3, 3]"), e.getMessage());
        assertTrue(e.getMessage().contains("fc.weight: state dict [1000, 2048], model [1000, 512]"), e.getMessage());
        model.stateDict().forEach((k, t) -> assertEquals(java.util.Arrays.toString(before.get(k).toArray()), java.util.Arrays.toString(t.toArray()), k + " changed by a failed load"));
    }
}
