package dev.lamina.backend.cpu;

import dev.lamina.backend.ConvOps.Conv2dGeometry;
import dev.lamina.kernels.CpuFeatures;
import dev.lamina.kernels.Parallel;
import dev.lamina.tensor.Buffers;

/**
 * Convolutions whose column matrix has few rows (one group, C·KH·KW ≤ {@link #MAX_ROWS}: a first layer on grey
 * images, 1 channel × 3×3 = 9 rows). A GEMM with k = 9 spends more on packing and on storing its tiles than on the
 * arithmetic, so these go without one.
 *
 * <p>Forward, per image: {@code col = im2col(x[n])} ([rows, OH·OW], small enough to stay in L1), then each output
 * plane {@code y[n, o] = b[o] + Σ_t W[o, t]·col[t]} in vector registers, one fused multiply-add per tap in tap
 * order. Weight and bias gradients, per image: {@code gW_n[o, t] = gy[n, o] · col[t]} (four taps per pass over
 * gy[n, o], in float vector lanes added in double) and {@code gb_n[o] = Σ gy[n, o]} (float lanes added in double); the per-image values are added in image order, so
 * results are the same for any thread count. The input gradient (when x requires one) is left to ConvKernels'
 * GEMM path.
 */
final class SmallConv {
    private SmallConv() {}

    /** Largest column-matrix height (C·KH·KW) taken by this path. */
    static final int MAX_ROWS = 16;

    static boolean applies(Conv2dGeometry cv) {
        return cv.groups() == 1 && Im2col.of(cv).rows() <= MAX_ROWS && !Im2col.of(cv).identity();
    }

    /** y [N, OC, OH·OW] = b + W · im2col(x[n]) per image. */
    static float[] forward(Conv2dGeometry cv, float[] xd, int xo, float[] wd, int wo, float[] bd, int bo) {
        Im2col.Geometry geo = Im2col.of(cv);
        int rows = geo.rows(), ohw = geo.cols(), chw = cv.c() * cv.h() * cv.w(), oc = cv.oc();
        float[] y = Buffers.uninitialized(cv.n() * oc * ohw); // every output element is written
        if (cv.n() < Parallel.threads()) {
            // Fewer images than threads (batch-1 inference): the threads share each image's output planes.
            float[] col = Buffers.uninitialized(rows * ohw); // im2col writes every column
            for (int n = 0; n < cv.n(); n++) {
                Im2col.im2col(geo, xd, xo + n * chw, col, 0);
                int image = n;
                Parallel.forRange((oc + 3) / 4, Math.max(1, (1 << 14) / Math.max(1, 4 * ohw * rows)),
                        (q0, q1) -> planes(col, rows, ohw, wd, wo, bd, bo, y, image, oc, 4 * q0, Math.min(oc, 4 * q1)));
            }
            Buffers.recycle(col);
            return y;
        }
        Parallel.forRange(cv.n(), Math.max(1, (1 << 16) / Math.max(1, oc * ohw * rows)), (s, e) -> {
            float[] col = new float[rows * ohw];
            for (int n = s; n < e; n++) {
                Im2col.im2col(geo, xd, xo + n * chw, col, 0);
                planes(col, rows, ohw, wd, wo, bd, bo, y, n, oc, 0, oc);
            }
        });
        return y;
    }

    /** Output planes [o0, o1) of image n from its columns: four at a time in vector registers, the rest scalar. */
    private static void planes(float[] col, int rows, int ohw, float[] wd, int wo, float[] bd, int bo, float[] y, int n, int oc, int o0, int o1) {
        int o = o0;
        if (CpuFeatures.VECTOR) {
            for (; o + 4 <= o1; o += 4) {
                int yo = (n * oc + o) * ohw;
                int p = VectorSmallConv.combine4(col, rows, ohw, wd, wo + o * rows, bias(bd, bo, o), bias(bd, bo, o + 1),
                        bias(bd, bo, o + 2), bias(bd, bo, o + 3), y, yo);
                for (int q = 0; q < 4; q++) combineScalar(col, rows, ohw, wd, wo + (o + q) * rows, bias(bd, bo, o + q), y, yo + q * ohw, p);
            }
        }
        for (; o < o1; o++) combineScalar(col, rows, ohw, wd, wo + o * rows, bias(bd, bo, o), y, (n * oc + o) * ohw, 0);
    }

    /** Σ g[go + p]·col[co + p] for p in [from, to), in double. */
    private static double dotScalar(float[] g, int go, float[] col, int co, int from, int to) {
        double s = 0;
        for (int p = from; p < to; p++) s += g[go + p] * col[co + p];
        return s;
    }

    private static float bias(float[] bd, int bo, int o) {
        return bd == null ? 0f : bd[bo + o];
    }

    /** y[yo + p] = bias + Σ_t w[wo + t]·col[t·ohw + p] for p in [from, ohw): fused multiply-adds in tap order. */
    private static void combineScalar(float[] col, int rows, int ohw, float[] w, int wo, float bias, float[] y, int yo, int from) {
        for (int p = from; p < ohw; p++) {
            float acc = bias;
            for (int t = 0; t < rows; t++) acc = Math.fma(w[wo + t], col[t * ohw + p], acc);
            y[yo + p] = acc;
        }
    }

    /**
     * {gW [OC·rows] or null, gb [OC] or null} from gy [N, OC, OH·OW]: per-image dot products and sums (in double),
     * then added over images in order.
     */
    static float[][] weightGrad(Conv2dGeometry cv, float[] xd, int xo, float[] gd, int go, boolean needW, boolean needB) {
        Im2col.Geometry geo = Im2col.of(cv);
        int rows = geo.rows(), ohw = geo.cols(), chw = cv.c() * cv.h() * cv.w(), oc = cv.oc(), n = cv.n();
        double[][] part = new double[n][];
        Parallel.forRange(n, Math.max(1, (1 << 16) / Math.max(1, oc * ohw * rows)), (s, e) -> {
            float[] col = needW ? new float[rows * ohw] : null, tmp = CpuFeatures.VECTOR ? new float[4 * VectorSmallConv.L] : null;
            for (int i = s; i < e; i++) {
                double[] p = new double[oc * rows + oc];
                if (needW) Im2col.im2col(geo, xd, xo + i * chw, col, 0);
                for (int o = 0; o < oc; o++) {
                    int g = go + (i * oc + o) * ohw;
                    if (needW) {
                        int t = 0;
                        if (CpuFeatures.VECTOR) {
                            for (; t + 4 <= rows; t += 4) {
                                int from = VectorSmallConv.dots4(gd, g, col, t, ohw, p, o * rows + t, tmp);
                                for (int q = 0; q < 4; q++) p[o * rows + t + q] += dotScalar(gd, g, col, (t + q) * ohw, from, ohw);
                            }
                        }
                        for (; t < rows; t++) p[o * rows + t] = NormKernels.dot(gd, g, col, t * ohw, ohw);
                    }
                    if (needB) p[oc * rows + o] = NormKernels.sum(gd, g, ohw);
                }
                part[i] = p;
            }
        });
        double[] total = new double[oc * rows + oc];
        for (double[] p : part) {
            for (int k = 0; k < total.length; k++) total[k] += p[k];
        }
        float[] gw = needW ? new float[oc * rows] : null, gb = needB ? new float[oc] : null;
        if (needW) for (int k = 0; k < gw.length; k++) gw[k] = (float) total[k];
        if (needB) for (int o = 0; o < oc; o++) gb[o] = (float) total[oc * rows + o];
        return new float[][] {gw, gb};
    }
}
