package dev.lamina.nn.functional;

import dev.lamina.kernels.Gemm;
import dev.lamina.kernels.Parallel;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * Fused 2-D transposed convolution (the gradient of conv2d with respect to its input), NCHW, PyTorch's weight
 * layout [C, OC/groups, KH, KW], with stride, padding, output padding, dilation and groups.
 *
 * <p>Forward, per image and group: {@code y[n, g] = col2im(W_gᵀ · x[n, g])} where {@code W_g} is the group's
 * rows of the weight viewed as [C/groups, OC/groups·kh·kw]. Backward: {@code col = im2col(gy[n, g])},
 * {@code gx[n, g] = W_g · col}, {@code gW_g += x[n, g] · colᵀ}, {@code gb = Σ gy}. Images are split over the
 * worker threads with per-chunk weight-gradient partial sums added in chunk order (deterministic for a thread
 * count), as in {@link ConvOp}.
 */
public final class ConvTranspose2dOp {
    private ConvTranspose2dOp() {}

    private record Plan(int n, int c, int h, int w, int oc, int groups, Im2col.Geometry geo) {
        int cg() {
            return c / groups;
        }

        int ocg() {
            return oc / groups;
        }
    }

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
        Plan p = plan(x, weight, bias, stride, padding, outputPadding, dilation, groups);
        Tensor xc = x.contiguous(), wc = weight.contiguous(), bc = bias == null ? null : bias.contiguous();
        float[] y = forward(p, xc, wc, bc);
        Tensor out = Tensor.of(y, p.n, p.oc, p.geo.h(), p.geo.w());
        return Tensor.fromOp("conv_transpose2d", out, g -> backward(p, g.contiguous(), xc, wc, bc), xc, wc, bc);
    }

    /** Output size of one dimension: (in−1)·stride − 2·padding + dilation·(k−1) + outputPadding + 1. */
    public static int outputSize(int in, int kernel, int stride, int padding, int outputPadding, int dilation) {
        return (in - 1) * stride - 2 * padding + dilation * (kernel - 1) + outputPadding + 1;
    }

    private static Plan plan(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] outputPadding, int[] dilation, int groups) {
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
        // the conv whose input gradient this is: image = the output [OC/groups, OH, OW], grid = the input H × W
        Im2col.Geometry geo = new Im2col.Geometry(oc / groups, oh, ow, kh, kw, stride[0], stride[1], padding[0], padding[1],
                dilation[0], dilation[1], h, w);
        return new Plan(n, c, h, w, oc, groups, geo);
    }

    private static float[] forward(Plan p, Tensor x, Tensor w, Tensor b) {
        Im2col.Geometry geo = p.geo;
        int hw = p.h * p.w, rows = geo.rows(), ohw = geo.h() * geo.w(), cg = p.cg(), ocg = p.ocg();
        boolean direct = geo.identity();
        float[] xd = x.storage(), wd = w.storage();
        int xo = x.storageOffset(), wo = w.storageOffset();
        float[] y = new float[p.n * p.oc * ohw];
        Parallel.forRange(p.n, 1, (start, end) -> {
            float[] col = direct ? null : new float[rows * hw];
            for (int n = start; n < end; n++) {
                if (b != null) {
                    for (int o = 0; o < p.oc; o++) {
                        java.util.Arrays.fill(y, (n * p.oc + o) * ohw, (n * p.oc + o + 1) * ohw, b.storage()[b.storageOffset() + o]);
                    }
                }
                for (int g = 0; g < p.groups; g++) {
                    int xOff = xo + (n * p.c + g * cg) * hw, wOff = wo + g * cg * rows, yOff = (n * p.oc + g * ocg) * ohw;
                    // col[rows, hw] = W_gᵀ · x[n,g], W_gᵀ(i, q) = w[wOff + q*rows + i]
                    if (direct) {
                        Gemm.gemm(rows, hw, cg, wd, wOff, 1, rows, xd, xOff, hw, 1, y, yOff, hw, b != null);
                    } else {
                        Gemm.gemm(rows, hw, cg, wd, wOff, 1, rows, xd, xOff, hw, 1, col, 0, hw, false);
                        Im2col.col2im(geo, col, 0, y, yOff);
                    }
                }
            }
        });
        return y;
    }

    private static Tensor[] backward(Plan p, Tensor gy, Tensor x, Tensor w, Tensor b) {
        boolean needX = x.requiresGrad(), needW = w.requiresGrad(), needB = b != null && b.requiresGrad();
        Im2col.Geometry geo = p.geo;
        int hw = p.h * p.w, rows = geo.rows(), ohw = geo.h() * geo.w(), cg = p.cg(), ocg = p.ocg();
        boolean direct = geo.identity();
        float[] xd = x.storage(), wd = w.storage(), gd = gy.storage();
        int xo = x.storageOffset(), wo = w.storageOffset(), go = gy.storageOffset();
        float[] gx = needX ? new float[p.n * p.c * hw] : null;
        int chunks = Parallel.chunks(p.n, 1);
        float[][] gwPart = new float[chunks][];
        if (needX || needW) {
            Parallel.forRange(chunks, 1, (cs, ce) -> {
                float[] col = direct ? null : new float[rows * hw];
                for (int ch = cs; ch < ce; ch++) {
                    float[] gw = needW ? new float[p.c * rows] : null;
                    gwPart[ch] = gw;
                    for (int n = ConvOp.chunkStart(p.n, chunks, ch), end = ConvOp.chunkStart(p.n, chunks, ch + 1); n < end; n++) {
                        for (int g = 0; g < p.groups; g++) {
                            int xOff = (n * p.c + g * cg) * hw, wOff = wo + g * cg * rows, gOff = go + (n * p.oc + g * ocg) * ohw;
                            float[] src = gd;
                            int srcOff = gOff;
                            if (!direct) {
                                Im2col.im2col(geo, gd, gOff, col, 0);
                                src = col;
                                srcOff = 0;
                            }
                            // gx[n,g][cg, hw] = W_g[cg, rows] · col[rows, hw]
                            if (needX) Gemm.gemm(cg, hw, rows, wd, wOff, rows, 1, src, srcOff, hw, 1, gx, xOff, hw, false);
                            // gW_g[cg, rows] += x[n,g][cg, hw] · colᵀ, colᵀ(q, j) = col[j*hw + q]
                            if (needW) Gemm.gemm(cg, rows, hw, xd, xo + xOff, hw, 1, src, srcOff, 1, hw, gw, g * cg * rows, rows, true);
                        }
                    }
                }
            });
        }
        Tensor gxT = needX ? Tensor.of(gx, p.n, p.c, p.h, p.w) : null;
        Tensor gwT = null;
        if (needW) {
            float[] sum = gwPart[0];
            for (int ch = 1; ch < chunks; ch++) {
                float[] part = gwPart[ch];
                for (int i = 0; i < sum.length; i++) sum[i] += part[i];
            }
            gwT = Tensor.of(sum, w.shape());
        }
        Tensor gbT = needB ? Tensor.of(ConvOp.biasGrad(gd, go, p.n, p.oc, ohw), p.oc) : null;
        return new Tensor[] {gxT, gwT, gbT};
    }
}
