package dev.lamina.nn;

import dev.lamina.tensor.Tensor;

/**
 * Elementwise x · hardsigmoid(x) = x · min(max(x + 3, 0), 6) / 6, as PyTorch's {@code nn.Hardswish}; the gradient
 * is 0 below −3, x/3 + 1/2 between −3 and 3, 1 above.
 */
public final class Hardswish extends Module {
    /** Any shape → the same shape. */
    @Override
    public Tensor forward(Tensor x) {
        return x.mul(Hardsigmoid.apply(x));
    }
}
