package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/** max(x, 0) + slope · min(x, 0); PyTorch's default slope is 0.01. */
public final class LeakyReLU extends Module {
    /** What a LeakyReLU is built from: the slope of its negative part, at the layer's float precision. */
    public record Config(double negativeSlope) implements LayerConfig {
        public Config {
            negativeSlope = (float) negativeSlope;   // the precision the layer keeps, so a rebuilt layer's config is equal
        }

        @Override
        public LeakyReLU build(Rng rng) {
            return new LeakyReLU(negativeSlope);
        }
    }

    private final float slope;

    public LeakyReLU() {
        this(0.01);
    }

    public LeakyReLU(double slope) {
        this.slope = (float) slope;
    }

    /** Any shape → the same shape. */
    @Override
    public Tensor forward(Tensor x) {
        return x.leakyRelu(slope);
    }

    @Override
    protected String extraRepr() {
        return "slope=" + slope;
    }

    public float negativeSlope() {
        return slope;
    }

    @Override
    public Config config() {
        return new Config(slope);
    }
}
