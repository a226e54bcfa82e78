package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/** Elementwise x · sigmoid(x) (also called Swish). */
public final class SiLU extends Module {
    /** What a SiLU is built from: nothing (it has no hyper-parameters). */
    public record Config() implements LayerConfig {
        @Override
        public SiLU build(Rng rng) {
            return new SiLU();
        }
    }

    /** Any shape → the same shape. */
    @Override
    public Tensor forward(Tensor x) {
        return x.silu();
    }

    @Override
    public Config config() {
        return new Config();
    }
}
