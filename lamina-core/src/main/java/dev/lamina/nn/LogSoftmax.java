package dev.lamina.nn;

import dev.lamina.tensor.Tensor;

/** Log-softmax along a dimension (default the last), computed stably. */
public final class LogSoftmax extends Module {
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
}
