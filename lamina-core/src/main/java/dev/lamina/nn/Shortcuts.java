package dev.lamina.nn;

import dev.lamina.tensor.Rng;

/** The projection shortcut of ResNet blocks. */
final class Shortcuts {
    private Shortcuts() {}

    /** torchvision's {@code downsample}: {@code 0} 1×1 conv (stride s, no bias), {@code 1} BatchNorm2d. */
    static Sequential projection(int in, int out, int stride, Rng rng) {
        return new Sequential(new Conv2d(in, out, 1, 1, false, rng).stride(stride), new BatchNorm2d(out));
    }
}
