package dev.lamina.nn;

import dev.lamina.nn.functional.PoolOps;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * Global max pooling: the maximum of each channel over all its spatial positions, as
 * {@code nn.AdaptiveMaxPool2d(1)} (the first maximum gets the gradient).
 */
public final class GlobalMaxPool extends Module {
    /** What a GlobalMaxPool is built from: whether it keeps the pooled dims as size 1. */
    public record Config(boolean keepDim) implements LayerConfig {
        @Override
        public GlobalMaxPool build(Rng rng) {
            return new GlobalMaxPool(keepDim);
        }
    }

    private final boolean keepDim;

    /** [N, C, H, W] → [N, C]. */
    public GlobalMaxPool() {
        this(false);
    }

    /** With {@code keepDim}, [N, C, H, W] → [N, C, 1, 1]. */
    public GlobalMaxPool(boolean keepDim) {
        this.keepDim = keepDim;
    }

    /** [N, C, H, W] (or [N, C, L]) → [N, C], or with keepDim [N, C, 1, 1] (or [N, C, 1]). */
    @Override
    public Tensor forward(Tensor x) {
        return PoolOps.globalMaxPool(describe(), x, keepDim);
    }

    @Override
    public Config config() {
        return new Config(keepDim);
    }

    @Override
    protected String extraRepr() {
        return "keepdim=" + keepDim;
    }

    public boolean keepDim() {
        return keepDim;
    }
}
