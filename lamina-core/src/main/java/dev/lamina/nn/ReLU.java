package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/** Elementwise max(x, 0). */
public final class ReLU extends Module {
    /** What a ReLU is built from: nothing (it has no hyper-parameters). */
    public record Config() implements LayerConfig {
        @Override
        public ReLU build(Rng rng) {
            return new ReLU();
        }
    }

    /** Any shape → the same shape. */
    @Override
    public Tensor forward(Tensor x) {
        return x.relu();
    }

    @Override
    public Config config() {
        return new Config();
    }
}
