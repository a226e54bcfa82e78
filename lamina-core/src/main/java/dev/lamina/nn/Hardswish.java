package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * Elementwise x · hardsigmoid(x) = x · min(max(x + 3, 0), 6) / 6, as PyTorch's {@code nn.Hardswish}; the gradient
 * is 0 below −3, x/3 + 1/2 between −3 and 3, 1 above.
 */
public final class Hardswish extends Module {
    /** What a Hardswish is built from: nothing (it has no hyper-parameters). */
    public record Config() implements LayerConfig {
        @Override
        public Hardswish build(Rng rng) {
            return new Hardswish();
        }
    }

    /** Any shape → the same shape. */
    @Override
    public Tensor forward(Tensor x) {
        return x.mul(Hardsigmoid.apply(x));
    }

    @Override
    public Config config() {
        return new Config();
    }
}
