package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/** Instance normalization over [N, C, L] input (or unbatched [C, L]): see {@link InstanceNormBase}. */
public final class InstanceNorm1d extends InstanceNormBase {
    /** What an InstanceNorm1d is built from: features, eps and whether it has affine weight and bias. */
    public record Config(int numFeatures, double eps, boolean affine) implements InstanceNormBase.Config {
        @Override
        public InstanceNorm1d build(Rng rng) {
            return new InstanceNorm1d(numFeatures, eps, affine);
        }
    }

    /** eps 1e-5, no affine parameters: PyTorch's defaults. */
    public InstanceNorm1d(int numFeatures) {
        this(numFeatures, 1e-5, false);
    }

    public InstanceNorm1d(int numFeatures, double eps, boolean affine) {
        super(numFeatures, eps, affine);
    }

    /** [N, C, L] → [N, C, L], or [C, L] → [C, L]. */
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
        return 1;
    }

    @Override
    protected String expectedShape() {
        return "[N, " + numFeatures() + ", L] or [" + numFeatures() + ", L]";
    }
}
