package dev.lamina.nn;

import dev.lamina.nn.functional.AdaptivePool1dOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * Adaptive average pooling as PyTorch's {@code nn.AdaptiveAvgPool1d}: a fixed output length whatever the input
 * length; output position i averages input positions [floor(i·L/out), ceil((i+1)·L/out)) (bins overlap when the
 * sizes do not divide).
 */
public final class AdaptiveAvgPool1d extends Module {
    /** What an AdaptiveAvgPool1d is built from: its output length. */
    public record Config(int outputSize) implements LayerConfig {
        @Override
        public AdaptiveAvgPool1d build(Rng rng) {
            return new AdaptiveAvgPool1d(outputSize);
        }
    }

    private final int out;

    public AdaptiveAvgPool1d(int outputSize) {
        if (outputSize <= 0) throw new IllegalArgumentException(describe() + ": output size must be positive, got " + outputSize);
        this.out = outputSize;
    }

    /** [N, C, L] → [N, C, out]; [C, L] → [C, out]. */
    @Override
    public Tensor forward(Tensor x) {
        return AdaptivePool1dOp.adaptiveAvgPool1d(describe(), x, out);
    }

    @Override
    public Config config() {
        return new Config(out);
    }

    @Override
    protected String extraRepr() {
        return "output_size=" + out;
    }

    public int outputSize() {
        return out;
    }
}
