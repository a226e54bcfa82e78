package dev.lamina.nn;

import dev.lamina.nn.functional.NormOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Root-mean-square normalization as PyTorch 2.x's {@code nn.RMSNorm}: y = x / √(mean(x²) + eps) · weight, the mean
 * taken over the trailing dims {@code normalized_shape}; {@code weight} (ones, shape {@code normalized_shape}) when
 * {@code elementwise_affine}; no bias. eps null means {@code torch.finfo(float32).eps} (≈1.19e-7).
 */
public final class RMSNorm extends Module {
    /** What an RMSNorm is built from: the normalized shape, eps (resolved: float32 machine epsilon for the default) and elementwise affine. */
    public record Config(List<Integer> normalizedShape, double eps, boolean elementwiseAffine) implements LayerConfig {
        public Config {
            normalizedShape = normalizedShape == null ? null : List.copyOf(normalizedShape);
        }

        @Override
        public RMSNorm build(Rng rng) {
            return new RMSNorm(LayerConfig.array(normalizedShape), eps, elementwiseAffine);
        }
    }

    private final int[] normalizedShape;
    private final double eps;
    private final Tensor weight;

    /** eps = float32 machine epsilon, with weight: PyTorch's defaults. */
    public RMSNorm(int... normalizedShape) {
        this(normalizedShape, null, true);
    }

    /** @param eps null for {@code torch.finfo(float32).eps} */
    public RMSNorm(int[] normalizedShape, Double eps, boolean elementwiseAffine) {
        if (normalizedShape.length == 0 || Arrays.stream(normalizedShape).anyMatch(d -> d <= 0)) {
            throw new IllegalArgumentException("RMSNorm: normalized_shape must be non-empty and positive, got " + Shape.str(normalizedShape));
        }
        if (eps != null && !(eps >= 0)) throw new IllegalArgumentException("RMSNorm: eps must be >= 0 or null, got " + eps);
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps == null ? NormOp.FLOAT32_EPS : eps;
        this.weight = elementwiseAffine ? registerParameter("weight", Tensor.ones(normalizedShape)) : null;
    }

    /** [*, normalized_shape...] → same shape. */
    @Override
    public Tensor forward(Tensor x) {
        if (!LayerNorm.endsWith(x.shape(), normalizedShape)) throw shapeError("[*, " + Shape.str(normalizedShape).substring(1), x);
        return NormOp.rmsNorm(x, normalizedShape, weight, eps);
    }

    public int[] normalizedShape() {
        return normalizedShape.clone();
    }

    /** The eps in use (float32 machine epsilon when built with null). */
    public double eps() {
        return eps;
    }

    /** {@code weight}, or null without elementwise affine. */
    public Tensor weight() {
        return weight;
    }

    @Override
    public Config config() {
        return new Config(LayerConfig.list(normalizedShape), eps, weight != null);
    }

    @Override
    protected String extraRepr() {
        return Shape.str(normalizedShape) + ", eps=" + eps + ", elementwise_affine=" + (weight != null);
    }
}
