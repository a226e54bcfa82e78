package dev.lamina.nn;

import dev.lamina.tensor.Tensor;

/** Elementwise max(x, 0). */
public final class ReLU extends Module {
    /** Any shape → the same shape. */
    @Override
    public Tensor forward(Tensor x) {
        return x.relu();
    }
}
