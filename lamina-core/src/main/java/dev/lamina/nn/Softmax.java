package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/** Softmax along a dimension (default the last): exp(x) / sum(exp(x)). */
public final class Softmax extends Module {
    /** What a Softmax is built from: the dimension it normalises over (negative counts from the end). */
    public record Config(int dim) implements LayerConfig {
        @Override
        public Softmax build(Rng rng) {
            return new Softmax(dim);
        }
    }

    private final int dim;

    public Softmax() {
        this(-1);
    }

    public Softmax(int dim) {
        this.dim = dim;
    }

    /** Any shape → the same shape. */
    @Override
    public Tensor forward(Tensor x) {
        return x.softmax(dim);
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim;
    }

    public int dim() {
        return dim;
    }

    @Override
    public Config config() {
        return new Config(dim);
    }
}
