package dev.lamina.models;

import dev.lamina.io.Safetensors;
import dev.lamina.nn.Module;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The model-zoo fixtures written by tools/fixtures/make_model_fixtures.py: {@code /fixtures/models_<case>/} with
 * the PyTorch state dict ({@code state.safetensors}) and the inputs, outputs and gradients ({@code io.safetensors}),
 * and the Lamina model each case was built to match.
 */
final class ZooFixtures {
    private ZooFixtures() {}

    static VisionConfig narrow(int classes, int channels, boolean small, double width) {
        return new VisionConfig(classes, channels, small, width, 0, 0, new Rng(1));
    }

    /** The Lamina model of a case, freshly initialised (from a seed that has nothing to do with the fixture). */
    static final Map<String, Supplier<Module>> MODELS = Map.of(
            "models_resnet18_w8", () -> ResNet.resnet18(narrow(10, 3, false, 8 / 64.0)),
            "models_resnet18_w4_cifar_gray", () -> ResNet.resnet18(narrow(10, 1, true, 4 / 64.0)),
            "models_resnet50_w4", () -> ResNet.resnet50(narrow(10, 3, false, 4 / 64.0)),
            "models_mobilenet_v2_x025", () -> new MobileNetV2(narrow(10, 3, false, 0.25)),
            "models_mobilenet_v3_small_x025", () -> MobileNetV3.small(narrow(10, 3, false, 0.25)),
            "models_efficientnet_b0_x01", () -> EfficientNet.b0(narrow(10, 3, false, 0.1)),
            "models_vit_p4_d16", () -> new VisionTransformer(new VisionTransformer.Config(16, 4, 3, 2, 2, 16, 32, 10, 0), new Rng(1)),
            "models_gpt2_d16", () -> new Gpt2(new Gpt2.Config(40, 16, 16, 2, 2), new Rng(1)),
            "models_bert_d16", () -> new Bert(new Bert.Config(40, 16, 2, 16, 2, 32, 2), new Rng(1)));

    static Map<String, Tensor> state(String fixture) {
        return read(fixture, "state.safetensors");
    }

    static Map<String, Tensor> io(String fixture) {
        return read(fixture, "io.safetensors");
    }

    private static Map<String, Tensor> read(String fixture, String file) {
        String path = "/fixtures/" + fixture + "/" + file;
        URL url = ZooFixtures.class.getResource(path);
        if (url == null) throw new AssertionError("missing fixture " + path + " (run tools/fixtures/make_model_fixtures.py)");
        try {
            return Safetensors.read(Path.of(url.toURI()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
