package dev.lamina.nn.functional;

import dev.lamina.backend.ConvOps;
import dev.lamina.backend.ConvOps.ConvTranspose2dGeometry;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * Fused 2-D transposed convolution (the gradient of conv2d with respect to its input), NCHW, PyTorch's weight
 * layout [C, OC/groups, KH, KW], with stride, padding, output padding, dilation and groups.
 *
 * <p>Forward, per image and group: {@code y[n, g] = col2im(W_gᵀ · x[n, g])} where {@code W_g} is the group's
 * rows of the weight viewed as [C/groups, OC/groups·kh·kw]. Backward: {@code col = im2col(gy[n, g])},
 * {@code gx[n, g] = W_g · col}, {@code gW_g += x[n, g] · colᵀ}, {@code gb = Σ gy}. Here: argument checks, the
 * output-shape plan ({@link ConvTranspose2dGeometry}) and the tape node; the input's backend computes the values
 * ({@link ConvOps#convTranspose2d}, {@link ConvOps#convTranspose2dBackward}).
 */
public final class ConvTranspose2dOp {
    private ConvTranspose2dOp() {}

    /**
     * @param x [N, C, H, W]
     * @param weight [C, OC/groups, KH, KW]
     * @param bias [OC] or null
     * @param stride {sh, sw}
     * @param padding {ph, pw}: removed from both sides of the full output
     * @param outputPadding {oph, opw}: extra rows/columns at the bottom/right; each smaller than its stride or its dilation
     * @param dilation {dh, dw}
     * @return [N, OC, OH, OW] with OH = (H−1)·sh − 2·ph + dh·(KH−1) + oph + 1 (likewise OW)
     */
    public static Tensor convTranspose2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] outputPadding,
                                         int[] dilation, int groups) {
        ConvTranspose2dGeometry p = plan(x, weight, bias, stride, padding, outputPadding, dilation, groups);
        Tensor xc = x.contiguous(), wc = weight.contiguous(), bc = bias == null ? null : bias.contiguous();
        Tensor out = x.backend().convTranspose2d(p, xc, wc, bc);
        return Tensor.fromOp("conv_transpose2d", out, g -> {
            ConvOps.ConvGrads d = x.backend().convTranspose2dBackward(p, g.contiguous(), xc, wc, xc.requiresGrad(), wc.requiresGrad(),
                    bc != null && bc.requiresGrad());
            return new Tensor[] {d.input(), d.weight(), d.bias()};
        }, xc, wc, bc);
    }

    /** Output size of one dimension: (in−1)·stride − 2·padding + dilation·(k−1) + outputPadding + 1. */
    public static int outputSize(int in, int kernel, int stride, int padding, int outputPadding, int dilation) {
        return (in - 1) * stride - 2 * padding + dilation * (kernel - 1) + outputPadding + 1;
    }

    private static ConvTranspose2dGeometry plan(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] outputPadding, int[] dilation, int groups) {
        ConvOp.check2("conv_transpose2d", "stride", stride, 1);
        ConvOp.check2("conv_transpose2d", "padding", padding, 0);
        ConvOp.check2("conv_transpose2d", "output padding", outputPadding, 0);
        ConvOp.check2("conv_transpose2d", "dilation", dilation, 1);
        if (x.dim() != 4) throw new ShapeException("conv_transpose2d: input must be [N, C, H, W], got " + Shape.str(x.shape()));
        if (weight.dim() != 4) throw new ShapeException("conv_transpose2d: weight must be [C, OC/groups, KH, KW], got " + Shape.str(weight.shape()));
        int n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        int kh = weight.size(2), kw = weight.size(3), oc = weight.size(1) * groups;
        if (groups < 1 || weight.size(0) % groups != 0) {
            throw new IllegalArgumentException("conv_transpose2d: groups " + groups + " must divide input channels " + weight.size(0));
        }
        if (weight.size(0) != c) {
            throw new ShapeException("conv_transpose2d: input " + Shape.str(x.shape()) + " has " + c + " channels, weight "
                    + Shape.str(weight.shape()) + " expects " + weight.size(0));
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != oc)) {
            throw new ShapeException("conv_transpose2d: bias " + Shape.str(bias.shape()) + " does not match " + oc + " output channels");
        }
        for (int d = 0; d < 2; d++) {
            if (outputPadding[d] >= stride[d] && outputPadding[d] >= dilation[d]) {
                throw new IllegalArgumentException("conv_transpose2d: output padding " + Shape.str(outputPadding)
                        + " must be smaller than either stride " + Shape.str(stride) + " or dilation " + Shape.str(dilation));
            }
        }
        int oh = outputSize(h, kh, stride[0], padding[0], outputPadding[0], dilation[0]);
        int ow = outputSize(w, kw, stride[1], padding[1], outputPadding[1], dilation[1]);
        if (oh < 1 || ow < 1) {
            throw new ShapeException("conv_transpose2d: output size " + oh + "x" + ow + " is not positive for input "
                    + Shape.str(x.shape()) + " and weight " + Shape.str(weight.shape()));
        }
        return new ConvTranspose2dGeometry(n, c, h, w, oc, groups, kh, kw, stride[0], stride[1], padding[0], padding[1],
                dilation[0], dilation[1], oh, ow);
    }
}
