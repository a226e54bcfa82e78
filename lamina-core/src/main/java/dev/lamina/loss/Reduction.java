package dev.lamina.loss;

import dev.lamina.tensor.Tensor;

/** How a loss turns per-element values into its result. */
public enum Reduction {
    /** Per-element losses, the input's shape. */
    NONE,
    /** Mean over elements (a 0-d tensor). */
    MEAN,
    /** Sum over elements (a 0-d tensor). */
    SUM;

    /** PyTorch's spelling: none, mean, sum. */
    static String name(Reduction r) {
        return r.name().toLowerCase(java.util.Locale.ROOT);
    }

    Tensor apply(Tensor perElement) {
        return switch (this) {
            case NONE -> perElement;
            case MEAN -> perElement.mean();
            case SUM -> perElement.sum();
        };
    }
}
