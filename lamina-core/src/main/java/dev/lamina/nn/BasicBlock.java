package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * ResNet's basic residual block with torchvision's names ({@code BasicBlock}): {@code conv1} (3×3, stride s) →
 * {@code bn1} → ReLU → {@code conv2} (3×3) → {@code bn2}, plus the shortcut (the input, or {@code downsample}:
 * 1×1 conv stride s → BatchNorm when the stride or width changes), then ReLU.
 */
public final class BasicBlock extends Module {
    /** Output channels per unit of {@code planes} (torchvision's {@code expansion}). */
    public static final int EXPANSION = 1;
    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final Conv2d conv2;
    private final BatchNorm2d bn2;
    private final Sequential downsample;

    public BasicBlock(int inPlanes, int planes, int stride, Rng rng) {
        conv1 = registerModule("conv1", new Conv2d(inPlanes, planes, 3, 1, false, rng).stride(stride).padding(1));
        bn1 = registerModule("bn1", new BatchNorm2d(planes));
        conv2 = registerModule("conv2", new Conv2d(planes, planes, 3, 1, false, rng).padding(1));
        bn2 = registerModule("bn2", new BatchNorm2d(planes));
        downsample = stride != 1 || inPlanes != planes ? registerModule("downsample", Shortcuts.projection(inPlanes, planes, stride, rng)) : null;
    }

    /** [N, inPlanes, H, W] → [N, planes, H/s, W/s]. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor out = bn2.forward(conv2.forward(bn1.forward(conv1.forward(x)).relu()));
        return out.add(downsample == null ? x : downsample.forward(x)).relu();
    }
}
