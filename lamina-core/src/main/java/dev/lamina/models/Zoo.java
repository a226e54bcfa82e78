package dev.lamina.models;

import dev.lamina.tensor.Rng;

import java.util.List;
import java.util.Locale;

/**
 * The image classifiers of the zoo by torchvision's names, for the command line: {@code resnet18},
 * {@code resnet34}, {@code resnet50}, {@code mobilenet_v2}, {@code mobilenet_v3_small}, {@code efficientnet_b0} and
 * {@code vit} (patch 4, width 192, 6 layers, 3 heads, MLP 768: a ViT for small images).
 */
public final class Zoo {
    private Zoo() {}

    public static final List<String> NAMES = List.of("resnet18", "resnet34", "resnet50", "mobilenet_v2", "mobilenet_v3_small", "efficientnet_b0", "vit");

    /** Whether {@code name} (any case) is one of {@link #NAMES}. */
    public static boolean has(String name) {
        return name != null && NAMES.contains(name.toLowerCase(Locale.ROOT));
    }

    /**
     * A fresh model.
     *
     * @param imageSize  input height and width (the ViT needs exactly this size, a multiple of 4)
     * @param smallInput the small-input stem ({@link VisionConfig#smallInput}); the ViT has none
     * @param widthMult  channel multiplier ({@link VisionConfig#widthMult}); the ViT's width becomes
     *                   3·round(64·widthMult) (192 at 1) and its MLP 4× that
     */
    public static ImageClassifier create(String name, int numClasses, int inChannels, int imageSize, boolean smallInput, double widthMult, Rng rng) {
        VisionConfig c = new VisionConfig(numClasses, inChannels, smallInput, widthMult, 0.2, 0.2, rng);
        int vitWidth = 3 * Math.max(1, (int) Math.round(64 * widthMult));
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "resnet18" -> ResNet.resnet18(c);
            case "resnet34" -> ResNet.resnet34(c);
            case "resnet50" -> ResNet.resnet50(c);
            case "mobilenet_v2" -> new MobileNetV2(c);
            case "mobilenet_v3_small" -> MobileNetV3.small(c);
            case "efficientnet_b0" -> EfficientNet.b0(c);
            case "vit" -> new VisionTransformer(new VisionTransformer.Config(imageSize, 4, inChannels, 6, 3, vitWidth, 4 * vitWidth, numClasses, 0), rng);
            default -> throw new IllegalArgumentException("unknown zoo model '" + name + "'; available: " + String.join(", ", NAMES));
        };
    }
}
