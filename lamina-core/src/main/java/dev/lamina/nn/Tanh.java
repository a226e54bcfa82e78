package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/** Elementwise tanh(x). */
public final class Tanh extends Module {
    /** What a Tanh is built from: nothing (it has no hyper-parameters). */
    public record Config() implements LayerConfig {
        @Override
        public Tanh build(Rng rng) {
            return new Tanh();
        }
    }

    /** Any shape → the same shape. */
    @Override
    public Tensor forward(Tensor x) {
        return x.tanh();
    }

    @Override
    public Config config() {
        return new Config();
    }
}
