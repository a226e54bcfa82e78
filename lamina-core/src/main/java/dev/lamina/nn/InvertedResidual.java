package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * MobileNetV2's inverted residual block with torchvision's names: {@code conv} = [1×1 expansion conv-BN-ReLU6
 * (absent when the expansion ratio is 1)], 3×3 depthwise conv-BN-ReLU6 (stride s), 1×1 linear projection conv,
 * BatchNorm; the input is added when the stride is 1 and the widths match.
 */
public final class InvertedResidual extends Module {
    private final Sequential conv;
    private final boolean residual;

    public InvertedResidual(int in, int out, int stride, int expandRatio, Rng rng) {
        if (stride != 1 && stride != 2) throw new IllegalArgumentException("InvertedResidual: stride must be 1 or 2, got " + stride);
        int hidden = (int) Math.round((double) in * expandRatio);
        Sequential c = new Sequential();
        if (expandRatio != 1) c.add(ConvNormActivation.of(in, hidden, 1, 1, 1, ReLU6::new, rng));
        c.add(ConvNormActivation.of(hidden, hidden, 3, stride, hidden, ReLU6::new, rng));
        c.add(new Conv2d(hidden, out, 1, 1, false, rng));
        c.add(new BatchNorm2d(out));
        this.conv = registerModule("conv", c);
        this.residual = stride == 1 && in == out;
    }

    /** [N, in, H, W] → [N, out, H/s, W/s]. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor y = conv.forward(x);
        return residual ? y.add(x) : y;
    }
}
