package dev.lamina.backend.cpu;

import dev.lamina.backend.ConvEpilogue;
import dev.lamina.backend.ConvOps.Conv2dGeometry;
import dev.lamina.kernels.Activation;
import dev.lamina.kernels.Gemm;
import dev.lamina.kernels.Parallel;
import dev.lamina.tensor.Tensor;

/**
 * The CPU kernels of 1-D and 2-D convolution ({@link CpuConvOps}), NCHW, on contiguous tensors.
 *
 * <p>Forward, per image and group: {@code col = im2col(x[n, g])} ([cin/groups·kh·kw, oh·ow]), then
 * {@code y[n, g] = W_g · col} with one GEMM (with the Vector API, the GEMM reads the columns straight from the image,
 * {@link VectorConvStrips}, and col is never stored) ({@code W_g} = the group's rows of the weight viewed as
 * [cout/groups, cin/groups·kh·kw]); a 1×1 stride-1 unpadded kernel multiplies the image directly. Backward,
 * per image and group: {@code gx[n, g] = col2im(W_gᵀ · gy[n, g])}, {@code gW_g += gy[n, g] · colᵀ} (the column
 * matrix is rebuilt rather than cached), {@code gb = Σ gy} over batch and space. Images are split over the
 * worker threads; each thread accumulates the weight gradient of its own contiguous run of images and the
 * partial sums are added in chunk order, so results are identical run to run for a given thread count.
 *
 * <p>A column matrix of at most {@link SmallConv#MAX_ROWS} rows (a first layer on grey images) skips the GEMM for
 * the forward and the weight and bias gradients: see {@link SmallConv}. Depthwise convolutions (one input channel
 * per group) run directly: see {@link DepthwiseConv}.
 */
final class ConvKernels {
    private ConvKernels() {}

    /** y[n, oc, oh, ow] = ep(bias + Σ W·col): the small-column, depthwise or im2col + GEMM kernel. */
    static float[] forward(Conv2dGeometry cv, Tensor x, Tensor w, Tensor b, ConvEpilogue ep, Gemm.PackedA[] packed) {
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
    private static void applyPerImage(Conv2dGeometry cv, float[] y, ConvEpilogue ep) {
        int size = cv.oc() * cv.oh() * cv.ow();
        Parallel.forRange(cv.n(), 1, (s, e) -> {
            for (int n = s; n < e; n++) apply(ep, y, n * size, size);
        });
    }

    /**
     * y[n, oc, oh, ow] = bias + Σ W·col, batch split over threads. With an epilogue it runs on each GEMM tile as it
     * is finished (in cache), and takes the bias too when the product is summed in one k block (the bias is then the
     * same single add as when C starts from it; with several k blocks C starts from the bias as without an epilogue).
     */
    private static float[] gemmForward(Conv2dGeometry cv, Tensor x, Tensor w, Tensor b, ConvEpilogue ep, Gemm.PackedA[] packed) {
        Im2col.Geometry geo = Im2col.of(cv);
        int ohw = geo.cols(), rows = geo.rows(), hw = cv.h() * cv.w(), ocg = cv.ocg(), cg = cv.cg();
        boolean direct = geo.identity();
        float[] xd = x.storage(), wd = w.storage();
        int xo = x.storageOffset(), wo = w.storageOffset();
        // every element is written: by the bias fill, or by the GEMM (accumulate false) with its tile epilogue
        float[] y = dev.lamina.tensor.Buffers.uninitialized(cv.n() * cv.oc() * ohw);
        boolean biasInTiles = ep != null && b != null && Gemm.singleKBlock(rows);
        boolean startFromBias = b != null && !biasInTiles;
        Gemm.TileEpilogue[] tiles = new Gemm.TileEpilogue[cv.groups()];
        for (int g = 0; ep != null && g < cv.groups(); g++) {
            tiles[g] = tiles(ep, biasInTiles ? b.storage() : null, b == null ? 0 : b.storageOffset(), g * ocg);
        }
        // the columns written straight into the GEMM's strips (no column matrix) when the product takes them
        boolean strips = !direct && Gemm.stripsApply(ocg, ohw, rows);
        if (cv.n() < Parallel.threads() && !direct && !strips) {
            // Fewer images than threads (batch-1 inference): the threads share each image's im2col (split by input
            // channel: each channel's rows of col are one block) and its GEMM.
            // above KEPT_COLUMNS, from the inference engine's pool when one is in use (given back below), else new
            boolean large = rows * ohw > KEPT_COLUMNS;
            float[] col = large ? dev.lamina.tensor.Buffers.uninitialized(rows * ohw) : sharedColumns(rows * ohw);
            int perChannel = rows / cg * ohw;
            for (int n = 0; n < cv.n(); n++) {
                if (startFromBias) fillBias(y, n, cv.oc(), ohw, b);
                for (int g = 0; g < cv.groups(); g++) {
                    int imgOff = xo + (n * cv.c() + g * cg) * hw;
                    Parallel.forRange(cg, Math.max(1, IM2COL_GRAIN / perChannel), (c0, c1) ->
                            Im2col.im2col(geo.channels(c1 - c0), xd, imgOff + c0 * hw, col, c0 * perChannel));
                    gemm(cv, g, packed, wd, wo, col, 0, y, (n * cv.oc() + g * ocg) * ohw, startFromBias, tiles[g]);
                }
            }
            if (large) dev.lamina.tensor.Buffers.recycle(col);
            return y;
        }
        Parallel.forRange(cv.n(), 1, (start, end) -> {
            float[] col = direct || strips ? null : sharedColumns(rows * ohw); // this thread's buffer: im2col writes every element
            for (int n = start; n < end; n++) {
                if (startFromBias) fillBias(y, n, cv.oc(), ohw, b);
                for (int g = 0; g < cv.groups(); g++) {
                    int imgOff = xo + (n * cv.c() + g * cg) * hw;
                    if (strips) {
                        Gemm.BStrips columns = new VectorConvStrips(geo, xd, imgOff);
                        int yOff = (n * cv.oc() + g * ocg) * ohw;
                        if (packed != null) Gemm.gemm(ohw, packed[g], columns, y, yOff, ohw, startFromBias, tiles[g]);
                        else Gemm.gemm(ocg, ohw, rows, wd, wo + g * ocg * rows, rows, 1, columns, y, yOff, ohw, startFromBias, tiles[g]);
                        continue;
                    }
                    float[] src = xd;
                    int srcOff = imgOff;
                    if (!direct) {
                        Im2col.im2col(geo, xd, imgOff, col, 0);
                        src = col;
                        srcOff = 0;
                    }
                    gemm(cv, g, packed, wd, wo, src, srcOff, y, (n * cv.oc() + g * ocg) * ohw, startFromBias, tiles[g]);
                }
            }
        });
        return y;
    }

    /** One group's product y[yOff] (+)= W_g · cols, from the packed weight when there is one. */
    private static void gemm(Conv2dGeometry cv, int g, Gemm.PackedA[] packed, float[] wd, int wo, float[] cols, int colOff, float[] y, int yOff,
                             boolean accumulate, Gemm.TileEpilogue tile) {
        int ohw = cv.oh() * cv.ow(), rows = Im2col.of(cv).rows(), ocg = cv.ocg();
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

    /**
     * {gx [N·C·H·W] or null, gW [OC·C/groups·KH·KW] or null, gb [OC] or null} from gy [N, OC, OH, OW] (contiguous), x and
     * w contiguous (x may be null when no weight gradient is asked for, w when no input gradient is).
     */
    static float[][] backward(Conv2dGeometry cv, Tensor gy, Tensor x, Tensor w, boolean wantX, boolean wantW, boolean wantB) {
        if (DepthwiseConv.applies(cv)) {
            float[][] g = DepthwiseConv.backward(cv, x == null ? null : x.storage(), x == null ? 0 : x.storageOffset(), gy.storage(), gy.storageOffset(),
                    w == null ? null : w.storage(), w == null ? 0 : w.storageOffset(), wantX, wantW);
            return new float[][] {g[0], g[1], wantB ? biasGrad(gy.storage(), gy.storageOffset(), cv.n(), cv.oc(), cv.oh() * cv.ow()) : null};
        }
        boolean small = SmallConv.applies(cv); // weight and bias gradients from SmallConv, the input gradient here
        boolean needX = wantX, needW = wantW && !small, needB = wantB && !small;
        Im2col.Geometry geo = Im2col.of(cv);
        int ohw = geo.cols(), rows = geo.rows(), hw = cv.h() * cv.w(), ocg = cv.ocg(), cg = cv.cg();
        boolean direct = geo.identity();
        float[] xd = x == null ? null : x.storage(), wd = w == null ? null : w.storage(), gd = gy.storage();
        int xo = x == null ? 0 : x.storageOffset(), wo = w == null ? 0 : w.storageOffset(), go = gy.storageOffset();
        float[] gx = needX ? new float[cv.n() * cv.c() * hw] : null;
        int chunks = Parallel.chunks(cv.n(), 1);
        float[][] gwPart = new float[chunks][];
        boolean transposedGw = rows < ocg;
        if (needX || needW) {
            Parallel.forRange(chunks, 1, (cs, ce) -> {
                float[] col = direct ? null : new float[rows * ohw];
                for (int ch = cs; ch < ce; ch++) {
                    float[] gw = needW ? new float[cv.oc() * rows] : null;
                    gwPart[ch] = gw;
                    for (int n = chunkStart(cv.n(), chunks, ch), end = chunkStart(cv.n(), chunks, ch + 1); n < end; n++) {
                        for (int g = 0; g < cv.groups(); g++) {
                            int imgOff = (n * cv.c() + g * cg) * hw;
                            int gOff = go + (n * cv.oc() + g * ocg) * ohw;
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
        float[] gwT = null;
        if (needW) {
            float[] sum = gwPart[0];
            for (int ch = 1; ch < chunks; ch++) {
                float[] p = gwPart[ch];
                for (int i = 0; i < sum.length; i++) sum[i] += p[i];
            }
            if (transposedGw) sum = untranspose(sum, cv.groups(), rows, ocg);
            gwT = sum;
        }
        float[] gbT = needB ? biasGrad(gd, go, cv.n(), cv.oc(), ohw) : null;
        if (small && (wantW || wantB)) {
            float[][] g = SmallConv.weightGrad(cv, xd, xo, gd, go, wantW, wantB);
            gwT = g[0];
            gbT = g[1];
        }
        return new float[][] {gx, gwT, gbT};
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

    // ------------------------------------------------------------------------------------------------ epilogue

    /**
     * The epilogue of one GEMM's tiles: C is the block of y at {@code y}'s rows = output channels from {@code channel0};
     * adds {@code bias[bo + channel]} first when {@code bias} is not null (the GEMM then leaves it out), then the
     * residual (at the same flat index of y) and the activation.
     */
    static Gemm.TileEpilogue tiles(ConvEpilogue ep, float[] bias, int bo, int channel0) {
        Tensor residual = ep.residual();
        float[] r = residual == null ? null : residual.storage();
        int ro = residual == null ? 0 : residual.storageOffset();
        Activation act = ep.act();
        float lo = ep.lo(), hi = ep.hi();
        if (bias == null && r == null && act == Activation.NONE) return null; // nothing to do
        return (c, off, ldc, row, col, rows, cols) -> act.applyBlock(bias, bo + channel0 + row, lo, hi, c, off, ldc, rows, r, ro + off, cols);
    }

    /** Applies the epilogue to y[off, off + n), the same flat range of the residual. */
    static void apply(ConvEpilogue ep, float[] y, int off, int n) {
        Tensor residual = ep.residual();
        if (residual == null) ep.act().apply(ep.lo(), ep.hi(), y, off, null, 0, n);
        else ep.act().apply(ep.lo(), ep.hi(), y, off, residual.storage(), residual.storageOffset() + off, n);
    }
}
