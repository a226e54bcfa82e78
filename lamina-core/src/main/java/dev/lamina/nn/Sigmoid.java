package dev.lamina.nn;

import dev.lamina.tensor.Tensor;

/** Elementwise 1 / (1 + exp(-x)). */
public final class Sigmoid extends Module {
    /** Any shape → the same shape. */
    @Override
    public Tensor forward(Tensor x) {
        return x.sigmoid();
    }
}
