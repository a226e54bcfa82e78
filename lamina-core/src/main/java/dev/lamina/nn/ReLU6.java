package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/** Elementwise min(max(x, 0), 6), as PyTorch's {@code nn.ReLU6} (MobileNetV2's activation). */
public final class ReLU6 extends Module {
    /** What a ReLU6 is built from: nothing (it has no hyper-parameters). */
    public record Config() implements LayerConfig {
        @Override
        public ReLU6 build(Rng rng) {
            return new ReLU6();
        }
    }

    /** Any shape → the same shape. */
    @Override
    public Tensor forward(Tensor x) {
        return x.clamp(0f, 6f);
    }

    @Override
    public Config config() {
        return new Config();
    }
}
