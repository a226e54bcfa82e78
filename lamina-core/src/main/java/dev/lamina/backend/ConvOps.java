package dev.lamina.backend;

import dev.lamina.autograd.Autograd;
import dev.lamina.kernels.Elementwise.Binary;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

/**
 * Convolution, the module-op family of {@code nn.functional.ConvOp} and {@code ConvTranspose2dOp}: 2-D convolution
 * (cross-correlation, as PyTorch; conv1d is conv2d with height 1), NCHW, with stride, asymmetric zero padding,
 * dilation and groups, an optional fused inference epilogue, and its input, weight and bias gradients; 2-D transposed
 * convolution and its gradients. The ops check shapes and build the {@link Conv2dGeometry} / {@link
 * ConvTranspose2dGeometry}; a backend may assume them.
 *
 * <p>The default bodies are composed from the {@link TensorOps} primitives, without the tape: the padded input is a
 * zero tensor with the input copied into its interior. The forward is a sum over the kernel taps, in tap order, of
 * batched matmuls over (image, group) of the tap's weights [OC/G, C/G] and the tap's strided window of the padded input
 * (no KH·KW-times column matrix). The weight gradient multiplies gy by the column matrix [N, groups, C/groups·KH·KW,
 * OH·OW] (one copy of a strided window view of the padded input); the input gradient adds each tap's slice of Wᵀ·gy
 * back into a padded zero tensor. Transposed convolution is the input gradient of the
 * convolution it reverses ({@link ConvTranspose2dGeometry#asConv}), and its gradients are that convolution's forward
 * and weight gradient.
 */
public interface ConvOps extends TensorOps {

    /**
     * One 2-D convolution: input [n, c, h, w], weight [oc, c/groups, kh, kw], output [n, oc, oh, ow]; stride (sh, sw),
     * zero padding top, bottom, left, right (pt, pb, pl, pr; PyTorch's "same" puts the odd extra at the bottom/right),
     * dilation (dh, dw); oh = (h + pt + pb − dh·(kh−1) − 1) / sh + 1, likewise ow.
     */
    record Conv2dGeometry(int n, int c, int h, int w, int oc, int kh, int kw, int sh, int sw, int pt, int pb, int pl, int pr,
                          int dh, int dw, int groups, int oh, int ow) {
        /** Input channels per group. */
        public int cg() {
            return c / groups;
        }

        /** Output channels per group. */
        public int ocg() {
            return oc / groups;
        }

        /** One group's column-matrix height, c/groups · kh · kw. */
        public int rows() {
            return cg() * kh * kw;
        }
    }

    /**
     * One 2-D transposed convolution: input [n, c, h, w], weight [c, oc/groups, kh, kw], output [n, oc, oh, ow] with
     * oh = (h−1)·sh − 2·ph + dh·(kh−1) + output padding + 1 (likewise ow); padding (ph, pw) is removed from both sides
     * of the full output.
     */
    record ConvTranspose2dGeometry(int n, int c, int h, int w, int oc, int groups, int kh, int kw, int sh, int sw, int ph, int pw,
                                   int dh, int dw, int oh, int ow) {
        /**
         * The convolution whose input gradient this is: its input is this output [n, oc, oh, ow], its weight this
         * weight [c, oc/groups, kh, kw], its output grid this input h × w. Its bottom/right padding is what the
         * windows of that grid need past the output (0 when output padding leaves rows or columns no window reaches).
         */
        public Conv2dGeometry asConv() {
            int pb = Math.max(0, (h - 1) * sh + dh * (kh - 1) + 1 - oh - ph), pr = Math.max(0, (w - 1) * sw + dw * (kw - 1) + 1 - ow - pw);
            return new Conv2dGeometry(n, oc, oh, ow, c, kh, kw, sh, sw, ph, pb, pw, pr, dh, dw, groups, h, w);
        }
    }

    /** Gradients of a convolution's input, weight and bias; null for those not asked for. */
    record ConvGrads(Tensor input, Tensor weight, Tensor bias) {}

    /** A constant convolution weight [OC, C/groups, KH, KW] a backend prepared for repeated inference (e.g. packed for its GEMM). */
    interface PreparedWeight {
        /** The weight itself (detached, contiguous). */
        Tensor weight();

        int groups();
    }

    /** A weight prepared by keeping it as it is. */
    record PlainWeight(Tensor weight, int groups) implements PreparedWeight {}

    // ------------------------------------------------------------------------------------------------ conv2d

    /**
     * y = ep(conv2d(x, weight) + bias): x [N, C, H, W], weight [OC, C/groups, KH, KW], bias [OC] or null, ep null or
     * an epilogue whose residual, if any, has the output's shape (the op runs a residual that only broadcasts as
     * tensor ops); returns [N, OC, OH, OW]. Called with an epilogue only for inference (no gradient wanted).
     */
    default Tensor conv2d(Conv2dGeometry g, Tensor x, Tensor weight, Tensor bias, ConvEpilogue ep) {
        try (var s = Autograd.noGrad()) {
            // one batched matmul per kernel tap (i, j) over the group's input channels, the taps added in order
            Tensor padded = padded(g, x), wc = copy(weight), y = null; // wc: offset 0, the views below index from it
            int hp = g.h() + g.pt() + g.pb(), wp = g.w() + g.pl() + g.pr(), plane = hp * wp, taps = g.kh() * g.kw();
            int[] window = {g.n(), g.groups(), g.cg(), g.oh(), g.ow()}, flat = {g.n(), g.groups(), g.cg(), g.oh() * g.ow()};
            int[] batch = {g.n(), g.groups()};
            for (int i = 0; i < g.kh(); i++) {
                for (int j = 0; j < g.kw(); j++) {
                    Tensor in = copy(Tensor.view(padded, i * g.dh() * wp + j * g.dw(), window,
                            new int[] {g.c() * plane, g.cg() * plane, plane, g.sh() * wp, g.sw()}));                    // [N, G, C/G, OH, OW]
                    Tensor w = Tensor.view(wc, i * g.kw() + j, new int[] {1, g.groups(), g.ocg(), g.cg()},
                            new int[] {0, g.ocg() * g.cg() * taps, g.cg() * taps, taps});                                // W[:, :, i, j] as [1, G, OC/G, C/G]
                    Tensor tap = matmul(w, Tensor.view(in, 0, flat, Shape.contiguousStrides(flat)), batch);              // [N, G, OC/G, OH·OW]
                    y = y == null ? tap : binary(Binary.ADD, y, tap, tap.shape());
                }
            }
            y = y.reshape(g.n(), g.oc(), g.oh(), g.ow());
            if (bias != null) y = binary(Binary.ADD, y, bias.reshape(1, g.oc(), 1, 1), y.shape());
            return ep == null ? y : ep.applyTo(y).contiguous();
        }
    }

    /** Prepares a constant weight [OC, C/groups, KH, KW] (detached, contiguous) for {@link #conv2d(Conv2dGeometry, Tensor, PreparedWeight, Tensor, ConvEpilogue)}. */
    default PreparedWeight prepareConv2dWeight(Tensor weight, int groups) {
        return new PlainWeight(weight, groups);
    }

    /** {@link #conv2d(Conv2dGeometry, Tensor, Tensor, Tensor, ConvEpilogue)} with a prepared weight: the same values. */
    default Tensor conv2d(Conv2dGeometry g, Tensor x, PreparedWeight weight, Tensor bias, ConvEpilogue ep) {
        return conv2d(g, x, weight.weight(), bias, ep);
    }

    /** gx [N, C, H, W] = col2im(W_gᵀ · gy[n, g]) per image and group, from gy [N, OC, OH, OW] and weight [OC, C/groups, KH, KW]. */
    default Tensor conv2dInputGrad(Conv2dGeometry g, Tensor gy, Tensor weight) {
        try (var s = Autograd.noGrad()) {
            int ohw = g.oh() * g.ow(), taps = g.kh() * g.kw();
            Tensor wT = weight.reshape(1, g.groups(), g.ocg(), g.rows()).transpose(2, 3);            // [1, G, R, OC/G]
            Tensor dcol = matmul(wT, gy.reshape(g.n(), g.groups(), g.ocg(), ohw), new int[] {g.n(), g.groups()}); // [N, G, R, OH·OW]
            int hp = g.h() + g.pt() + g.pb(), wp = g.w() + g.pl() + g.pr();
            Tensor padded = wrap(new float[g.n() * g.c() * hp * wp], g.n(), g.c(), hp, wp);
            int[] grid = {g.n(), g.groups(), g.cg(), g.oh(), g.ow()};
            int[] at = {g.c() * hp * wp, g.cg() * hp * wp, hp * wp, g.sh() * wp, g.sw()};
            int[] tapOf = {g.groups() * g.rows() * ohw, g.rows() * ohw, taps * ohw, g.ow(), 1};
            for (int i = 0; i < g.kh(); i++) {
                for (int j = 0; j < g.kw(); j++) {
                    // the input positions tap (i, j) reads for every output position, += that tap's rows of dcol
                    Tensor target = Tensor.view(padded, i * g.dh() * wp + j * g.dw(), grid, at);
                    Tensor part = Tensor.view(dcol, (i * g.kw() + j) * ohw, grid, tapOf);
                    copyInto_(binary(Binary.ADD, target, part, grid), target);
                }
            }
            return copy(Tensor.view(padded, g.pt() * wp + g.pl(), new int[] {g.n(), g.c(), g.h(), g.w()}, new int[] {g.c() * hp * wp, hp * wp, wp, 1}));
        }
    }

    /** gW [OC, C/groups, KH, KW] = Σ_n gy[n, g] · im2col(x[n, g])ᵀ per group, from gy [N, OC, OH, OW] and x [N, C, H, W]. */
    default Tensor conv2dWeightGrad(Conv2dGeometry g, Tensor gy, Tensor x) {
        try (var s = Autograd.noGrad()) {
            int ohw = g.oh() * g.ow(), rows = g.rows();
            Tensor cols = convColumns(g, x);                                            // [N, G, R, OH·OW], contiguous
            Tensor colsT = Tensor.view(cols, 0, new int[] {g.n(), g.groups(), ohw, rows}, new int[] {g.groups() * rows * ohw, rows * ohw, 1, ohw});
            Tensor perImage = matmul(gy.reshape(g.n(), g.groups(), g.ocg(), ohw), colsT, new int[] {g.n(), g.groups()}); // [N, G, OC/G, R]
            return sumAxis(perImage, 0).reshape(g.oc(), g.cg(), g.kh(), g.kw());
        }
    }

    /** gb [OC] = Σ gy over batch and space, from gy [N, OC, OH, OW]. */
    default Tensor conv2dBiasGrad(Conv2dGeometry g, Tensor gy) {
        return channelSums(gy);
    }

    /** The gradients asked for, from gy [N, OC, OH, OW] (a backend may compute them in one pass). */
    default ConvGrads conv2dBackward(Conv2dGeometry g, Tensor gy, Tensor x, Tensor weight, boolean input, boolean weightGrad, boolean bias) {
        return new ConvGrads(input ? conv2dInputGrad(g, gy, weight) : null, weightGrad ? conv2dWeightGrad(g, gy, x) : null,
                bias ? conv2dBiasGrad(g, gy) : null);
    }

    // ------------------------------------------------------------------------------------------------ conv_transpose2d

    /** y [N, OC, OH, OW] = col2im(W_gᵀ · x[n, g]) + bias: x [N, C, H, W], weight [C, OC/groups, KH, KW], bias [OC] or null. */
    default Tensor convTranspose2d(ConvTranspose2dGeometry g, Tensor x, Tensor weight, Tensor bias) {
        Tensor y = conv2dInputGrad(g.asConv(), x, weight);
        if (bias == null) return y;
        try (var s = Autograd.noGrad()) {
            return binary(Binary.ADD, y, bias.reshape(1, g.oc(), 1, 1), y.shape());
        }
    }

    /** The gradients asked for, from gy [N, OC, OH, OW]: gx = W_g · im2col(gy), gW += x · im2col(gy)ᵀ, gb = Σ gy. */
    default ConvGrads convTranspose2dBackward(ConvTranspose2dGeometry g, Tensor gy, Tensor x, Tensor weight, boolean input, boolean weightGrad,
                                          boolean bias) {
        Conv2dGeometry conv = g.asConv();
        return new ConvGrads(input ? conv2d(conv, gy, weight, null, null) : null, weightGrad ? conv2dWeightGrad(conv, x, gy) : null,
                bias ? channelSums(gy) : null);
    }

    // ------------------------------------------------------------------------------------------------ helpers of the defaults

    /**
     * The column matrix [N, G, C/G·KH·KW, OH·OW] of x [N, C, H, W] (row (ci·KH + i)·KW + j of group g holds input
     * (g·C/G + ci, oy·sh − pt + i·dh, ox·sw − pl + j·dw) at column oy·OW + ox, zero in the padding): x copied into a
     * zero tensor of the padded size, then one copy of its strided window view.
     */
    private Tensor convColumns(Conv2dGeometry g, Tensor x) {
        int hp = g.h() + g.pt() + g.pb(), wp = g.w() + g.pl() + g.pr(), plane = hp * wp;
        Tensor padded = padded(g, x);
        Tensor windows = Tensor.view(padded, 0, new int[] {g.n(), g.groups(), g.cg(), g.kh(), g.kw(), g.oh(), g.ow()},
                new int[] {g.c() * plane, g.cg() * plane, plane, g.dh() * wp, g.dw(), g.sh() * wp, g.sw()});
        int[] shape = {g.n(), g.groups(), g.rows(), g.oh() * g.ow()};
        return Tensor.view(copy(windows), 0, shape, Shape.contiguousStrides(shape));
    }

    /** x [N, C, H, W] in the interior of a zero tensor [N, C, H + pt + pb, W + pl + pr]. */
    private Tensor padded(Conv2dGeometry g, Tensor x) {
        int hp = g.h() + g.pt() + g.pb(), wp = g.w() + g.pl() + g.pr(), plane = hp * wp;
        Tensor padded = wrap(new float[g.n() * g.c() * plane], g.n(), g.c(), hp, wp);
        copyInto_(x, Tensor.view(padded, g.pt() * wp + g.pl(), new int[] {g.n(), g.c(), g.h(), g.w()}, new int[] {g.c() * plane, plane, wp, 1}));
        return padded;
    }

    /** Σ over batch and space of g [N, C, H, W], per channel: [C]. */
    private Tensor channelSums(Tensor g) {
        Tensor perChannel = sumAxis(sumAxis(sumAxis(g, 3), 2), 0);
        return Tensor.view(perChannel, 0, new int[] {g.shape()[1]}, new int[] {1});
    }
}
