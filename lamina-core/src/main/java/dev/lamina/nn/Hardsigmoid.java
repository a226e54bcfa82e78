package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/** Elementwise min(max(x/6 + 1/2, 0), 1), as PyTorch's {@code nn.Hardsigmoid} (MobileNetV3's gate). */
public final class Hardsigmoid extends Module {
    /** What a Hardsigmoid is built from: nothing (it has no hyper-parameters). */
    public record Config() implements LayerConfig {
        @Override
        public Hardsigmoid build(Rng rng) {
            return new Hardsigmoid();
        }
    }

    /** Any shape → the same shape. */
    @Override
    public Tensor forward(Tensor x) {
        return apply(x);
    }

    /** The function itself, for layers that gate with it. */
    public static Tensor apply(Tensor x) {
        return x.mul(1f / 6f).add(0.5f).clamp(0f, 1f);
    }

    @Override
    public Config config() {
        return new Config();
    }
}
