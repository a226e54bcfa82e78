package dev.lamina.backend.cpu;

import dev.lamina.backend.ResampleOps;
import dev.lamina.kernels.Parallel;
import dev.lamina.tensor.Tensor;

/**
 * Resampling on the CPU: work split over the N·C planes with {@link Parallel#forRange}, each plane by one thread
 * in a fixed order (results do not depend on the thread count); bilinear separably, each used input row resampled
 * along W once into a scratch row, then output rows blended from two of those.
 */
public interface CpuResampleOps extends ResampleOps {
    @Override
    default Tensor resample(Tensor x, Table ah, Table aw) {
        Tensor xc = x.isContiguous() ? x : x.contiguous();
        int n = x.size(0), c = x.size(1);
        return wrap(forward(xc.storage(), xc.storageOffset(), n * c, ah, aw), n, c, ah.out(), aw.out());
    }

    private static int minChunk(int planeSize) {
        return Math.max(1, (1 << 14) / Math.max(1, planeSize));
    }

    private static float[] forward(float[] x, int xo, int planes, Table ah, Table aw) {
        int hin = ah.in(), win = aw.in(), hout = ah.out(), wout = aw.out();
        int ip = hin * win, op = hout * wout;
        float[] y = new float[planes * op];
        boolean[] used = ah.isLinear() ? usedRows(ah) : null;
        Parallel.forRange(planes, minChunk(op), (s, e) -> {
            float[] rows = ah.isLinear() ? new float[hin * wout] : null; // one chunk's scratch: input rows resampled along W
            for (int p = s; p < e; p++) {
                if (ah.isLinear()) linearPlane(x, xo + p * ip, y, p * op, ah, aw, rows, used);
                else nearestPlane(x, xo + p * ip, y, p * op, ah, aw);
            }
        });
        return y;
    }

    /** The input rows some output row reads (with a non-zero weight for the second one). */
    private static boolean[] usedRows(Table ah) {
        boolean[] used = new boolean[ah.in()];
        for (int o = 0; o < ah.out(); o++) {
            used[ah.i0()[o]] = true;
            if (ah.w1()[o] != 0f) used[ah.i1()[o]] = true;
        }
        return used;
    }

    private static void nearestPlane(float[] x, int xo, float[] y, int yo, Table ah, Table aw) {
        int win = aw.in(), wout = aw.out();
        int[] sh = ah.i0(), sw = aw.i0();
        for (int oh = 0; oh < sh.length; oh++) {
            int row = yo + oh * wout;
            if (oh > 0 && sh[oh] == sh[oh - 1]) {
                System.arraycopy(y, row - wout, y, row, wout); // same source row as the previous output row
                continue;
            }
            int src = xo + sh[oh] * win;
            for (int ow = 0; ow < wout; ow++) y[row + ow] = x[src + sw[ow]];
        }
    }

    /**
     * Separable: each used input row is resampled along W once into {@code rows} (b0·x[j0] + b1·x[j1]), then each
     * output row blends two of those rows, a0·r0 + a1·r1 (a0·r0 alone when a1 = 0).
     */
    private static void linearPlane(float[] x, int xo, float[] y, int yo, Table ah, Table aw, float[] rows, boolean[] used) {
        int win = aw.in(), wout = aw.out();
        int[] j0 = aw.i0(), j1 = aw.i1();
        float[] b0 = aw.w0(), b1 = aw.w1();
        for (int h = 0; h < ah.in(); h++) {
            if (!used[h]) continue;
            int src = xo + h * win, dst = h * wout;
            for (int ow = 0; ow < wout; ow++) rows[dst + ow] = b0[ow] * x[src + j0[ow]] + b1[ow] * x[src + j1[ow]];
        }
        for (int oh = 0; oh < ah.out(); oh++) {
            int row = yo + oh * wout;
            int r0 = ah.i0()[oh] * wout, r1 = ah.i1()[oh] * wout;
            float a0 = ah.w0()[oh], a1 = ah.w1()[oh];
            if (a1 == 0f) blend1(y, row, rows, r0, a0, wout);
            else blend2(y, row, rows, r0, a0, r1, a1, wout);
        }
    }

    private static void blend1(float[] y, int yo, float[] r, int r0, float a0, int n) {
        for (int k = 0; k < n; k++) y[yo + k] = a0 * r[r0 + k];
    }

    private static void blend2(float[] y, int yo, float[] r, int r0, float a0, int r1, float a1, int n) {
        for (int k = 0; k < n; k++) y[yo + k] = a0 * r[r0 + k] + a1 * r[r1 + k];
    }

    /** Scatter-adds g [N, C, H', W'] through the tables into a fresh [N, C, H, W] gradient. */
    @Override
    default Tensor resampleBackward(Tensor g, Table ah, Table aw) {
        int planes = g.size(0) * g.size(1);
        Tensor gc = g.isContiguous() ? g : g.contiguous();
        float[] gd = gc.storage();
        int go = gc.storageOffset();
        int hin = ah.in(), wout = aw.out();
        int ip = hin * aw.in(), op = ah.out() * wout;
        float[] gi = new float[planes * ip];
        boolean[] used = ah.isLinear() ? usedRows(ah) : null;
        Parallel.forRange(planes, minChunk(op), (s, e) -> {
            float[] rows = ah.isLinear() ? new float[hin * wout] : null; // gradient of the W-resampled rows
            for (int p = s; p < e; p++) {
                if (ah.isLinear()) linearPlaneBackward(gd, go + p * op, gi, p * ip, ah, aw, rows, used);
                else nearestPlaneBackward(gd, go + p * op, gi, p * ip, ah, aw);
            }
        });
        return wrap(gi, g.size(0), g.size(1), ah.in(), aw.in());
    }

    private static void nearestPlaneBackward(float[] g, int go, float[] gi, int io, Table ah, Table aw) {
        int win = aw.in(), wout = aw.out();
        int[] sh = ah.i0(), sw = aw.i0();
        for (int oh = 0; oh < sh.length; oh++) {
            int src = io + sh[oh] * win, row = go + oh * wout;
            for (int ow = 0; ow < wout; ow++) gi[src + sw[ow]] += g[row + ow];
        }
    }

    /** The forward's two passes transposed: output rows into the resampled rows (a0, a1), then those into the input (b0, b1). */
    private static void linearPlaneBackward(float[] g, int go, float[] gi, int io, Table ah, Table aw, float[] rows, boolean[] used) {
        int win = aw.in(), wout = aw.out();
        java.util.Arrays.fill(rows, 0f);
        for (int oh = 0; oh < ah.out(); oh++) {
            int row = go + oh * wout;
            accumulate(rows, ah.i0()[oh] * wout, g, row, ah.w0()[oh], wout);
            float a1 = ah.w1()[oh];
            if (a1 != 0f) accumulate(rows, ah.i1()[oh] * wout, g, row, a1, wout);
        }
        int[] j0 = aw.i0(), j1 = aw.i1();
        float[] b0 = aw.w0(), b1 = aw.w1();
        for (int h = 0; h < ah.in(); h++) {
            if (!used[h]) continue;
            int src = h * wout, dst = io + h * win;
            for (int ow = 0; ow < wout; ow++) {
                float v = rows[src + ow];
                gi[dst + j0[ow]] += b0[ow] * v;
                gi[dst + j1[ow]] += b1[ow] * v;
            }
        }
    }

    private static void accumulate(float[] acc, int ao, float[] g, int go, float a, int n) {
        for (int k = 0; k < n; k++) acc[ao + k] += a * g[go + k];
    }
}
