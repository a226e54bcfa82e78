package dev.lamina.nn;

import dev.lamina.nn.functional.NormOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * Group normalization: the C channels are split into {@code num_groups} consecutive groups and each sample's group
 * is normalized with its own mean and biased variance (over its channels and all positions), then scaled by
 * {@code weight} [C] (ones) and shifted by {@code bias} [C] (zeros) per channel when affine. Same in training and
 * evaluation.
 */
public final class GroupNorm extends Module {
    /** What a GroupNorm is built from: groups, channels, eps and whether it has affine weight and bias. */
    public record Config(int numGroups, int numChannels, double eps, boolean affine) implements LayerConfig {
        @Override
        public GroupNorm build(Rng rng) {
            return new GroupNorm(numGroups, numChannels, eps, affine);
        }
    }

    private final int numGroups;
    private final int numChannels;
    private final double eps;
    private final Tensor weight;
    private final Tensor bias;

    /** eps 1e-5, affine: PyTorch's defaults. */
    public GroupNorm(int numGroups, int numChannels) {
        this(numGroups, numChannels, 1e-5, true);
    }

    public GroupNorm(int numGroups, int numChannels, double eps, boolean affine) {
        if (numGroups <= 0 || numChannels <= 0) throw new IllegalArgumentException(describe() + ": num_groups and num_channels must be positive, got " + numGroups + " and " + numChannels);
        if (numChannels % numGroups != 0) {
            throw new IllegalArgumentException(describe() + ": num_channels must be divisible by num_groups, got " + numChannels + " channels and " + numGroups + " groups");
        }
        if (!(eps >= 0)) throw new IllegalArgumentException(describe() + ": eps must be >= 0, got " + eps);
        this.numGroups = numGroups;
        this.numChannels = numChannels;
        this.eps = eps;
        this.weight = affine ? registerParameter("weight", Tensor.ones(numChannels)) : null;
        this.bias = affine ? registerParameter("bias", Tensor.zeros(numChannels)) : null;
    }

    /** [N, C, *] → same shape (e.g. [N, C], [N, C, L], [N, C, H, W]). */
    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() < 2 || x.size(1) != numChannels) throw shapeError("[N, " + numChannels + ", *]", x);
        return NormOp.groupNorm(x, numGroups, weight, bias, eps);
    }

    public int numGroups() {
        return numGroups;
    }

    public int numChannels() {
        return numChannels;
    }

    public double eps() {
        return eps;
    }

    /** {@code weight} [C], or null when not affine. */
    public Tensor weight() {
        return weight;
    }

    /** {@code bias} [C], or null when not affine. */
    public Tensor bias() {
        return bias;
    }

    @Override
    public Config config() {
        return new Config(numGroups, numChannels, eps, weight != null);
    }

    @Override
    protected String extraRepr() {
        return numGroups + ", " + numChannels + ", eps=" + eps + ", affine=" + (weight != null);
    }
}
