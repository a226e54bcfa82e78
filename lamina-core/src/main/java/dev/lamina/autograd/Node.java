package dev.lamina.autograd;

import dev.lamina.tensor.Tensor;

/** One recorded op on the tape: its name (for errors and graph dumps), its inputs and its gradient rule. */
public record Node(String op, Tensor[] inputs, GradFn rule) {}
