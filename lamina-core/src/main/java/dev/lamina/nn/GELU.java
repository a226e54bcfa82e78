package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/** x · Φ(x), exact (erf) by default or with PyTorch's tanh approximation. */
public final class GELU extends Module {
    /** What a GELU is built from: whether it uses the tanh approximation instead of the exact (erf) form. */
    public record Config(boolean tanhApproximation) implements LayerConfig {
        @Override
        public GELU build(Rng rng) {
            return new GELU(tanhApproximation);
        }
    }

    private final boolean tanhApproximation;

    public GELU() {
        this(false);
    }

    public GELU(boolean tanhApproximation) {
        this.tanhApproximation = tanhApproximation;
    }

    /** Any shape → the same shape. */
    @Override
    public Tensor forward(Tensor x) {
        return tanhApproximation ? x.geluTanh() : x.gelu();
    }

    @Override
    protected String extraRepr() {
        return tanhApproximation ? "approximate=tanh" : "";
    }

    /** True for the tanh approximation, false for the exact (erf) form. */
    public boolean tanhApproximation() {
        return tanhApproximation;
    }

    @Override
    public Config config() {
        return new Config(tanhApproximation);
    }
}
