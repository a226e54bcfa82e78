package dev.lamina.nn;

import dev.lamina.nn.functional.PoolOps;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * Global average pooling: the mean of each channel over all its spatial positions, as
 * {@code x.mean(dim=(2, 3))} (or {@code nn.AdaptiveAvgPool2d(1)} with {@code keepDim}).
 */
public final class GlobalAvgPool extends Module {
    /** What a GlobalAvgPool is built from: whether it keeps the pooled dims as size 1. */
    public record Config(boolean keepDim) implements LayerConfig {
        @Override
        public GlobalAvgPool build(Rng rng) {
            return new GlobalAvgPool(keepDim);
        }
    }

    private final boolean keepDim;

    /** [N, C, H, W] → [N, C]. */
    public GlobalAvgPool() {
        this(false);
    }

    /** With {@code keepDim}, [N, C, H, W] → [N, C, 1, 1]. */
    public GlobalAvgPool(boolean keepDim) {
        this.keepDim = keepDim;
    }

    /** [N, C, H, W] (or [N, C, L]) → [N, C], or with keepDim [N, C, 1, 1] (or [N, C, 1]). */
    @Override
    public Tensor forward(Tensor x) {
        return PoolOps.globalAvgPool(describe(), x, keepDim);
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
