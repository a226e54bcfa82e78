package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/** Instance normalization over [N, C, H, W] input (or unbatched [C, H, W]): see {@link InstanceNormBase}. */
public final class InstanceNorm2d extends InstanceNormBase {
    /** What an InstanceNorm2d is built from: features, eps and whether it has affine weight and bias. */
    public record Config(int numFeatures, double eps, boolean affine) implements InstanceNormBase.Config {
        @Override
        public InstanceNorm2d build(Rng rng) {
            return new InstanceNorm2d(numFeatures, eps, affine);
        }
    }

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
    public Config config() {
        return new Config(numFeatures(), eps(), weight() != null);
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
