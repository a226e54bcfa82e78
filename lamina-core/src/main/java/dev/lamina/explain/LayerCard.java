package dev.lamina.explain;

/**
 * One layer as the explainer saw it.
 *
 * @param path                 the layer's path in the model ({@code "3"}, {@code "encoder.layers.0"})
 * @param type                 its class, e.g. {@code Conv2d}
 * @param description          what it does, in plain words, from its configuration
 * @param inputShape           input shape, batch first
 * @param outputShape          output shape, batch first
 * @param parameters           trainable scalars in this layer (and its sub-layers)
 * @param parameterShare       share of the model's parameters, 0..1
 * @param macsPerExample       multiply-adds per example of one forward pass (0 for layers that only move or compare values)
 * @param activationBytes      bytes of one example's output (float32)
 * @param receptiveField       input values along one side that one output depends on; -1: the whole input; 0: not computed
 * @param stats                its output's statistics on the batch
 * @param outputGradNorm       L2 norm of the loss gradient at its output over the batch (comparable across layers of any width); NaN without labels
 * @param weightGradRms        root mean square of the gradient of its weights (parameters of two or more dimensions); NaN without
 * @param updateRatio          largest rms(update) / rms(weight) over its weights for one optimizer step; NaN without an optimizer
 * @param container            whether it only groups other layers (a nested {@code Sequential})
 */
public record LayerCard(String path, String type, String description, int[] inputShape, int[] outputShape, long parameters, double parameterShare,
                        long macsPerExample, long activationBytes, int receptiveField, ActivationStats stats, double outputGradNorm, double weightGradRms,
                        double updateRatio, boolean container) {

    /** "3 (Conv2d)", how the report names the layer. */
    public String name() {
        return path.isEmpty() ? type : path + " (" + type + ")";
    }
}
