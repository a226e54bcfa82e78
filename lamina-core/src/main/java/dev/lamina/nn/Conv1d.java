package dev.lamina.nn;

import dev.lamina.nn.functional.ConvOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * 1-D convolution over [N, C, L] input with PyTorch's layout ({@code weight} [out, in/groups, k], {@code bias}
 * [out]) and default initialisation (weight Kaiming-uniform with a = √5, bias uniform in ±1/√(in/groups·k)).
 * Configured like {@link Conv2d}: {@code new Conv1d(8, 16, 5).padding("same")}.
 */
public final class Conv1d extends Module {
    /**
     * What a Conv1d is built from: channels, kernel, stride, symmetric zero padding (0 when {@code samePadding}),
     * dilation, groups and whether it has a bias.
     */
    public record Config(int inChannels, int outChannels, int kernel, int stride, int padding, boolean samePadding,
                         int dilation, int groups, boolean bias) implements LayerConfig {
        public Config {
            if (samePadding) padding = 0;
        }

        @Override
        public Conv1d build(Rng rng) {
            Conv1d c = new Conv1d(inChannels, outChannels, kernel, groups, bias, rng).stride(stride).dilation(dilation);
            return samePadding ? c.padding("same") : c.padding(padding);
        }

        /** Zero padding {before, after} the sequence, "same" resolved (the odd extra at the end). */
        public int[] pads() {
            return samePadding ? ConvOp.samePadding(kernel, dilation) : new int[] {padding, padding};
        }
    }

    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final int groups;
    private final Tensor weight;
    private final Tensor bias;
    private int stride = 1, padding, dilation = 1;
    private boolean same;

    /** One group, with bias, initialised from the global generator. */
    public Conv1d(int inChannels, int outChannels, int kernel) {
        this(inChannels, outChannels, kernel, 1, true, Rng.global());
    }

    public Conv1d(int inChannels, int outChannels, int kernel, int groups, boolean bias, Rng rng) {
        ConvArgs.channels(this, inChannels, outChannels, groups, kernel);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.groups = groups;
        this.weight = registerParameter("weight", Init.kaimingUniform(Tensor.zeros(outChannels, inChannels / groups, kernel), Math.sqrt(5), rng));
        double bound = 1 / Math.sqrt((double) inChannels / groups * kernel);
        this.bias = bias ? registerParameter("bias", Tensor.uniform(rng, -bound, bound, outChannels)) : null;
    }

    public Conv1d stride(int s) {
        if (s < 1) throw new IllegalArgumentException(describe() + ": stride must be ≥ 1, got " + s);
        if (same && s != 1) throw sameNeedsStride1(s);
        this.stride = s;
        return this;
    }

    /** Zero padding of p on both ends. */
    public Conv1d padding(int p) {
        if (p < 0) throw new IllegalArgumentException(describe() + ": padding must be ≥ 0, got " + p);
        this.padding = p;
        this.same = false;
        return this;
    }

    /** {@code "valid"} or {@code "same"} (stride 1; total padding dilation·(k−1), the odd extra at the end). */
    public Conv1d padding(String mode) {
        if ("valid".equals(mode)) return padding(0);
        if (!"same".equals(mode)) throw new IllegalArgumentException(describe() + ": padding must be \"same\", \"valid\" or a number, got \"" + mode + "\"");
        if (stride != 1) throw sameNeedsStride1(stride);
        this.same = true;
        return this;
    }

    public Conv1d dilation(int d) {
        if (d < 1) throw new IllegalArgumentException(describe() + ": dilation must be ≥ 1, got " + d);
        this.dilation = d;
        return this;
    }

    private IllegalArgumentException sameNeedsStride1(int s) {
        return new IllegalArgumentException(describe() + ": padding \"same\" needs stride 1, got stride " + s);
    }

    public Tensor weight() {
        return weight;
    }

    /** The bias, or null when built without one. */
    public Tensor bias() {
        return bias;
    }

    /** [N, in, L] → [N, out, OL], OL = (L + 2·padding − dilation·(k−1) − 1) / stride + 1; with "same", OL = L. */
    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 3 || x.size(1) != inChannels) throw shapeError("[N, " + inChannels + ", L]", x);
        int[] pad = same ? ConvOp.samePadding(kernel, dilation) : new int[] {padding, padding};
        int ek = dilation * (kernel - 1) + 1, padded = x.size(2) + pad[0] + pad[1];
        if (padded < ek) {
            throw new ShapeException(describe() + ": expected a padded input of length at least " + ek + " (the dilated kernel), got "
                    + padded + " from input " + Shape.str(x.shape()) + " with padding " + pad[0] + "+" + pad[1]);
        }
        Tensor x2 = x.reshape(x.size(0), inChannels, 1, x.size(2));
        Tensor w2 = weight.reshape(outChannels, inChannels / groups, 1, kernel);
        Tensor y = ConvOp.conv2d(x2, w2, bias, 1, stride, 0, 0, pad[0], pad[1], 1, dilation, groups);
        return y.reshape(y.size(0), outChannels, y.size(3));
    }

    @Override
    protected String extraRepr() {
        return "in=" + inChannels + ", out=" + outChannels + ", kernel=" + kernel + ", stride=" + stride
                + ", padding=" + (same ? "same" : padding) + (dilation != 1 ? ", dilation=" + dilation : "")
                + (groups != 1 ? ", groups=" + groups : "") + ", bias=" + (bias != null);
    }

    public int groups() {
        return groups;
    }

    @Override
    public Config config() {
        return new Config(inChannels, outChannels, kernel, stride, padding, same, dilation, groups, bias != null);
    }
}
