package dev.lamina.nn;

import dev.lamina.nn.functional.PoolOps;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * 2-d max pooling as PyTorch's {@code nn.MaxPool2d}: kernel, stride (default: the kernel), implicit −∞
 * padding (at most half the kernel), dilation and ceil_mode; each given as one value (both axes) or (H, W).
 * The backward sends each output gradient to the first maximum of its window. 2x2 windows with stride 2 and no
 * padding take a fused path.
 */
public final class MaxPool2d extends Module {
    /** What a MaxPool2d is built from: kernel kh × kw, stride, padding and dilation per axis, and ceil mode. */
    public record Config(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW, int dilationH, int dilationW,
                         boolean ceilMode) implements LayerConfig {
        @Override
        public MaxPool2d build(Rng rng) {
            return new MaxPool2d(new int[] {kernelH, kernelW}, new int[] {strideH, strideW}, new int[] {padH, padW},
                    new int[] {dilationH, dilationW}, ceilMode);
        }
    }

    private final PoolOps.Window window;

    public MaxPool2d(int kernel) {
        this(new int[] {kernel}, null, null, null, false);
    }

    public MaxPool2d(int kernel, int stride) {
        this(new int[] {kernel}, new int[] {stride}, null, null, false);
    }

    public MaxPool2d(int kernel, int stride, int padding) {
        this(new int[] {kernel}, new int[] {stride}, new int[] {padding}, null, false);
    }

    /** Arrays of one value (both axes) or two (H, W); null stride = kernel, null padding = 0, null dilation = 1. */
    public MaxPool2d(int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        this.window = PoolOps.window2d(describe(), kernel, stride, padding, dilation, ceilMode);
    }

    public PoolOps.Window window() {
        return window;
    }

    /** [N, C, H, W] → [N, C, OH, OW] with OH = floor((H + 2·pad − dil·(k − 1) − 1) / stride) + 1 (ceil in ceil_mode); [C, H, W] → [C, OH, OW]. */
    @Override
    public Tensor forward(Tensor x) {
        return PoolOps.maxPoolValues(describe(), x, window);
    }

    /** As {@link #forward}, also returning PyTorch's indices (flat h·W + w within each input plane). */
    public PoolOps.WithIndices forwardWithIndices(Tensor x) {
        return PoolOps.maxPool(describe(), x, window);
    }

    @Override
    public Config config() {
        PoolOps.Window w = window;
        return new Config(w.kh(), w.kw(), w.sh(), w.sw(), w.ph(), w.pw(), w.dh(), w.dw(), w.ceilMode());
    }

    @Override
    protected String extraRepr() {
        return window.describe();
    }
}
