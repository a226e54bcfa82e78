package dev.lamina.nn;

import dev.lamina.tensor.Tensor;

/** Instance normalization over [N, C, H, W] input (or unbatched [C, H, W]): see {@link InstanceNormBase}. */
public final class InstanceNorm2d extends InstanceNormBase {

    /** eps 1e-5, no affine parameters: PyTorch's defaults. */
    public InstanceNorm2d(int numFeatures) {
        this(numFeatures, 1e-5, false);
    }

    public InstanceNorm2d(int numFeatures, double eps, boolean affine) {
        super(numFeatures, eps, affine);
    }

    /** [N, C, H, W] → [N, C, H, W], or [C, H, W] → [C, H, W]. */
    @Override
    public Tensor forward(Tensor x) {
        return super.forward(x);
    }

    @Override
    protected int spatialDims() {
        return 2;
    }

    @Override
    protected String expectedShape() {
        return "[N, " + numFeatures() + ", H, W] or [" + numFeatures() + ", H, W]";
    }
}
