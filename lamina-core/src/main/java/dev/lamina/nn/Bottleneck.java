package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * ResNet's bottleneck residual block with torchvision's names and stride placement (ResNet v1.5:
 * {@code Bottleneck}): {@code conv1} (1×1 → width) → {@code bn1} → ReLU → {@code conv2} (3×3, stride s) →
 * {@code bn2} → ReLU → {@code conv3} (1×1 → 4·planes) → {@code bn3}, plus the shortcut (the input, or
 * {@code downsample} when the stride or width changes), then ReLU. width = planes (torchvision's groups 1,
 * base width 64).
 */
public final class Bottleneck extends Module {
    /** Output channels per unit of {@code planes} (torchvision's {@code expansion}). */
    public static final int EXPANSION = 4;
    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final Conv2d conv2;
    private final BatchNorm2d bn2;
    private final Conv2d conv3;
    private final BatchNorm2d bn3;
    private final Sequential downsample;

    public Bottleneck(int inPlanes, int planes, int stride, Rng rng) {
        int out = planes * EXPANSION;
        conv1 = registerModule("conv1", new Conv2d(inPlanes, planes, 1, 1, false, rng));
        bn1 = registerModule("bn1", new BatchNorm2d(planes));
        conv2 = registerModule("conv2", new Conv2d(planes, planes, 3, 1, false, rng).stride(stride).padding(1));
        bn2 = registerModule("bn2", new BatchNorm2d(planes));
        conv3 = registerModule("conv3", new Conv2d(planes, out, 1, 1, false, rng));
        bn3 = registerModule("bn3", new BatchNorm2d(out));
        downsample = stride != 1 || inPlanes != out ? registerModule("downsample", Shortcuts.projection(inPlanes, out, stride, rng)) : null;
    }

    /** [N, inPlanes, H, W] → [N, 4·planes, H/s, W/s]. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor y = bn1.forward(conv1.forward(x)).relu();
        y = bn2.forward(conv2.forward(y)).relu();
        y = bn3.forward(conv3.forward(y));
        return y.add(downsample == null ? x : downsample.forward(x)).relu();
    }
}
