package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * Squeeze-and-excitation (Hu et al.) with torchvision's names and layout ({@code SqueezeExcitation}): the
 * channel means go through {@code fc1} (1×1 conv C → squeeze, with bias), the activation (ReLU in MobileNetV3,
 * SiLU in EfficientNet), {@code fc2} (1×1 conv squeeze → C) and the scale activation (Sigmoid, or Hardsigmoid in
 * MobileNetV3); the input is multiplied by that per-channel gate.
 */
public final class SqueezeExcitation extends Module {
    private final Conv2d fc1;
    private final Conv2d fc2;
    private final Module activation;
    private final Module scaleActivation;

    public SqueezeExcitation(int channels, int squeezeChannels, Module activation, Module scaleActivation, Rng rng) {
        if (channels <= 0 || squeezeChannels <= 0) throw new IllegalArgumentException("SqueezeExcitation: channels must be positive, got " + channels + " and " + squeezeChannels);
        this.fc1 = registerModule("fc1", new Conv2d(channels, squeezeChannels, 1, 1, true, rng));
        this.fc2 = registerModule("fc2", new Conv2d(squeezeChannels, channels, 1, 1, true, rng));
        this.activation = registerModule("activation", activation);
        this.scaleActivation = registerModule("scale_activation", scaleActivation);
    }

    /** [N, C, H, W] → [N, C, H, W]. */
    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.size(1) != fc1.inChannels()) throw shapeError("[N, " + fc1.inChannels() + ", H, W]", x);
        Tensor scale = x.mean(new int[] {2, 3}, true);
        scale = scaleActivation.forward(fc2.forward(activation.forward(fc1.forward(scale))));
        return x.mul(scale);
    }
}
