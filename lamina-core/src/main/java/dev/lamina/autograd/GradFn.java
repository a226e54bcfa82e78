package dev.lamina.autograd;

import dev.lamina.tensor.Tensor;

/**
 * A gradient rule: given the gradient of the loss w.r.t. an op's output, returns the gradient w.r.t. each of
 * its inputs (same order as the node's inputs; {@code null} where an input needs none). Rules run with the tape
 * off and may return tensors of the inputs' broadcast shape: the engine reduces them to the input's shape.
 */
@FunctionalInterface
public interface GradFn {
    Tensor[] apply(Tensor gradOut);
}
