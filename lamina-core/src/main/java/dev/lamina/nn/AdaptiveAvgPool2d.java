package dev.lamina.nn;

import dev.lamina.nn.functional.PoolOps;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * Adaptive avg pooling as PyTorch's {@code nn.AdaptiveAvgPool2d}: a fixed output size whatever the input
 * size; output row i pools input rows [floor(i·H/OH), ceil((i+1)·H/OH)) (bins overlap when sizes do not divide),
 * and likewise along W.
 */
public final class AdaptiveAvgPool2d extends Module {
    /** What an AdaptiveAvgPool2d is built from: its output size outH × outW. */
    public record Config(int outH, int outW) implements LayerConfig {
        @Override
        public AdaptiveAvgPool2d build(Rng rng) {
            return new AdaptiveAvgPool2d(outH, outW);
        }
    }

    private final int outH;
    private final int outW;

    public AdaptiveAvgPool2d(int size) {
        this(size, size);
    }

    public AdaptiveAvgPool2d(int outH, int outW) {
        if (outH <= 0 || outW <= 0) throw new IllegalArgumentException(describe() + ": output size must be positive, got " + outH + "x" + outW);
        this.outH = outH;
        this.outW = outW;
    }

    /** [N, C, H, W] → [N, C, outH, outW]; [C, H, W] → [C, outH, outW]. */
    @Override
    public Tensor forward(Tensor x) {
        return PoolOps.adaptiveAvgPool2d(describe(), x, outH, outW);
    }

    @Override
    public Config config() {
        return new Config(outH, outW);
    }

    @Override
    protected String extraRepr() {
        return "output_size=" + outH + "x" + outW;
    }

    /** {outH, outW}. */
    public int[] outputSize() {
        return new int[] {outH, outW};
    }
}
