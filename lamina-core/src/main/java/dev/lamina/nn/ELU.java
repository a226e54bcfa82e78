package dev.lamina.nn;

import dev.lamina.tensor.Tensor;

/** x for x > 0, alpha · (exp(x) − 1) otherwise. */
public final class ELU extends Module {
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
}
