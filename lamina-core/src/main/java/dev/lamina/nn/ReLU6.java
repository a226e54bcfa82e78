package dev.lamina.nn;

import dev.lamina.tensor.Tensor;

/** Elementwise min(max(x, 0), 6), as PyTorch's {@code nn.ReLU6} (MobileNetV2's activation). */
public final class ReLU6 extends Module {
    /** Any shape → the same shape. */
    @Override
    public Tensor forward(Tensor x) {
        return x.clamp(0f, 6f);
    }
}
