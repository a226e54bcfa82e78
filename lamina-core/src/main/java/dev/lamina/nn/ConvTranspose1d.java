package dev.lamina.nn;

import dev.lamina.nn.functional.ConvTranspose2dOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * 1-D transposed convolution over [N, C, L] (or unbatched [C, L]) input with PyTorch's layout ({@code weight}
 * [in, out/groups, k], {@code bias} [out]) and default initialisation (weight Kaiming-uniform with a = √5; bias
 * uniform in ±1/√fan_in, where PyTorch's fan_in of this weight is out/groups·k). Configured like
 * {@link ConvTranspose2d}: {@code new ConvTranspose1d(16, 8, 4).stride(2).padding(1)} doubles L.
 *
 * <p>Runs as {@link ConvTranspose2dOp} over a 1×L image with a 1×k kernel (as {@link Conv1d} runs on the 2-D
 * convolution), so it shares that op's forward and backward.
 */
public final class ConvTranspose1d extends Module {
    /** What a ConvTranspose1d is built from: channels, kernel, stride, padding, output padding, dilation, groups and whether it has a bias. */
    public record Config(int inChannels, int outChannels, int kernel, int stride, int padding, int outputPadding,
                         int dilation, int groups, boolean bias) implements LayerConfig {
        @Override
        public ConvTranspose1d build(Rng rng) {
            return new ConvTranspose1d(inChannels, outChannels, kernel, groups, bias, rng)
                    .stride(stride).padding(padding).outputPadding(outputPadding).dilation(dilation);
        }
    }

    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final int groups;
    private final Tensor weight;
    private final Tensor bias;
    private int stride = 1, padding, outputPadding, dilation = 1;

    /** One group, with bias, initialised from the global generator. */
    public ConvTranspose1d(int inChannels, int outChannels, int kernel) {
        this(inChannels, outChannels, kernel, 1, true, Rng.global());
    }

    public ConvTranspose1d(int inChannels, int outChannels, int kernel, int groups, boolean bias, Rng rng) {
        ConvArgs.channels(this, inChannels, outChannels, groups, kernel);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.groups = groups;
        this.weight = registerParameter("weight", Init.kaimingUniform(Tensor.zeros(inChannels, outChannels / groups, kernel), Math.sqrt(5), rng));
        double bound = 1 / Math.sqrt((double) outChannels / groups * kernel);
        this.bias = bias ? registerParameter("bias", Tensor.uniform(rng, -bound, bound, outChannels)) : null;
    }

    public ConvTranspose1d stride(int s) {
        if (s < 1) throw new IllegalArgumentException(describe() + ": stride must be ≥ 1, got " + s);
        this.stride = s;
        return this;
    }

    /** Positions removed from both ends of the full output. */
    public ConvTranspose1d padding(int p) {
        if (p < 0) throw new IllegalArgumentException(describe() + ": padding must be ≥ 0, got " + p);
        this.padding = p;
        return this;
    }

    /** Extra positions at the end; must be smaller than the stride or the dilation (checked in forward). */
    public ConvTranspose1d outputPadding(int p) {
        if (p < 0) throw new IllegalArgumentException(describe() + ": output padding must be ≥ 0, got " + p);
        this.outputPadding = p;
        return this;
    }

    public ConvTranspose1d dilation(int d) {
        if (d < 1) throw new IllegalArgumentException(describe() + ": dilation must be ≥ 1, got " + d);
        this.dilation = d;
        return this;
    }

    public Tensor weight() {
        return weight;
    }

    /** The bias, or null when built without one. */
    public Tensor bias() {
        return bias;
    }

    /**
     * [N, in, L] → [N, out, OL]; unbatched [in, L] → [out, OL]; OL = (L−1)·stride − 2·padding + dilation·(k−1)
     * + output_padding + 1.
     */
    @Override
    public Tensor forward(Tensor x) {
        boolean batched = x.dim() == 3;
        if ((x.dim() != 2 && !batched) || x.size(batched ? 1 : 0) != inChannels) {
            throw shapeError("[N, " + inChannels + ", L] or [" + inChannels + ", L]", x);
        }
        if (x.size(x.dim() - 1) < 1) throw shapeError("[N, " + inChannels + ", L >= 1] or [" + inChannels + ", L >= 1]", x);
        if (outputPadding >= stride && outputPadding >= dilation) {
            throw new IllegalArgumentException(describe() + ": output padding must be smaller than either stride or dilation, got output padding "
                    + outputPadding + " with stride " + stride + " and dilation " + dilation + " (input " + Shape.str(x.shape()) + ")");
        }
        int n = batched ? x.size(0) : 1, len = x.size(x.dim() - 1);
        int ol = ConvTranspose2dOp.outputSize(len, kernel, stride, padding, outputPadding, dilation);
        if (ol < 1) {
            throw new ShapeException(describe() + ": expected a positive output length, got " + ol + " from input " + Shape.str(x.shape())
                    + " (padding " + padding + " removes too much)");
        }
        Tensor x2 = x.reshape(n, inChannels, 1, len);
        Tensor w2 = weight.reshape(inChannels, outChannels / groups, 1, kernel);
        Tensor y = ConvTranspose2dOp.convTranspose2d(x2, w2, bias, new int[] {1, stride}, new int[] {0, padding},
                new int[] {0, outputPadding}, new int[] {1, dilation}, groups);
        return batched ? y.reshape(n, outChannels, ol) : y.reshape(outChannels, ol);
    }

    @Override
    protected String extraRepr() {
        return "in=" + inChannels + ", out=" + outChannels + ", kernel=" + kernel + ", stride=" + stride + ", padding=" + padding
                + (outputPadding != 0 ? ", output_padding=" + outputPadding : "") + (dilation != 1 ? ", dilation=" + dilation : "")
                + (groups != 1 ? ", groups=" + groups : "") + ", bias=" + (bias != null);
    }

    public int groups() {
        return groups;
    }

    @Override
    public Config config() {
        return new Config(inChannels, outChannels, kernel, stride, padding, outputPadding, dilation, groups, bias != null);
    }
}
