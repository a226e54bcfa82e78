package dev.lamina.nn;

import dev.lamina.nn.functional.PoolOps;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * 2-d average pooling as PyTorch's {@code nn.AvgPool2d}: kernel, stride (default: the kernel), zero padding (at
 * most half the kernel), ceil_mode, and count_include_pad (default true: padded positions count in the divisor;
 * false: only the input positions of the window do).
 */
public final class AvgPool2d extends Module {
    /** What an AvgPool2d is built from: kernel kh × kw, stride and padding per axis, ceil mode and count_include_pad. */
    public record Config(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW, boolean ceilMode,
                         boolean countIncludePad) implements LayerConfig {
        @Override
        public AvgPool2d build(Rng rng) {
            return new AvgPool2d(new int[] {kernelH, kernelW}, new int[] {strideH, strideW}, new int[] {padH, padW}, ceilMode, countIncludePad);
        }
    }

    private final PoolOps.Window window;
    private final boolean countIncludePad;

    public AvgPool2d(int kernel) {
        this(new int[] {kernel}, null, null, false, true);
    }

    public AvgPool2d(int kernel, int stride) {
        this(new int[] {kernel}, new int[] {stride}, null, false, true);
    }

    public AvgPool2d(int kernel, int stride, int padding) {
        this(new int[] {kernel}, new int[] {stride}, new int[] {padding}, false, true);
    }

    /** Arrays of one value (both axes) or two (H, W); null stride = kernel, null padding = 0. */
    public AvgPool2d(int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad) {
        this.window = PoolOps.window2d(describe(), kernel, stride, padding, null, ceilMode);
        this.countIncludePad = countIncludePad;
    }

    public PoolOps.Window window() {
        return window;
    }

    /** [N, C, H, W] → [N, C, OH, OW] with OH = floor((H + 2·pad − k) / stride) + 1 (ceil in ceil_mode); [C, H, W] → [C, OH, OW]. */
    @Override
    public Tensor forward(Tensor x) {
        return PoolOps.avgPool(describe(), x, window, countIncludePad);
    }

    @Override
    public Config config() {
        PoolOps.Window w = window;
        return new Config(w.kh(), w.kw(), w.sh(), w.sw(), w.ph(), w.pw(), w.ceilMode(), countIncludePad);
    }

    @Override
    protected String extraRepr() {
        return window.describe() + ", count_include_pad=" + countIncludePad;
    }

    public boolean countIncludePad() {
        return countIncludePad;
    }
}
