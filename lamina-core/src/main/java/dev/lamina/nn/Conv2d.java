package dev.lamina.nn;

import dev.lamina.backend.ConvEpilogue;
import dev.lamina.nn.functional.ConvOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * 2-D convolution over NCHW input with PyTorch's layout ({@code weight} [out, in/groups, kh, kw], {@code bias}
 * [out]) and default initialisation (weight Kaiming-uniform with a = √5, bias uniform in ±1/√fan_in with
 * fan_in = in/groups·kh·kw).
 *
 * <p>What shapes the parameters (channels, kernel, groups, bias) goes to the constructor; the geometry is set
 * fluently: {@code new Conv2d(1, 32, 3).padding(1)}, {@code new Conv2d(16, 16, 3, 16, true, rng).padding("same")}.
 */
public final class Conv2d extends Module {
    /**
     * What a Conv2d is built from: channels, kernel kh × kw, stride, symmetric zero padding (0 when
     * {@code samePadding}), dilation, groups and whether it has a bias.
     */
    public record Config(int inChannels, int outChannels, int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                         boolean samePadding, int dilationH, int dilationW, int groups, boolean bias) implements LayerConfig {
        public Config {
            if (samePadding) {
                padH = 0;
                padW = 0;
            }
        }

        @Override
        public Conv2d build(Rng rng) {
            Conv2d c = new Conv2d(inChannels, outChannels, kernelH, kernelW, groups, bias, rng).stride(strideH, strideW).dilation(dilationH, dilationW);
            return samePadding ? c.padding("same") : c.padding(padH, padW);
        }

        /** Zero padding {top, bottom, left, right}, "same" resolved (the odd extra at the bottom/right). */
        public int[] pads() {
            int[] h = samePadding ? ConvOp.samePadding(kernelH, dilationH) : new int[] {padH, padH};
            int[] w = samePadding ? ConvOp.samePadding(kernelW, dilationW) : new int[] {padW, padW};
            return new int[] {h[0], h[1], w[0], w[1]};
        }
    }

    private final int inChannels;
    private final int outChannels;
    private final int kh;
    private final int kw;
    private final int groups;
    private final Tensor weight;
    private final Tensor bias;
    private int sh = 1, sw = 1, ph, pw, dh = 1, dw = 1;
    private boolean same;

    /** Square kernel, one group, with bias, initialised from the global generator. */
    public Conv2d(int inChannels, int outChannels, int kernel) {
        this(inChannels, outChannels, kernel, kernel, 1, true, Rng.global());
    }

    public Conv2d(int inChannels, int outChannels, int kernel, int groups, boolean bias, Rng rng) {
        this(inChannels, outChannels, kernel, kernel, groups, bias, rng);
    }

    public Conv2d(int inChannels, int outChannels, int kh, int kw, int groups, boolean bias, Rng rng) {
        ConvArgs.channels(this, inChannels, outChannels, groups, kh, kw);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kh = kh;
        this.kw = kw;
        this.groups = groups;
        this.weight = registerParameter("weight", Init.kaimingUniform(Tensor.zeros(outChannels, inChannels / groups, kh, kw), Math.sqrt(5), rng));
        double bound = 1 / Math.sqrt((double) inChannels / groups * kh * kw);
        this.bias = bias ? registerParameter("bias", Tensor.uniform(rng, -bound, bound, outChannels)) : null;
    }

    public Conv2d stride(int s) {
        return stride(s, s);
    }

    public Conv2d stride(int sh, int sw) {
        if (sh < 1 || sw < 1) throw new IllegalArgumentException(describe() + ": stride must be ≥ 1, got " + sh + "x" + sw);
        if (same && (sh != 1 || sw != 1)) throw sameNeedsStride1(sh, sw);
        this.sh = sh;
        this.sw = sw;
        return this;
    }

    public Conv2d padding(int p) {
        return padding(p, p);
    }

    /** Zero padding on both sides: ph rows top and bottom, pw columns left and right. */
    public Conv2d padding(int ph, int pw) {
        if (ph < 0 || pw < 0) throw new IllegalArgumentException(describe() + ": padding must be ≥ 0, got " + ph + "x" + pw);
        this.ph = ph;
        this.pw = pw;
        this.same = false;
        return this;
    }

    /**
     * {@code "valid"} (no padding) or {@code "same"} (output H × W; stride must be 1; total padding
     * dilation·(k−1), the odd extra at the bottom/right, as PyTorch).
     */
    public Conv2d padding(String mode) {
        if ("valid".equals(mode)) return padding(0, 0);
        if (!"same".equals(mode)) throw new IllegalArgumentException(describe() + ": padding must be \"same\", \"valid\" or numbers, got \"" + mode + "\"");
        if (sh != 1 || sw != 1) throw sameNeedsStride1(sh, sw);
        this.same = true;
        return this;
    }

    public Conv2d dilation(int d) {
        return dilation(d, d);
    }

    public Conv2d dilation(int dh, int dw) {
        if (dh < 1 || dw < 1) throw new IllegalArgumentException(describe() + ": dilation must be ≥ 1, got " + dh + "x" + dw);
        this.dh = dh;
        this.dw = dw;
        return this;
    }

    private IllegalArgumentException sameNeedsStride1(int sh, int sw) {
        return new IllegalArgumentException(describe() + ": padding \"same\" needs stride 1x1, got stride " + sh + "x" + sw);
    }

    public Tensor weight() {
        return weight;
    }

    /** The bias, or null when built without one. */
    public Tensor bias() {
        return bias;
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    public int groups() {
        return groups;
    }

    /**
     * [N, in, H, W] → [N, out, OH, OW], OH = (H + pad_top + pad_bottom − dh·(kh−1) − 1) / sh + 1 (OW likewise);
     * with padding "same", OH = H and OW = W.
     */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null);
    }

    /**
     * As {@link #forward(Tensor)}, then {@code epilogue} (an activation, a residual) applied in the convolution's
     * epilogue when no gradient is wanted ({@link ConvOp#conv2d(Tensor, Tensor, Tensor, int, int, int, int, int, int,
     * int, int, int, ConvEpilogue)}); null: none. How {@code Sequential} runs its {@code conv_relu}-type fusion rules.
     */
    public Tensor forward(Tensor x, ConvEpilogue epilogue) {
        String expected = "[N, " + inChannels + ", H, W]";
        if (x.dim() != 4 || x.size(1) != inChannels) throw shapeError(expected, x);
        int[] padH = same ? ConvOp.samePadding(kh, dh) : new int[] {ph, ph};
        int[] padW = same ? ConvOp.samePadding(kw, dw) : new int[] {pw, pw};
        int ekh = dh * (kh - 1) + 1, ekw = dw * (kw - 1) + 1;
        int paddedH = x.size(2) + padH[0] + padH[1], paddedW = x.size(3) + padW[0] + padW[1];
        if (paddedH < ekh || paddedW < ekw) {
            throw new ShapeException(describe() + ": expected a padded input of at least " + ekh + "x" + ekw + " (the dilated kernel), got "
                    + paddedH + "x" + paddedW + " from input " + Shape.str(x.shape()) + " with padding " + padH[0] + "+" + padH[1] + "x" + padW[0] + "+" + padW[1]);
        }
        if (epilogue != null) return ConvOp.conv2d(x, weight, bias, sh, sw, padH[0], padH[1], padW[0], padW[1], dh, dw, groups, epilogue);
        return ConvOp.conv2d(x, weight, bias, sh, sw, padH[0], padH[1], padW[0], padW[1], dh, dw, groups);
    }

    @Override
    protected String extraRepr() {
        return "in=" + inChannels + ", out=" + outChannels + ", kernel=" + kh + "x" + kw + ", stride=" + sh + "x" + sw
                + ", padding=" + (same ? "same" : ph + "x" + pw) + (dh != 1 || dw != 1 ? ", dilation=" + dh + "x" + dw : "")
                + (groups != 1 ? ", groups=" + groups : "") + ", bias=" + (bias != null);
    }

    @Override
    public Config config() {
        return new Config(inChannels, outChannels, kh, kw, sh, sw, ph, pw, same, dh, dw, groups, bias != null);
    }
}
