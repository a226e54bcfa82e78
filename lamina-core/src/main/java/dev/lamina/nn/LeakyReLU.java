package dev.lamina.nn;

import dev.lamina.tensor.Tensor;

/** max(x, 0) + slope · min(x, 0); PyTorch's default slope is 0.01. */
public final class LeakyReLU extends Module {
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
}
