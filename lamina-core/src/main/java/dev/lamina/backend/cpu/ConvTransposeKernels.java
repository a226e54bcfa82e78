package dev.lamina.backend.cpu;

import dev.lamina.backend.ConvOps.ConvTranspose2dGeometry;
import dev.lamina.kernels.Gemm;
import dev.lamina.kernels.Parallel;
import dev.lamina.tensor.Tensor;

/**
 * The CPU kernels of 2-D transposed convolution ({@link CpuConvOps}), NCHW, PyTorch's weight layout
 * [C, OC/groups, KH, KW], on contiguous tensors.
 *
 * <p>Forward, per image and group: {@code y[n, g] = col2im(W_gᵀ · x[n, g])} where {@code W_g} is the group's
 * rows of the weight viewed as [C/groups, OC/groups·kh·kw]. Backward: {@code col = im2col(gy[n, g])},
 * {@code gx[n, g] = W_g · col}, {@code gW_g += x[n, g] · colᵀ}, {@code gb = Σ gy}. Images are split over the
 * worker threads with per-chunk weight-gradient partial sums added in chunk order (deterministic for a thread
 * count), as in {@link ConvKernels}.
 */
final class ConvTransposeKernels {
    private ConvTransposeKernels() {}

    /** The conv whose input gradient this is: image = the output [OC/groups, OH, OW], grid = the input H × W. */
    private static Im2col.Geometry geometry(ConvTranspose2dGeometry p) {
        return new Im2col.Geometry(p.oc() / p.groups(), p.oh(), p.ow(), p.kh(), p.kw(), p.sh(), p.sw(), p.ph(), p.pw(), p.dh(), p.dw(), p.h(), p.w());
    }

    /** y [N, OC, OH, OW] from x [N, C, H, W], w [C, OC/groups, KH, KW], b [OC] or null. */
    static float[] forward(ConvTranspose2dGeometry p, Tensor x, Tensor w, Tensor b) {
        Im2col.Geometry geo = geometry(p);
        int hw = p.h() * p.w(), rows = geo.rows(), ohw = geo.h() * geo.w(), cg = p.c() / p.groups(), ocg = p.oc() / p.groups();
        boolean direct = geo.identity();
        float[] xd = x.storage(), wd = w.storage();
        int xo = x.storageOffset(), wo = w.storageOffset();
        float[] y = new float[p.n() * p.oc() * ohw];
        Parallel.forRange(p.n(), 1, (start, end) -> {
            float[] col = direct ? null : new float[rows * hw];
            for (int n = start; n < end; n++) {
                if (b != null) {
                    for (int o = 0; o < p.oc(); o++) {
                        java.util.Arrays.fill(y, (n * p.oc() + o) * ohw, (n * p.oc() + o + 1) * ohw, b.storage()[b.storageOffset() + o]);
                    }
                }
                for (int g = 0; g < p.groups(); g++) {
                    int xOff = xo + (n * p.c() + g * cg) * hw, wOff = wo + g * cg * rows, yOff = (n * p.oc() + g * ocg) * ohw;
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

    /**
     * {gx [N·C·H·W] or null, gW [C·OC/groups·KH·KW] or null, gb [OC] or null} from gy [N, OC, OH, OW] (contiguous);
     * x may be null when no weight gradient is asked for, w when no input gradient is.
     */
    static float[][] backward(ConvTranspose2dGeometry p, Tensor gy, Tensor x, Tensor w, boolean needX, boolean needW, boolean needB) {
        Im2col.Geometry geo = geometry(p);
        int hw = p.h() * p.w(), rows = geo.rows(), ohw = geo.h() * geo.w(), cg = p.c() / p.groups(), ocg = p.oc() / p.groups();
        boolean direct = geo.identity();
        float[] xd = x == null ? null : x.storage(), wd = w == null ? null : w.storage(), gd = gy.storage();
        int xo = x == null ? 0 : x.storageOffset(), wo = w == null ? 0 : w.storageOffset(), go = gy.storageOffset();
        float[] gx = needX ? new float[p.n() * p.c() * hw] : null;
        int chunks = Parallel.chunks(p.n(), 1);
        float[][] gwPart = new float[chunks][];
        if (needX || needW) {
            Parallel.forRange(chunks, 1, (cs, ce) -> {
                float[] col = direct ? null : new float[rows * hw];
                for (int ch = cs; ch < ce; ch++) {
                    float[] gw = needW ? new float[p.c() * rows] : null;
                    gwPart[ch] = gw;
                    for (int n = ConvKernels.chunkStart(p.n(), chunks, ch), end = ConvKernels.chunkStart(p.n(), chunks, ch + 1); n < end; n++) {
                        for (int g = 0; g < p.groups(); g++) {
                            int xOff = (n * p.c() + g * cg) * hw, wOff = wo + g * cg * rows, gOff = go + (n * p.oc() + g * ocg) * ohw;
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
        float[] gwT = null;
        if (needW) {
            float[] sum = gwPart[0];
            for (int ch = 1; ch < chunks; ch++) {
                float[] part = gwPart[ch];
                for (int i = 0; i < sum.length; i++) sum[i] += part[i];
            }
            gwT = sum;
        }
        float[] gbT = needB ? ConvKernels.biasGrad(gd, go, p.n(), p.oc(), ohw) : null;
        return new float[][] {gx, gwT, gbT};
    }
}
