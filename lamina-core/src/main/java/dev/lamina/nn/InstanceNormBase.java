package dev.lamina.nn;

import dev.lamina.nn.functional.NormOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * What {@link InstanceNorm1d} and {@link InstanceNorm2d} share: each sample's channel is normalized over its
 * positions with its own mean and biased variance; optional {@code weight} [C] (ones) and {@code bias} [C] (zeros)
 * when affine (off by default, as in PyTorch). Running statistics ({@code track_running_stats}) are not
 * supported: batch statistics are used in training and evaluation alike (PyTorch's default). Unlike PyTorch, a
 * channel count other than num_features is an error even without affine parameters.
 */
public abstract class InstanceNormBase extends Module {
    /** What an instance norm is built from (each subclass's own {@code Config} record): features, eps and affine. */
    public interface Config extends LayerConfig {
        int numFeatures();

        double eps();

        boolean affine();

        @Override
        InstanceNormBase build(Rng rng);
    }

    private final int numFeatures;
    private final double eps;
    private final Tensor weight;
    private final Tensor bias;

    protected InstanceNormBase(int numFeatures, double eps, boolean affine) {
        String type = getClass().getSimpleName();
        if (numFeatures <= 0) throw new IllegalArgumentException(type + ": num_features must be positive, got " + numFeatures);
        if (!(eps >= 0)) throw new IllegalArgumentException(type + ": eps must be >= 0, got " + eps);
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.weight = affine ? registerParameter("weight", Tensor.ones(numFeatures)) : null;
        this.bias = affine ? registerParameter("bias", Tensor.zeros(numFeatures)) : null;
    }

    /** Number of spatial dims (1 or 2). */
    protected abstract int spatialDims();

    /** The accepted input shapes for error messages. */
    protected abstract String expectedShape();

    /** Batched [N, C, spatial...] or unbatched [C, spatial...] → same shape. */
    @Override
    public Tensor forward(Tensor x) {
        int batched = spatialDims() + 2;
        if (x.dim() == batched - 1 && x.size(0) == numFeatures) {
            return NormOp.instanceNorm(x.unsqueeze(0), weight, bias, eps).squeeze(0);
        }
        if (x.dim() != batched || x.size(1) != numFeatures) throw shapeError(expectedShape(), x);
        return NormOp.instanceNorm(x, weight, bias, eps);
    }

    public int numFeatures() {
        return numFeatures;
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
    public abstract Config config();

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + eps + ", affine=" + (weight != null);
    }
}
