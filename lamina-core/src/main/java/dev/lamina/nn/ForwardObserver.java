package dev.lamina.nn;

import dev.lamina.tensor.Tensor;

/**
 * Sees every layer's input and output as a container runs ({@link Sequential#forward(Tensor, ForwardObserver)}):
 * what an explainer or a debugger needs to look inside a model without changing it. The observer may wrap the
 * output (to watch its gradient, for example); what it returns is passed on to the next layer.
 */
@FunctionalInterface
public interface ForwardObserver {
    /**
     * Called after {@code layer} ran on {@code input} and gave {@code output}.
     *
     * @return the tensor the next layer gets: {@code output} itself, or a tensor of the same shape and values
     */
    Tensor observe(Module layer, Tensor input, Tensor output);
}
