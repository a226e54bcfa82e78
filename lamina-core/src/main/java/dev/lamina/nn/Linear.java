package dev.lamina.nn;

import dev.lamina.nn.functional.LinearOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * Fully connected layer y = x·Wᵀ + b with PyTorch's layout ({@code weight} [out, in], {@code bias} [out]) and
 * PyTorch's default initialisation: W and b uniform in ±1/√in (Kaiming-uniform with a = √5).
 */
public final class Linear extends Module {
    /** What a Linear is built from: its input and output feature counts and whether it has a bias. */
    public record Config(int inFeatures, int outFeatures, boolean bias) implements LayerConfig {
        @Override
        public Linear build(Rng rng) {
            return new Linear(inFeatures, outFeatures, bias, rng);
        }
    }

    private final int inFeatures;
    private final int outFeatures;
    private final Tensor weight;
    private final Tensor bias;

    public Linear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, true, Rng.global());
    }

    public Linear(int inFeatures, int outFeatures, boolean bias, Rng rng) {
        if (inFeatures <= 0 || outFeatures <= 0) throw new IllegalArgumentException("Linear: sizes must be positive, got in=" + inFeatures + ", out=" + outFeatures);
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = registerParameter("weight", Init.kaimingUniform(Tensor.zeros(outFeatures, inFeatures), Math.sqrt(5), rng));
        double bound = 1 / Math.sqrt(inFeatures);
        this.bias = bias ? registerParameter("bias", Tensor.uniform(rng, -bound, bound, outFeatures)) : null;
    }

    public Tensor weight() {
        return weight;
    }

    /** The bias, or null when built without one. */
    public Tensor bias() {
        return bias;
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    /** [..., in] → [..., out]. */
    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() == 0 || x.size(-1) != inFeatures) throw shapeError("[..., " + inFeatures + "]", x);
        return LinearOp.linear(x, weight, bias);
    }

    @Override
    protected String extraRepr() {
        return "in=" + inFeatures + ", out=" + outFeatures + ", bias=" + (bias != null);
    }

    @Override
    public Config config() {
        return new Config(inFeatures, outFeatures, bias != null);
    }
}
