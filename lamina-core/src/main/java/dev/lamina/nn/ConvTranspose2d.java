package dev.lamina.nn;

import dev.lamina.nn.functional.ConvTranspose2dOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * 2-D transposed convolution over NCHW input with PyTorch's layout ({@code weight} [in, out/groups, kh, kw],
 * {@code bias} [out]) and default initialisation (weight Kaiming-uniform with a = √5; bias uniform in ±1/√fan_in,
 * where PyTorch's fan_in of this weight is out/groups·kh·kw). Configured like {@link Conv2d}:
 * {@code new ConvTranspose2d(16, 8, 3).stride(2).padding(1).outputPadding(1)} doubles H and W.
 */
public final class ConvTranspose2d extends Module {
    /**
     * What a ConvTranspose2d is built from: channels, kernel kh × kw, stride, padding (removed from both sides),
     * output padding, dilation, groups and whether it has a bias.
     */
    public record Config(int inChannels, int outChannels, int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                         int outputPadH, int outputPadW, int dilationH, int dilationW, int groups, boolean bias) implements LayerConfig {
        @Override
        public ConvTranspose2d build(Rng rng) {
            return new ConvTranspose2d(inChannels, outChannels, kernelH, kernelW, groups, bias, rng).stride(strideH, strideW)
                    .padding(padH, padW).outputPadding(outputPadH, outputPadW).dilation(dilationH, dilationW);
        }
    }

    private final int inChannels;
    private final int outChannels;
    private final int kh;
    private final int kw;
    private final int groups;
    private final Tensor weight;
    private final Tensor bias;
    private int sh = 1, sw = 1, ph, pw, oph, opw, dh = 1, dw = 1;

    /** Square kernel, one group, with bias, initialised from the global generator. */
    public ConvTranspose2d(int inChannels, int outChannels, int kernel) {
        this(inChannels, outChannels, kernel, kernel, 1, true, Rng.global());
    }

    public ConvTranspose2d(int inChannels, int outChannels, int kernel, int groups, boolean bias, Rng rng) {
        this(inChannels, outChannels, kernel, kernel, groups, bias, rng);
    }

    public ConvTranspose2d(int inChannels, int outChannels, int kh, int kw, int groups, boolean bias, Rng rng) {
        ConvArgs.channels(this, inChannels, outChannels, groups, kh, kw);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kh = kh;
        this.kw = kw;
        this.groups = groups;
        this.weight = registerParameter("weight", Init.kaimingUniform(Tensor.zeros(inChannels, outChannels / groups, kh, kw), Math.sqrt(5), rng));
        double bound = 1 / Math.sqrt((double) outChannels / groups * kh * kw);
        this.bias = bias ? registerParameter("bias", Tensor.uniform(rng, -bound, bound, outChannels)) : null;
    }

    public ConvTranspose2d stride(int s) {
        return stride(s, s);
    }

    public ConvTranspose2d stride(int sh, int sw) {
        if (sh < 1 || sw < 1) throw new IllegalArgumentException(describe() + ": stride must be ≥ 1, got " + sh + "x" + sw);
        this.sh = sh;
        this.sw = sw;
        return this;
    }

    public ConvTranspose2d padding(int p) {
        return padding(p, p);
    }

    /** Rows/columns removed from both sides of the full output. */
    public ConvTranspose2d padding(int ph, int pw) {
        if (ph < 0 || pw < 0) throw new IllegalArgumentException(describe() + ": padding must be ≥ 0, got " + ph + "x" + pw);
        this.ph = ph;
        this.pw = pw;
        return this;
    }

    public ConvTranspose2d outputPadding(int p) {
        return outputPadding(p, p);
    }

    /** Extra rows/columns at the bottom/right; each must be smaller than its stride or its dilation (checked in forward). */
    public ConvTranspose2d outputPadding(int oph, int opw) {
        if (oph < 0 || opw < 0) throw new IllegalArgumentException(describe() + ": output padding must be ≥ 0, got " + oph + "x" + opw);
        this.oph = oph;
        this.opw = opw;
        return this;
    }

    public ConvTranspose2d dilation(int d) {
        return dilation(d, d);
    }

    public ConvTranspose2d dilation(int dh, int dw) {
        if (dh < 1 || dw < 1) throw new IllegalArgumentException(describe() + ": dilation must be ≥ 1, got " + dh + "x" + dw);
        this.dh = dh;
        this.dw = dw;
        return this;
    }

    public Tensor weight() {
        return weight;
    }

    /** The bias, or null when built without one. */
    public Tensor bias() {
        return bias;
    }

    /** [N, in, H, W] → [N, out, OH, OW], OH = (H−1)·sh − 2·ph + dh·(kh−1) + output_padding_h + 1 (OW likewise). */
    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.size(1) != inChannels) throw shapeError("[N, " + inChannels + ", H, W]", x);
        if ((oph >= sh && oph >= dh) || (opw >= sw && opw >= dw)) {
            throw new IllegalArgumentException(describe() + ": output padding must be smaller than either stride or dilation, got output padding "
                    + oph + "x" + opw + " with stride " + sh + "x" + sw + " and dilation " + dh + "x" + dw);
        }
        int oh = ConvTranspose2dOp.outputSize(x.size(2), kh, sh, ph, oph, dh), ow = ConvTranspose2dOp.outputSize(x.size(3), kw, sw, pw, opw, dw);
        if (oh < 1 || ow < 1) {
            throw new ShapeException(describe() + ": expected a positive output size, got " + oh + "x" + ow + " from input " + Shape.str(x.shape())
                    + " (padding " + ph + "x" + pw + " removes too much)");
        }
        return ConvTranspose2dOp.convTranspose2d(x, weight, bias, new int[] {sh, sw}, new int[] {ph, pw}, new int[] {oph, opw}, new int[] {dh, dw}, groups);
    }

    @Override
    protected String extraRepr() {
        return "in=" + inChannels + ", out=" + outChannels + ", kernel=" + kh + "x" + kw + ", stride=" + sh + "x" + sw + ", padding=" + ph + "x" + pw
                + (oph != 0 || opw != 0 ? ", output_padding=" + oph + "x" + opw : "") + (dh != 1 || dw != 1 ? ", dilation=" + dh + "x" + dw : "")
                + (groups != 1 ? ", groups=" + groups : "") + ", bias=" + (bias != null);
    }

    public int groups() {
        return groups;
    }

    @Override
    public Config config() {
        return new Config(inChannels, outChannels, kh, kw, sh, sw, ph, pw, oph, opw, dh, dw, groups, bias != null);
    }
}
