package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/** Log-softmax along a dimension (default the last), computed stably. */
public final class LogSoftmax extends Module {
    /** What a LogSoftmax is built from: the dimension it normalises over (negative counts from the end). */
    public record Config(int dim) implements LayerConfig {
        @Override
        public LogSoftmax build(Rng rng) {
            return new LogSoftmax(dim);
        }
    }

    private final int dim;

    public LogSoftmax() {
        this(-1);
    }

    public LogSoftmax(int dim) {
        this.dim = dim;
    }

    /** Any shape → the same shape. */
    @Override
    public Tensor forward(Tensor x) {
        return x.logSoftmax(dim);
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
