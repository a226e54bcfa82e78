package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/** x for x > 0, alpha · (exp(x) − 1) otherwise. */
public final class ELU extends Module {
    /** What an ELU is built from: alpha, the value its negative part tends to (negated), at the layer's float precision. */
    public record Config(double alpha) implements LayerConfig {
        public Config {
            alpha = (float) alpha;   // the precision the layer keeps, so a rebuilt layer's config is equal
        }

        @Override
        public ELU build(Rng rng) {
            return new ELU(alpha);
        }
    }

    private final float alpha;

    public ELU() {
        this(1.0);
    }

    public ELU(double alpha) {
        this.alpha = (float) alpha;
    }

    /** Any shape → the same shape. */
    @Override
    public Tensor forward(Tensor x) {
        return x.elu(alpha);
    }

    @Override
    protected String extraRepr() {
        return "alpha=" + alpha;
    }

    public float alpha() {
        return alpha;
    }

    @Override
    public Config config() {
        return new Config(alpha);
    }
}
