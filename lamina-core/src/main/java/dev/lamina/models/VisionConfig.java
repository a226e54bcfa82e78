package dev.lamina.models;

import dev.lamina.tensor.Rng;

/**
 * What the image models of the zoo ({@link ResNet}, {@link MobileNetV2}, {@link MobileNetV3}, {@link EfficientNet})
 * take besides their architecture.
 *
 * @param numClasses    outputs of the head (1000 in torchvision)
 * @param inChannels    channels of the input image (3; 1 for grey-scale such as Fashion-MNIST)
 * @param smallInput    the small-input ("CIFAR") stem for 32×32 images: ResNet's first conv 3×3 stride 1 and no
 *                      max-pool, the MobileNets' and EfficientNet's first conv stride 1; the names and the other
 *                      shapes stay torchvision's
 * @param widthMult     channel multiplier (1 = torchvision's sizes; ResNet's base width is round(64·widthMult),
 *                      the others use torchvision's {@code width_mult} rounding to multiples of 8)
 * @param dropout       dropout before the last linear layer where the architecture has one (torchvision's default
 *                      0.2 for the MobileNets and EfficientNet-B0)
 * @param stochasticDepth EfficientNet's stochastic-depth probability of the last block (0.2 in torchvision)
 * @param rng           initialisation and dropout randomness
 */
public record VisionConfig(int numClasses, int inChannels, boolean smallInput, double widthMult, double dropout, double stochasticDepth, Rng rng) {
    public VisionConfig {
        if (numClasses <= 0) throw new IllegalArgumentException("numClasses must be positive, got " + numClasses);
        if (inChannels <= 0) throw new IllegalArgumentException("inChannels must be positive, got " + inChannels);
        if (!(widthMult > 0) || Double.isInfinite(widthMult)) throw new IllegalArgumentException("widthMult must be a positive number, got " + widthMult);
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        if (!(stochasticDepth >= 0 && stochasticDepth < 1)) throw new IllegalArgumentException("stochasticDepth must be in [0, 1), got " + stochasticDepth);
        java.util.Objects.requireNonNull(rng, "rng");
    }

    /** torchvision's defaults: 1000 classes, RGB input, the ImageNet stem, full width, dropout 0.2, stochastic depth 0.2. */
    public static VisionConfig imagenet(Rng rng) {
        return new VisionConfig(1000, 3, false, 1.0, 0.2, 0.2, rng);
    }

    /** {@code numClasses} outputs, {@code inChannels} input channels, otherwise {@link #imagenet}. */
    public static VisionConfig of(int numClasses, int inChannels, Rng rng) {
        return new VisionConfig(numClasses, inChannels, false, 1.0, 0.2, 0.2, rng);
    }

    public VisionConfig withSmallInput(boolean value) {
        return new VisionConfig(numClasses, inChannels, value, widthMult, dropout, stochasticDepth, rng);
    }

    public VisionConfig withWidthMult(double value) {
        return new VisionConfig(numClasses, inChannels, smallInput, value, dropout, stochasticDepth, rng);
    }

    public VisionConfig withDropout(double value) {
        return new VisionConfig(numClasses, inChannels, smallInput, widthMult, value, stochasticDepth, rng);
    }

    public VisionConfig withStochasticDepth(double value) {
        return new VisionConfig(numClasses, inChannels, smallInput, widthMult, dropout, value, rng);
    }

    /** torchvision's {@code _make_divisible(v, 8)}: the nearest multiple of 8, at least 8, never under 90% of v. */
    static int divisible(double v) {
        int n = Math.max(8, (int) (v + 4) / 8 * 8);
        return n < 0.9 * v ? n + 8 : n;
    }
}
