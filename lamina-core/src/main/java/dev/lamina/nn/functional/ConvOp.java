package dev.lamina.nn.functional;

import dev.lamina.kernels.Gemm;
import dev.lamina.kernels.Parallel;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * Fused 1-D and 2-D convolution (cross-correlation, as PyTorch), NCHW, with stride, padding (numbers or
 * {@code "same"}/{@code "valid"}), dilation and groups.
 *
 * <p>Forward, per image and group: {@code col = im2col(x[n, g])} ([cin/groups·kh·kw, oh·ow]), then
 * {@code y[n, g] = W_g · col} with one GEMM ({@code W_g} = the group's rows of the weight viewed as
 * [cout/groups, cin/groups·kh·kw]); a 1×1 stride-1 unpadded kernel multiplies the image directly. Backward,
 * per image and group: {@code gx[n, g] = col2im(W_gᵀ · gy[n, g])}, {@code gW_g += gy[n, g] · colᵀ} (the column
 * matrix is rebuilt rather than cached), {@code gb = Σ gy} over batch and space. Images are split over the
 * worker threads; each thread accumulates the weight gradient of its own contiguous run of images and the
 * partial sums are added in chunk order, so results are identical run to run for a given thread count.
 *
 * <p>A column matrix of at most {@link SmallConv#MAX_ROWS} rows (a first layer on grey images) skips the GEMM for
 * the forward and the weight and bias gradients: see {@link SmallConv}.
 *
 * <p>conv1d is conv2d with height 1.
 */
public final class ConvOp {
    private ConvOp() {}

    /**
     * The full configuration of one 2-D convolution. Padding may be asymmetric (PyTorch's {@code "same"} pads
     * the extra row/column at the bottom/right).
     */
    record Conv(int n, int c, int h, int w, int oc, int kh, int kw, int sh, int sw, int pt, int pb, int pl, int pr,
                int dh, int dw, int groups, int oh, int ow) {
        int cg() {
            return c / groups;
        }

        int ocg() {
            return oc / groups;
        }

        Im2col.Geometry geometry() {
            return new Im2col.Geometry(cg(), h, w, kh, kw, sh, sw, pt, pl, dh, dw, oh, ow);
        }
    }

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
        Conv cv = plan(x, weight, bias, sh, sw, pt, pb, pl, pr, dh, dw, groups);
        Tensor xc = x.contiguous(), wc = weight.contiguous(), bc = bias == null ? null : bias.contiguous();
        Tensor out = Tensor.of(forward(cv, xc, wc, bc, null, null), cv.n, cv.oc, cv.oh, cv.ow);
        return Tensor.fromOp("conv2d", out, g -> backward(cv, g.contiguous(), xc, wc, bc), xc, wc, bc);
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
        Conv cv = plan(x, weight, bias, sh, sw, pt, pb, pl, pr, dh, dw, groups);
        Tensor r = ep.residual();
        boolean outputShaped = r == null || java.util.Arrays.equals(r.shape(), new int[] {cv.n, cv.oc, cv.oh, cv.ow});
        if (!outputShaped || Tensor.gradWanted(x, weight, bias, r)) {
            return unfusedEpilogue(conv2d(x, weight, bias, sh, sw, pt, pb, pl, pr, dh, dw, groups), ep);
        }
        Tensor xc = x.contiguous(), wc = weight.contiguous(), bc = bias == null ? null : bias.contiguous();
        return Tensor.of(forward(cv, xc, wc, bc, ep, null), cv.n, cv.oc, cv.oh, cv.ow);
    }

    /**
     * A constant convolution weight prepared once for repeated inference: each group's [OC/groups, C/groups·KH·KW]
     * matrix packed into the GEMM's panel layout ({@link Gemm.PackedA}), so no call packs it again. The weight must
     * not change afterwards.
     */
    public static final class PreparedWeight {
        final Tensor weight;
        final int groups;
        final Gemm.PackedA[] perGroup;

        private PreparedWeight(Tensor weight, int groups) {
            this.weight = weight;
            this.groups = groups;
            int oc = weight.size(0), rows = weight.size(1) * weight.size(2) * weight.size(3), ocg = oc / groups;
            this.perGroup = new Gemm.PackedA[groups];
            for (int g = 0; g < groups; g++) {
                perGroup[g] = Gemm.pack(ocg, rows, weight.storage(), weight.storageOffset() + g * ocg * rows, rows, 1);
            }
        }

        /** A depthwise weight: the direct kernel reads it as it is. */
        private PreparedWeight(Tensor weight, int groups, boolean depthwise) {
            this.weight = weight;
            this.groups = groups;
            this.perGroup = null;
        }

        public Tensor weight() {
            return weight;
        }
    }

    /**
     * Packs a constant weight [OC, C/groups, KH, KW] for {@link #conv2d(Tensor, PreparedWeight, Tensor, int, int, int,
     * int, int, int, int, int, ConvEpilogue)}. Depthwise weights (one input channel per group) need no packing and get none.
     */
    public static PreparedWeight prepare(Tensor weight, int groups) {
        if (weight.dim() != 4) throw new ShapeException("conv2d: weight must be [OC, C/groups, KH, KW], got " + Shape.str(weight.shape()));
        if (groups < 1 || weight.size(0) % groups != 0) {
            throw new IllegalArgumentException("conv2d: groups " + groups + " must divide the " + weight.size(0) + " output channels");
        }
        Tensor w = weight.detach().contiguous();
        return groups > 1 && w.size(1) == 1 ? new PreparedWeight(w, groups, true) : new PreparedWeight(w, groups);
    }

    /** {@link #conv2d(Tensor, Tensor, Tensor, int, int, int, int, int, int, int, int, int, ConvEpilogue)} with a prepared weight: the same result, bit for bit, without packing the weight. */
    public static Tensor conv2d(Tensor x, PreparedWeight weight, Tensor bias, int sh, int sw, int pt, int pb, int pl, int pr, int dh, int dw,
                                ConvEpilogue ep) {
        Conv cv = plan(x, weight.weight, bias, sh, sw, pt, pb, pl, pr, dh, dw, weight.groups);
        Tensor r = ep == null ? null : ep.residual();
        boolean outputShaped = r == null || java.util.Arrays.equals(r.shape(), new int[] {cv.n, cv.oc, cv.oh, cv.ow});
        if (!outputShaped || Tensor.gradWanted(x, bias, r)) {
            Tensor y = conv2d(x, weight.weight, bias, sh, sw, pt, pb, pl, pr, dh, dw, weight.groups);
            return ep == null ? y : unfusedEpilogue(y, ep);
        }
        Tensor xc = x.contiguous(), bc = bias == null ? null : bias.contiguous();
        // without an epilogue of its own, the bias still goes into the tiles (no pass that fills y with it first)
        ConvEpilogue tiles = ep == null ? ConvEpilogue.of(dev.lamina.kernels.Activation.NONE) : ep;
        return Tensor.of(forward(cv, xc, weight.weight, bc, tiles, weight.perGroup), cv.n, cv.oc, cv.oh, cv.ow);
    }

    /** The epilogue as differentiable tensor ops. */
    private static Tensor unfusedEpilogue(Tensor y, ConvEpilogue ep) {
        if (ep.residual() != null) y = y.add(ep.residual());
        return switch (ep.act()) {
            case NONE -> y;
            case RELU -> y.relu();
            case CLIP -> y.clamp(ep.lo(), ep.hi());
            case SIGMOID -> y.sigmoid();
            case SILU -> y.silu();
            case HARDSWISH -> y.mul(y.mul(1f / 6).add(0.5f).clamp(0f, 1f));
        };
    }

    private static Conv plan(Tensor x, Tensor weight, Tensor bias, int sh, int sw, int pt, int pb, int pl, int pr, int dh, int dw, int groups) {
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
        return new Conv(n, c, h, w, oc, kh, kw, sh, sw, pt, pb, pl, pr, dh, dw, groups, oh, ow);
    }

    /** y[n, oc, oh, ow] = ep(bias + Σ W·col): the small-column, depthwise or im2col + GEMM kernel. */
    private static float[] forward(Conv cv, Tensor x, Tensor w, Tensor b, ConvEpilogue ep, Gemm.PackedA[] packed) {
        float[] bd = b == null ? null : b.storage();
        int bo = b == null ? 0 : b.storageOffset();
        if (DepthwiseConv.applies(cv)) return DepthwiseConv.forward(cv, x.storage(), x.storageOffset(), w.storage(), w.storageOffset(), bd, bo, ep);
        if (SmallConv.applies(cv)) {
            float[] y = SmallConv.forward(cv, x.storage(), x.storageOffset(), w.storage(), w.storageOffset(), bd, bo);
            if (ep != null) applyPerImage(cv, y, ep);
            return y;
        }
        return gemmForward(cv, x, w, b, ep, packed);
    }

    /** The epilogue over the whole output, images split over the threads. */
    private static void applyPerImage(Conv cv, float[] y, ConvEpilogue ep) {
        int size = cv.oc * cv.oh * cv.ow;
        Parallel.forRange(cv.n, 1, (s, e) -> {
            for (int n = s; n < e; n++) ep.apply(y, n * size, size);
        });
    }

    /**
     * y[n, oc, oh, ow] = bias + Σ W·col, batch split over threads. With an epilogue it runs on each GEMM tile as it
     * is finished (in cache), and takes the bias too when the product is summed in one k block (the bias is then the
     * same single add as when C starts from it; with several k blocks C starts from the bias as without an epilogue).
     */
    private static float[] gemmForward(Conv cv, Tensor x, Tensor w, Tensor b, ConvEpilogue ep, Gemm.PackedA[] packed) {
        Im2col.Geometry geo = cv.geometry();
        int ohw = geo.cols(), rows = geo.rows(), hw = cv.h * cv.w, ocg = cv.ocg(), cg = cv.cg();
        boolean direct = geo.identity();
        float[] xd = x.storage(), wd = w.storage();
        int xo = x.storageOffset(), wo = w.storageOffset();
        // every element is written: by the bias fill, or by the GEMM (accumulate false) with its tile epilogue
        float[] y = dev.lamina.tensor.Buffers.uninitialized(cv.n * cv.oc * ohw);
        boolean biasInTiles = ep != null && b != null && Gemm.singleKBlock(rows);
        boolean startFromBias = b != null && !biasInTiles;
        Gemm.TileEpilogue[] tiles = new Gemm.TileEpilogue[cv.groups];
        for (int g = 0; ep != null && g < cv.groups; g++) {
            tiles[g] = ep.forTiles(biasInTiles ? b.storage() : null, b == null ? 0 : b.storageOffset(), g * ocg);
        }
        if (cv.n < Parallel.threads() && !direct) {
            // Fewer images than threads (batch-1 inference): the threads share each image's im2col (split by input
            // channel: each channel's rows of col are one block) and its GEMM.
            float[] col = sharedColumns(rows * ohw);
            int perChannel = rows / cg * ohw;
            for (int n = 0; n < cv.n; n++) {
                if (startFromBias) fillBias(y, n, cv.oc, ohw, b);
                for (int g = 0; g < cv.groups; g++) {
                    int imgOff = xo + (n * cv.c + g * cg) * hw;
                    Parallel.forRange(cg, Math.max(1, IM2COL_GRAIN / perChannel), (c0, c1) ->
                            Im2col.im2col(geo.channels(c1 - c0), xd, imgOff + c0 * hw, col, c0 * perChannel));
                    gemm(cv, g, packed, wd, wo, col, 0, y, (n * cv.oc + g * ocg) * ohw, startFromBias, tiles[g]);
                }
            }
            return y;
        }
        Parallel.forRange(cv.n, 1, (start, end) -> {
            float[] col = direct ? null : sharedColumns(rows * ohw); // this thread's buffer: im2col writes every element
            for (int n = start; n < end; n++) {
                if (startFromBias) fillBias(y, n, cv.oc, ohw, b);
                for (int g = 0; g < cv.groups; g++) {
                    int imgOff = xo + (n * cv.c + g * cg) * hw;
                    float[] src = xd;
                    int srcOff = imgOff;
                    if (!direct) {
                        Im2col.im2col(geo, xd, imgOff, col, 0);
                        src = col;
                        srcOff = 0;
                    }
                    gemm(cv, g, packed, wd, wo, src, srcOff, y, (n * cv.oc + g * ocg) * ohw, startFromBias, tiles[g]);
                }
            }
        });
        return y;
    }

    /** One group's product y[yOff] (+)= W_g · cols, from the packed weight when there is one. */
    private static void gemm(Conv cv, int g, Gemm.PackedA[] packed, float[] wd, int wo, float[] cols, int colOff, float[] y, int yOff,
                             boolean accumulate, Gemm.TileEpilogue tile) {
        int ohw = cv.oh * cv.ow, rows = cv.geometry().rows(), ocg = cv.ocg();
        if (packed != null) Gemm.gemm(ohw, packed[g], cols, colOff, ohw, 1, y, yOff, ohw, accumulate, tile);
        else Gemm.gemm(ocg, ohw, rows, wd, wo + g * ocg * rows, rows, 1, cols, colOff, ohw, 1, y, yOff, ohw, accumulate, tile);
    }


    /** The calling thread's column buffer (im2col writes every element it uses): allocating and zeroing
     *  it took a tenth of a 14×14×32 → 64 convolution. Buffers above {@link #KEPT_COLUMNS} floats are not kept. */
    private static float[] sharedColumns(int size) {
        if (size > KEPT_COLUMNS) return new float[size];
        float[] col = COLUMNS.get();
        if (col.length < size) COLUMNS.set(col = new float[size]);
        return col;
    }

    private static final int KEPT_COLUMNS = 1 << 20;
    private static final ThreadLocal<float[]> COLUMNS = ThreadLocal.withInitial(() -> new float[0]);

    /** Column values per parallel chunk of a shared im2col below which it stays on one thread. */
    private static final int IM2COL_GRAIN = 8 * 1024;

    /** y[n, o, :] = b[o] for every output channel o of image n. */
    private static void fillBias(float[] y, int n, int oc, int ohw, Tensor b) {
        for (int o = 0; o < oc; o++) {
            java.util.Arrays.fill(y, (n * oc + o) * ohw, (n * oc + o + 1) * ohw, b.storage()[b.storageOffset() + o]);
        }
    }

    /** Gradients for (x, W, b) from gy [N, OC, OH, OW]. */
    private static Tensor[] backward(Conv cv, Tensor gy, Tensor x, Tensor w, Tensor b) {
        if (DepthwiseConv.applies(cv)) {
            boolean needX = x.requiresGrad(), needW = w.requiresGrad();
            float[][] g = DepthwiseConv.backward(cv, x.storage(), x.storageOffset(), gy.storage(), gy.storageOffset(), w.storage(), w.storageOffset(), needX, needW);
            return new Tensor[] {needX ? Tensor.of(g[0], cv.n, cv.c, cv.h, cv.w) : null, needW ? Tensor.of(g[1], w.shape()) : null,
                    b != null && b.requiresGrad() ? Tensor.of(biasGrad(gy.storage(), gy.storageOffset(), cv.n, cv.oc, cv.oh * cv.ow), cv.oc) : null};
        }
        boolean small = SmallConv.applies(cv); // weight and bias gradients from SmallConv, the input gradient here
        boolean needX = x.requiresGrad(), needW = w.requiresGrad() && !small, needB = b != null && b.requiresGrad() && !small;
        Im2col.Geometry geo = cv.geometry();
        int ohw = geo.cols(), rows = geo.rows(), hw = cv.h * cv.w, ocg = cv.ocg(), cg = cv.cg();
        boolean direct = geo.identity();
        float[] xd = x.storage(), wd = w.storage(), gd = gy.storage();
        int xo = x.storageOffset(), wo = w.storageOffset(), go = gy.storageOffset();
        float[] gx = needX ? new float[cv.n * cv.c * hw] : null;
        int chunks = Parallel.chunks(cv.n, 1);
        float[][] gwPart = new float[chunks][];
        boolean transposedGw = rows < ocg;
        if (needX || needW) {
            Parallel.forRange(chunks, 1, (cs, ce) -> {
                float[] col = direct ? null : new float[rows * ohw];
                for (int ch = cs; ch < ce; ch++) {
                    float[] gw = needW ? new float[cv.oc * rows] : null;
                    gwPart[ch] = gw;
                    for (int n = chunkStart(cv.n, chunks, ch), end = chunkStart(cv.n, chunks, ch + 1); n < end; n++) {
                        for (int g = 0; g < cv.groups; g++) {
                            int imgOff = (n * cv.c + g * cg) * hw;
                            int gOff = go + (n * cv.oc + g * ocg) * ohw;
                            int wOff = wo + g * ocg * rows;
                            if (needW) {
                                float[] src = xd;
                                int srcOff = xo + imgOff;
                                if (!direct) {
                                    Im2col.im2col(geo, xd, xo + imgOff, col, 0);
                                    src = col;
                                    srcOff = 0;
                                }
                                if (transposedGw) {
                                    // gW_gᵀ[rows, ocg] += col · gy[n,g]ᵀ (wider n for the GEMM when rows < ocg)
                                    Gemm.gemm(rows, ocg, ohw, src, srcOff, ohw, 1, gd, gOff, 1, ohw, gw, g * ocg * rows, ocg, true);
                                } else {
                                    // gW_g[ocg, rows] += gy[n,g][ocg, ohw] · colᵀ, colᵀ(p, j) = col[j*ohw + p]
                                    Gemm.gemm(ocg, rows, ohw, gd, gOff, ohw, 1, src, srcOff, 1, ohw, gw, g * ocg * rows, rows, true);
                                }
                            }
                            if (needX) {
                                // dcol[rows, ohw] = W_gᵀ · gy[n,g], W_gᵀ(i, p) = w[wOff + p*rows + i]
                                if (direct) {
                                    Gemm.gemm(rows, ohw, ocg, wd, wOff, 1, rows, gd, gOff, ohw, 1, gx, imgOff, ohw, false);
                                } else {
                                    Gemm.gemm(rows, ohw, ocg, wd, wOff, 1, rows, gd, gOff, ohw, 1, col, 0, ohw, false);
                                    Im2col.col2im(geo, col, 0, gx, imgOff);
                                }
                            }
                        }
                    }
                }
            });
        }
        Tensor gxT = needX ? Tensor.of(gx, cv.n, cv.c, cv.h, cv.w) : null;
        Tensor gwT = null;
        if (needW) {
            float[] sum = gwPart[0];
            for (int ch = 1; ch < chunks; ch++) {
                float[] p = gwPart[ch];
                for (int i = 0; i < sum.length; i++) sum[i] += p[i];
            }
            if (transposedGw) sum = untranspose(sum, cv.groups, rows, ocg);
            gwT = Tensor.of(sum, w.shape());
        }
        Tensor gbT = needB ? Tensor.of(biasGrad(gd, go, cv.n, cv.oc, ohw), cv.oc) : null;
        if (small && (w.requiresGrad() || b != null && b.requiresGrad())) {
            float[][] g = SmallConv.weightGrad(cv, xd, xo, gd, go, w.requiresGrad(), b != null && b.requiresGrad());
            gwT = g[0] == null ? null : Tensor.of(g[0], w.shape());
            gbT = g[1] == null ? null : Tensor.of(g[1], cv.oc);
        }
        return new Tensor[] {gxT, gwT, gbT};
    }

    /** Per group, [rows, ocg] → [ocg, rows]. */
    private static float[] untranspose(float[] t, int groups, int rows, int ocg) {
        float[] out = new float[t.length];
        for (int g = 0; g < groups; g++) {
            int base = g * rows * ocg;
            for (int r = 0; r < rows; r++) {
                for (int o = 0; o < ocg; o++) out[base + o * rows + r] = t[base + r * ocg + o];
            }
        }
        return out;
    }

    /** Σ over batch and the spatial plane of g[n, o, plane], per channel o. */
    static float[] biasGrad(float[] gd, int go, int n, int channels, int plane) {
        float[] gb = new float[channels];
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < channels; o++) {
                int base = go + (i * channels + o) * plane;
                gb[o] += (float) dev.lamina.kernels.Reductions.sum(gd, base, plane);
            }
        }
        return gb;
    }

    /** Start of chunk i of {@code chunks} over [0, n), matching {@link Parallel#forRange}'s split. */
    static int chunkStart(int n, int chunks, int i) {
        return i * (n / chunks) + Math.min(i, n % chunks);
    }
}
