package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/** Batch normalization over NCHW input, one statistic per channel C over N, H and W (see {@link BatchNormBase}). */
public final class BatchNorm2d extends BatchNormBase {
    /** What a BatchNorm2d is built from: features, eps, momentum (null: cumulative average), affine and whether it tracks running statistics. */
    public record Config(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) implements BatchNormBase.Config {
        @Override
        public BatchNorm2d build(Rng rng) {
            return new BatchNorm2d(numFeatures, eps, momentum, affine, trackRunningStats);
        }
    }

    /** eps 1e-5, momentum 0.1, affine, tracking running statistics: PyTorch's defaults. */
    public BatchNorm2d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1, true, true);
    }

    /** @param momentum null for a cumulative moving average */
    public BatchNorm2d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        super(numFeatures, eps, momentum, affine, trackRunningStats);
    }

    /** [N, C, H, W] → [N, C, H, W]. */
    @Override
    public Tensor forward(Tensor x) {
        return super.forward(x);
    }

    @Override
    public Config config() {
        return new Config(numFeatures(), eps(), momentum(), weight() != null, runningMean() != null);
    }

    @Override
    protected boolean acceptsRank(int rank) {
        return rank == 4;
    }

    @Override
    protected String expectedShape() {
        return "[N, " + numFeatures() + ", H, W]";
    }
}
