package dev.lamina.nn;

import dev.lamina.nn.functional.NormOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Layer normalization over the trailing dims {@code normalized_shape}: each such block is normalized with its own
 * mean and biased variance, then scaled by {@code weight} (ones) and shifted by {@code bias} (zeros), both of shape
 * {@code normalized_shape}, when {@code elementwise_affine}.
 */
public final class LayerNorm extends Module {
    /** What a LayerNorm is built from: the normalized shape, eps, elementwise affine and bias (false without elementwise affine). */
    public record Config(List<Integer> normalizedShape, double eps, boolean elementwiseAffine, boolean bias) implements LayerConfig {
        public Config {
            normalizedShape = normalizedShape == null ? null : List.copyOf(normalizedShape);
            bias = elementwiseAffine && bias;
        }

        @Override
        public LayerNorm build(Rng rng) {
            return new LayerNorm(LayerConfig.array(normalizedShape), eps, elementwiseAffine, bias);
        }
    }

    private final int[] normalizedShape;
    private final double eps;
    private final Tensor weight;
    private final Tensor bias;

    /** eps 1e-5, with weight and bias: PyTorch's defaults. */
    public LayerNorm(int... normalizedShape) {
        this(normalizedShape, 1e-5, true, true);
    }

    /**
     * @param elementwiseAffine learnable weight (and bias, when {@code bias})
     * @param bias learnable bias (PyTorch 2.1's {@code bias} argument; ignored without elementwise affine)
     */
    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine, boolean bias) {
        if (normalizedShape.length == 0 || Arrays.stream(normalizedShape).anyMatch(d -> d <= 0)) {
            throw new IllegalArgumentException("LayerNorm: normalized_shape must be non-empty and positive, got " + Shape.str(normalizedShape));
        }
        if (!(eps >= 0)) throw new IllegalArgumentException("LayerNorm: eps must be >= 0, got " + eps);
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.weight = elementwiseAffine ? registerParameter("weight", Tensor.ones(normalizedShape)) : null;
        this.bias = elementwiseAffine && bias ? registerParameter("bias", Tensor.zeros(normalizedShape)) : null;
    }

    /** [*, normalized_shape...] → same shape. */
    @Override
    public Tensor forward(Tensor x) {
        if (!endsWith(x.shape(), normalizedShape)) throw shapeError("[*, " + Shape.str(normalizedShape).substring(1), x);
        return NormOp.layerNorm(x, normalizedShape, weight, bias, eps);
    }

    static boolean endsWith(int[] shape, int[] tail) {
        int k = tail.length;
        return shape.length >= k && Arrays.equals(Arrays.copyOfRange(shape, shape.length - k, shape.length), tail);
    }

    public int[] normalizedShape() {
        return normalizedShape.clone();
    }

    public double eps() {
        return eps;
    }

    /** {@code weight}, or null without elementwise affine. */
    public Tensor weight() {
        return weight;
    }

    /** {@code bias}, or null. */
    public Tensor bias() {
        return bias;
    }

    @Override
    public Config config() {
        return new Config(LayerConfig.list(normalizedShape), eps, weight != null, bias != null);
    }

    @Override
    protected String extraRepr() {
        return Shape.str(normalizedShape) + ", eps=" + eps + ", elementwise_affine=" + (weight != null);
    }
}
