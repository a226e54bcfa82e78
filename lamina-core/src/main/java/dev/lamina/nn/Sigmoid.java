package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/** Elementwise 1 / (1 + exp(-x)). */
public final class Sigmoid extends Module {
    /** What a Sigmoid is built from: nothing (it has no hyper-parameters). */
    public record Config() implements LayerConfig {
        @Override
        public Sigmoid build(Rng rng) {
            return new Sigmoid();
        }
    }

    /** Any shape → the same shape. */
    @Override
    public Tensor forward(Tensor x) {
        return x.sigmoid();
    }

    @Override
    public Config config() {
        return new Config();
    }
}
