package dev.lamina.nn;

import dev.lamina.nn.functional.PoolOps;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * 1-d max pooling as PyTorch's {@code nn.MaxPool1d}: kernel, stride (default: the kernel), implicit −∞ padding
 * (at most half the kernel), dilation and ceil_mode. The backward sends each output gradient to the first
 * maximum of its window.
 */
public final class MaxPool1d extends Module {
    /** What a MaxPool1d is built from: kernel, stride (≤ 0 means the kernel, stored resolved), padding, dilation and ceil mode. */
    public record Config(int kernel, int stride, int padding, int dilation, boolean ceilMode) implements LayerConfig {
        public Config {
            if (stride <= 0) stride = kernel;
        }

        @Override
        public MaxPool1d build(Rng rng) {
            return new MaxPool1d(kernel, stride, padding, dilation, ceilMode);
        }
    }

    private final PoolOps.Window window;

    public MaxPool1d(int kernel) {
        this(kernel, kernel, 0, 1, false);
    }

    public MaxPool1d(int kernel, int stride) {
        this(kernel, stride, 0, 1, false);
    }

    public MaxPool1d(int kernel, int stride, int padding) {
        this(kernel, stride, padding, 1, false);
    }

    /** {@code stride} ≤ 0 means the kernel. */
    public MaxPool1d(int kernel, int stride, int padding, int dilation, boolean ceilMode) {
        this.window = PoolOps.window1d(describe(), kernel, stride, padding, dilation, ceilMode);
    }

    public PoolOps.Window window() {
        return window;
    }

    /** [N, C, L] → [N, C, OL] with OL = floor((L + 2·pad − dil·(k − 1) − 1) / stride) + 1 (ceil in ceil_mode); [C, L] → [C, OL]. */
    @Override
    public Tensor forward(Tensor x) {
        return PoolOps.maxPoolValues(describe(), x, window);
    }

    /** As {@link #forward}, also returning PyTorch's indices (position l within each input row). */
    public PoolOps.WithIndices forwardWithIndices(Tensor x) {
        return PoolOps.maxPool(describe(), x, window);
    }

    @Override
    public Config config() {
        return new Config(window.kw(), window.sw(), window.pw(), window.dw(), window.ceilMode());
    }

    @Override
    protected String extraRepr() {
        return window.describe();
    }
}
