package dev.lamina.nn;

import dev.lamina.tensor.Tensor;

/** Elementwise tanh(x). */
public final class Tanh extends Module {
    /** Any shape → the same shape. */
    @Override
    public Tensor forward(Tensor x) {
        return x.tanh();
    }
}
