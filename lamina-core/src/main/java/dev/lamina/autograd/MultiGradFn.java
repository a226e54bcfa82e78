package dev.lamina.autograd;

import dev.lamina.tensor.Tensor;

/**
 * The gradient rule of an op with several outputs (LSTM: output, h_n, c_n; attention: output, weights): given the
 * gradient of the loss w.r.t. each output, {@code null} for an output the loss does not reach, returns the gradient
 * w.r.t. each input (same order as the node's inputs; {@code null} where an input needs none). At least one output
 * gradient is non-null. Runs with the tape off, like {@link GradFn}.
 */
@FunctionalInterface
public interface MultiGradFn {
    Tensor[] apply(Tensor[] gradOuts);
}
