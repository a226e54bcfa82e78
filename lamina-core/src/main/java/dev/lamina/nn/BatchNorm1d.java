package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/** Batch normalization over [N, C] or [N, C, L], one statistic per channel C (see {@link BatchNormBase}). */
public final class BatchNorm1d extends BatchNormBase {
    /** What a BatchNorm1d is built from: features, eps, momentum (null: cumulative average), affine and whether it tracks running statistics. */
    public record Config(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) implements BatchNormBase.Config {
        @Override
        public BatchNorm1d build(Rng rng) {
            return new BatchNorm1d(numFeatures, eps, momentum, affine, trackRunningStats);
        }
    }

    /** eps 1e-5, momentum 0.1, affine, tracking running statistics: PyTorch's defaults. */
    public BatchNorm1d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1, true, true);
    }

    /** @param momentum null for a cumulative moving average */
    public BatchNorm1d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        super(numFeatures, eps, momentum, affine, trackRunningStats);
    }

    /** [N, C] → [N, C] or [N, C, L] → [N, C, L]. In training mode N (× L) must be more than 1. */
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
        return rank == 2 || rank == 3;
    }

    @Override
    protected String expectedShape() {
        return "[N, " + numFeatures() + "] or [N, " + numFeatures() + ", L]";
    }
}
