package dev.lamina.nn.functional;

import dev.lamina.backend.ConvEpilogue;
import dev.lamina.backend.ConvOps;
import dev.lamina.backend.ConvOps.Conv2dGeometry;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * Fused 1-D and 2-D convolution (cross-correlation, as PyTorch), NCHW, with stride, padding (numbers or
 * {@code "same"}/{@code "valid"}), dilation and groups.
 *
 * <p>Here: argument checks, the output-shape plan ({@link Conv2dGeometry}) and the tape node, whose gradient rule
 * calls the backend's backward ({@link ConvOps#conv2dBackward}) beside the forward ({@link ConvOps#conv2d}). The
 * values are computed by the input's backend (on the CPU, im2col + GEMM, with direct kernels for small column
 * matrices and depthwise convolutions: {@code backend.cpu.ConvKernels}).
 *
 * <p>conv1d is conv2d with height 1.
 */
public final class ConvOp {
    private ConvOp() {}

    // ------------------------------------------------------------------------------------------------ public API

    /**
     * 2-D convolution with symmetric padding.
     *
     * @param x [N, C, H, W]
     * @param weight [OC, C/groups, KH, KW]
     * @param bias [OC] or null
     * @param stride {sh, sw}
     * @param padding {ph, pw}, zero padding on both sides
     * @param dilation {dh, dw}
     * @return [N, OC, OH, OW] with OH = (H + 2·ph − dh·(KH−1) − 1) / sh + 1 (likewise OW)
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        check2("stride", stride, 1);
        check2("padding", padding, 0);
        check2("dilation", dilation, 1);
        return conv2d(x, weight, bias, stride[0], stride[1], padding[0], padding[0], padding[1], padding[1], dilation[0], dilation[1], groups);
    }

    /** conv2d with stride 1, no padding, dilation 1, one group. */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias) {
        return conv2d(x, weight, bias, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1);
    }

    /**
     * 2-D convolution with PyTorch's string padding: {@code "valid"} (none) or {@code "same"} (stride must be 1;
     * total padding dilation·(k−1) per dimension, the odd extra on the bottom/right, so the output is H × W).
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, String padding, int[] dilation, int groups) {
        check2("stride", stride, 1);
        check2("dilation", dilation, 1);
        if ("valid".equals(padding)) return conv2d(x, weight, bias, stride, new int[] {0, 0}, dilation, groups);
        if (!"same".equals(padding)) throw new IllegalArgumentException("conv2d: padding must be \"same\", \"valid\" or numbers, got \"" + padding + "\"");
        if (stride[0] != 1 || stride[1] != 1) {
            throw new IllegalArgumentException("conv2d: padding \"same\" needs stride 1, got stride " + Shape.str(stride));
        }
        if (weight.dim() != 4) throw new ShapeException("conv2d: weight must be [OC, C/groups, KH, KW], got " + Shape.str(weight.shape()));
        int[] ph = samePadding(weight.size(2), dilation[0]), pw = samePadding(weight.size(3), dilation[1]);
        return conv2d(x, weight, bias, 1, 1, ph[0], ph[1], pw[0], pw[1], dilation[0], dilation[1], groups);
    }

    /**
     * 1-D convolution.
     *
     * @param x [N, C, L]
     * @param weight [OC, C/groups, K]
     * @param bias [OC] or null
     * @return [N, OC, OL] with OL = (L + 2·padding − dilation·(K−1) − 1) / stride + 1
     */
    public static Tensor conv1d(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
        check1d(x, weight);
        if (stride < 1 || padding < 0 || dilation < 1) throw new IllegalArgumentException("conv1d: need stride ≥ 1, padding ≥ 0, dilation ≥ 1, got " + stride + ", " + padding + ", " + dilation);
        Tensor y = conv2d(as2d(x), as2d(weight), bias, 1, stride, 0, 0, padding, padding, 1, dilation, groups);
        return y.reshape(y.size(0), y.size(1), y.size(3));
    }

    /** 1-D convolution with {@code "same"} (stride 1) or {@code "valid"} padding. */
    public static Tensor conv1d(Tensor x, Tensor weight, Tensor bias, int stride, String padding, int dilation, int groups) {
        check1d(x, weight);
        Tensor y = conv2d(as2d(x), as2d(weight), bias, new int[] {1, stride}, padding, new int[] {1, dilation}, groups);
        return y.reshape(y.size(0), y.size(1), y.size(3));
    }

    /** {before, after} padding for "same": total dilation·(k−1), the odd extra after. */
    public static int[] samePadding(int kernel, int dilation) {
        int total = dilation * (kernel - 1);
        return new int[] {total / 2, total - total / 2};
    }

    private static Tensor as2d(Tensor t) {
        return t.reshape(t.size(0), t.size(1), 1, t.size(2));
    }

    private static void check1d(Tensor x, Tensor weight) {
        if (x.dim() != 3) throw new ShapeException("conv1d: input must be [N, C, L], got " + Shape.str(x.shape()));
        if (weight.dim() != 3) throw new ShapeException("conv1d: weight must be [OC, C/groups, K], got " + Shape.str(weight.shape()));
    }

    private static void check2(String what, int[] v, int min) {
        check2("conv2d", what, v, min);
    }

    /** Rejects a stride/padding/dilation pair that is not two numbers ≥ min, naming the op. */
    static void check2(String op, String what, int[] v, int min) {
        if (v == null || v.length != 2 || v[0] < min || v[1] < min) {
            throw new IllegalArgumentException(op + ": " + what + " must be two numbers ≥ " + min + ", got " + (v == null ? "null" : Shape.str(v)));
        }
    }

    // ------------------------------------------------------------------------------------------------ core

    /** 2-D convolution with explicit (possibly asymmetric) padding top, bottom, left, right. */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int sh, int sw, int pt, int pb, int pl, int pr, int dh, int dw, int groups) {
        Conv2dGeometry cv = plan(x, weight, bias, sh, sw, pt, pb, pl, pr, dh, dw, groups);
        Tensor xc = x.contiguous(), wc = weight.contiguous(), bc = bias == null ? null : bias.contiguous();
        Tensor out = x.backend().conv2d(cv, xc, wc, bc, null);
        return Tensor.fromOp("conv2d", out, g -> {
            ConvOps.ConvGrads d = x.backend().conv2dBackward(cv, g.contiguous(), xc, wc, xc.requiresGrad(), wc.requiresGrad(), bc != null && bc.requiresGrad());
            return new Tensor[] {d.input(), d.weight(), d.bias()};
        }, xc, wc, bc);
    }

    /**
     * Convolution with a fused epilogue, {@code act(conv2d(x, weight, bias) + residual)}, for inference: the residual
     * and the activation are applied to each image's (or, depthwise, each plane's) output while it is in cache, with
     * no intermediate tensors. When a gradient is wanted, or the residual is not of the output's shape but broadcasts
     * to it, it runs the unfused differentiable ops instead (a residual that does not broadcast is a ShapeException).
     *
     * @param x [N, C, H, W]
     * @param ep the epilogue; its residual, if any, of the output's shape [N, OC, OH, OW] or broadcasting to it
     * @return [N, OC, OH, OW]
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int sh, int sw, int pt, int pb, int pl, int pr, int dh, int dw, int groups,
                                ConvEpilogue ep) {
        Conv2dGeometry cv = plan(x, weight, bias, sh, sw, pt, pb, pl, pr, dh, dw, groups);
        Tensor r = ep.residual();
        boolean outputShaped = r == null || java.util.Arrays.equals(r.shape(), new int[] {cv.n(), cv.oc(), cv.oh(), cv.ow()});
        if (!outputShaped || Tensor.gradWanted(x, weight, bias, r)) {
            return ep.applyTo(conv2d(x, weight, bias, sh, sw, pt, pb, pl, pr, dh, dw, groups));
        }
        Tensor xc = x.contiguous(), wc = weight.contiguous(), bc = bias == null ? null : bias.contiguous();
        return x.backend().conv2d(cv, xc, wc, bc, ep);
    }

    /**
     * A constant convolution weight prepared once for repeated inference by its backend ({@link
     * ConvOps#prepareConv2dWeight}: on the CPU, each group's [OC/groups, C/groups·KH·KW] matrix packed into the GEMM's
     * panel layout), so no call prepares it again. The weight must not change afterwards.
     */
    public static final class PreparedWeight {
        final ConvOps.PreparedWeight prepared;

        private PreparedWeight(ConvOps.PreparedWeight prepared) {
            this.prepared = prepared;
        }

        public Tensor weight() {
            return prepared.weight();
        }
    }

    /**
     * Prepares a constant weight [OC, C/groups, KH, KW] for {@link #conv2d(Tensor, PreparedWeight, Tensor, int, int, int,
     * int, int, int, int, int, ConvEpilogue)}. Depthwise weights (one input channel per group) need no packing and get none.
     */
    public static PreparedWeight prepare(Tensor weight, int groups) {
        if (weight.dim() != 4) throw new ShapeException("conv2d: weight must be [OC, C/groups, KH, KW], got " + Shape.str(weight.shape()));
        if (groups < 1 || weight.size(0) % groups != 0) {
            throw new IllegalArgumentException("conv2d: groups " + groups + " must divide the " + weight.size(0) + " output channels");
        }
        Tensor w = weight.detach().contiguous();
        return new PreparedWeight(w.backend().prepareConv2dWeight(w, groups));
    }

    /** {@link #conv2d(Tensor, Tensor, Tensor, int, int, int, int, int, int, int, int, int, ConvEpilogue)} with a prepared weight: the same result, bit for bit, without preparing the weight again. */
    public static Tensor conv2d(Tensor x, PreparedWeight weight, Tensor bias, int sh, int sw, int pt, int pb, int pl, int pr, int dh, int dw,
                                ConvEpilogue ep) {
        Tensor w = weight.weight();
        int groups = weight.prepared.groups();
        Conv2dGeometry cv = plan(x, w, bias, sh, sw, pt, pb, pl, pr, dh, dw, groups);
        Tensor r = ep == null ? null : ep.residual();
        boolean outputShaped = r == null || java.util.Arrays.equals(r.shape(), new int[] {cv.n(), cv.oc(), cv.oh(), cv.ow()});
        if (!outputShaped || Tensor.gradWanted(x, bias, r)) {
            Tensor y = conv2d(x, w, bias, sh, sw, pt, pb, pl, pr, dh, dw, groups);
            return ep == null ? y : ep.applyTo(y);
        }
        Tensor xc = x.contiguous(), bc = bias == null ? null : bias.contiguous();
        return x.backend().conv2d(cv, xc, weight.prepared, bc, ep);
    }

    private static Conv2dGeometry plan(Tensor x, Tensor weight, Tensor bias, int sh, int sw, int pt, int pb, int pl, int pr, int dh, int dw, int groups) {
        if (x.dim() != 4) throw new ShapeException("conv2d: input must be [N, C, H, W], got " + Shape.str(x.shape()));
        if (weight.dim() != 4) throw new ShapeException("conv2d: weight must be [OC, C/groups, KH, KW], got " + Shape.str(weight.shape()));
        if (sh < 1 || sw < 1 || dh < 1 || dw < 1 || pt < 0 || pb < 0 || pl < 0 || pr < 0) {
            throw new IllegalArgumentException("conv2d: need stride ≥ 1, dilation ≥ 1, padding ≥ 0");
        }
        int n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        int oc = weight.size(0), kh = weight.size(2), kw = weight.size(3);
        if (groups < 1 || c % groups != 0 || oc % groups != 0) {
            throw new IllegalArgumentException("conv2d: groups " + groups + " must divide input channels " + c + " and output channels " + oc);
        }
        if (weight.size(1) * groups != c) {
            throw new ShapeException("conv2d: input " + Shape.str(x.shape()) + " has " + c + " channels, weight " + Shape.str(weight.shape())
                    + " with groups " + groups + " expects " + weight.size(1) * groups);
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != oc)) {
            throw new ShapeException("conv2d: bias " + Shape.str(bias.shape()) + " does not match " + oc + " output channels");
        }
        int ekh = dh * (kh - 1) + 1, ekw = dw * (kw - 1) + 1;
        if (h + pt + pb < ekh || w + pl + pr < ekw) {
            throw new ShapeException("conv2d: dilated kernel " + ekh + "x" + ekw + " is larger than the padded input "
                    + (h + pt + pb) + "x" + (w + pl + pr) + " (input " + Shape.str(x.shape()) + ")");
        }
        int oh = (h + pt + pb - ekh) / sh + 1, ow = (w + pl + pr - ekw) / sw + 1;
        return new Conv2dGeometry(n, c, h, w, oc, kh, kw, sh, sw, pt, pb, pl, pr, dh, dw, groups, oh, ow);
    }
}
