package dev.lamina.nn;

import dev.lamina.tensor.Tensor;

/** Elementwise x · sigmoid(x) (also called Swish). */
public final class SiLU extends Module {
    /** Any shape → the same shape. */
    @Override
    public Tensor forward(Tensor x) {
        return x.silu();
    }
}
