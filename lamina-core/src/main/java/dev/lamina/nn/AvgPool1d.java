package dev.lamina.nn;

import dev.lamina.nn.functional.PoolOps;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * 1-d average pooling as PyTorch's {@code nn.AvgPool1d}: kernel, stride (default: the kernel), zero padding (at
 * most half the kernel), ceil_mode and count_include_pad (default true).
 */
public final class AvgPool1d extends Module {
    /** What an AvgPool1d is built from: kernel, stride (≤ 0 means the kernel, stored resolved), padding, ceil mode and count_include_pad. */
    public record Config(int kernel, int stride, int padding, boolean ceilMode, boolean countIncludePad) implements LayerConfig {
        public Config {
            if (stride <= 0) stride = kernel;
        }

        @Override
        public AvgPool1d build(Rng rng) {
            return new AvgPool1d(kernel, stride, padding, ceilMode, countIncludePad);
        }
    }

    private final PoolOps.Window window;
    private final boolean countIncludePad;

    public AvgPool1d(int kernel) {
        this(kernel, kernel, 0, false, true);
    }

    public AvgPool1d(int kernel, int stride) {
        this(kernel, stride, 0, false, true);
    }

    public AvgPool1d(int kernel, int stride, int padding) {
        this(kernel, stride, padding, false, true);
    }

    /** {@code stride} ≤ 0 means the kernel. */
    public AvgPool1d(int kernel, int stride, int padding, boolean ceilMode, boolean countIncludePad) {
        this.window = PoolOps.window1d(describe(), kernel, stride, padding, 1, ceilMode);
        this.countIncludePad = countIncludePad;
    }

    public PoolOps.Window window() {
        return window;
    }

    /** [N, C, L] → [N, C, OL] with OL = floor((L + 2·pad − k) / stride) + 1 (ceil in ceil_mode); [C, L] → [C, OL]. */
    @Override
    public Tensor forward(Tensor x) {
        return PoolOps.avgPool(describe(), x, window, countIncludePad);
    }

    @Override
    public Config config() {
        return new Config(window.kw(), window.sw(), window.pw(), window.ceilMode(), countIncludePad);
    }

    @Override
    protected String extraRepr() {
        return window.describe() + ", count_include_pad=" + countIncludePad;
    }

    public boolean countIncludePad() {
        return countIncludePad;
    }
}
