package dev.lamina.backend.cpu;

import dev.lamina.backend.PoolOps;
import dev.lamina.kernels.MaxRows;
import dev.lamina.kernels.Parallel;
import dev.lamina.kernels.Reductions;
import dev.lamina.tensor.Buffers;
import dev.lamina.tensor.Tensor;

import java.util.Arrays;

/**
 * The CPU's pooling kernels: work split over the N·C planes with {@link Parallel#forRange}; max pooling takes
 * PyTorch's CPU loop (NaN propagates, first maximum wins), with an unrolled 2×2 stride-2 kernel and, for inference,
 * a separable pass that keeps no indices.
 */
public interface CpuPoolOps extends PoolOps {
    /** Planes per chunk: work below about 2^14 input elements is not worth a hand-off to another thread. */
    private static int minChunk(int planeSize) {
        return Math.max(1, (1 << 14) / Math.max(1, planeSize));
    }

    private static Tensor dense(Tensor x) {
        return x.isContiguous() ? x : x.contiguous();
    }

    // ------------------------------------------------------------------------------------------------ max

    @Override
    default Pooled maxPool2d(Tensor x, Geometry w) {
        Tensor xc = dense(x);
        int n = x.size(0), c = x.size(1), oh = w.oh(), ow = w.ow(), h = w.h(), wd = w.w(), hw = h * wd, ohw = oh * ow, planes = n * c;
        float[] xd = xc.storage();
        int xo = xc.storageOffset();
        float[] y = new float[planes * ohw];
        float[] argmax = new float[planes * ohw]; // flat h*W+w in the plane, -1 for an empty window
        boolean fused = w.isFused2x2(); // ceil_mode may add clipped windows
        Parallel.forRange(planes, minChunk(hw), (s, e) -> {
            for (int p = s; p < e; p++) {
                if (fused) max2x2Plane(xd, xo + p * hw, wd, y, argmax, p * ohw, oh, ow);
                else maxPlane(xd, xo + p * hw, h, wd, y, argmax, p * ohw, oh, ow, w);
            }
        });
        return new Pooled(wrap(y, n, c, oh, ow), wrap(argmax, n, c, oh, ow));
    }

    /**
     * A separable pass that keeps no indices (the unrolled 2×2 kernel, indices included, is faster on its windows):
     * per output row the column-wise maximum of its window's rows (vectorised), then each window's maximum along
     * that row. The values equal {@link #maxPool2d}'s except that a maximum of zeros that are equal in value may
     * come out as +0 where the sequential scan would keep the first −0 (NaN wins either way).
     */
    @Override
    default Tensor maxPool2dValues(Tensor x, Geometry w) {
        Tensor xc = dense(x);
        int n = x.size(0), c = x.size(1), oh = w.oh(), ow = w.ow(), h = w.h(), wd = w.w(), hw = h * wd, ohw = oh * ow, planes = n * c;
        float[] xd = xc.storage();
        int xo = xc.storageOffset();
        if (w.isFused2x2()) { // the unrolled 2×2 kernel of maxPool2d without its indices: the same selections
            float[] y = Buffers.uninitialized(planes * ohw);
            Parallel.forRange(planes, minChunk(hw), (s, e) -> {
                for (int p = s; p < e; p++) {
                    for (int i = 0; i < oh; i++) max2x2RowValues(xd, xo + p * hw + 2 * i * wd, wd, y, p * ohw + i * ow, ow);
                }
            });
            return wrap(y, n, c, oh, ow);
        }
        if (w.kh() == 2 && w.kw() == 2 && w.sh() == 2 && w.sw() == 2 && w.ph() == 0 && w.pw() == 0 && w.dh() == 1 && w.dw() == 1) {
            return maxPool2d(x, w).output(); // ceil mode's clipped windows
        }
        float[] y = Buffers.uninitialized(planes * ohw); // every output is written
        // one output row's window columns, padding included: input column c at pw + c, −∞ in the padding
        int padded = Math.max(w.pw() + wd, (ow - 1) * w.sw() + w.effW()) + MaxRows.SLACK;
        Parallel.forRange(planes, minChunk(hw), (s, e) -> {
            float[] row = new float[padded];
            Arrays.fill(row, Float.NEGATIVE_INFINITY);
            for (int p = s; p < e; p++) separableMaxPlane(xd, xo + p * hw, h, wd, y, p * ohw, oh, ow, w, row);
        });
        return wrap(y, n, c, oh, ow);
    }

    /**
     * Per output row: the column-wise maximum of its window's rows into {@code row} (at the padding offset; the
     * padding columns stay −∞), then each window's maximum along it ({@link MaxRows#windowMax} when undilated).
     */
    private static void separableMaxPlane(float[] x, int xo, int h, int wd, float[] y, int yo, int oh, int ow, Geometry w, float[] row) {
        int pw = w.pw();
        for (int i = 0; i < oh; i++) {
            int hs = i * w.sh() - w.ph(), he = Math.min(hs + w.effH(), h);
            while (hs < 0) hs += w.dh();
            if (hs < he) System.arraycopy(x, xo + hs * wd, row, pw, wd);
            else Arrays.fill(row, pw, pw + wd, Float.NEGATIVE_INFINITY);
            for (int r = hs + w.dh(); r < he; r += w.dh()) MaxRows.maxInto(x, xo + r * wd, row, pw, wd);
            if (w.dw() == 1) {
                MaxRows.windowMax(row, ow, w.sw(), w.kw(), y, yo + i * ow);
                continue;
            }
            for (int j = 0; j < ow; j++) {
                int ws = j * w.sw() - pw, we = Math.min(ws + w.effW(), wd);
                while (ws < 0) ws += w.dw();
                float m = Float.NEGATIVE_INFINITY;
                for (int c = ws; c < we; c += w.dw()) m = Math.max(m, row[pw + c]);
                y[yo + i * ow + j] = m;
            }
        }
    }

    /** One plane, any window: PyTorch's loop (start moved past the padding by whole dilation steps). */
    private static void maxPlane(float[] x, int xo, int h, int wd, float[] y, float[] idx, int yo, int oh, int ow, Geometry w) {
        int sh = w.sh(), sw = w.sw(), ph = w.ph(), pw = w.pw(), dh = w.dh(), dw = w.dw(), effH = w.effH(), effW = w.effW();
        for (int i = 0; i < oh; i++) {
            int hs = i * sh - ph, he = Math.min(hs + effH, h);
            while (hs < 0) hs += dh;
            for (int j = 0; j < ow; j++) {
                int ws = j * sw - pw, we = Math.min(ws + effW, wd);
                while (ws < 0) ws += dw;
                float m = Float.NEGATIVE_INFINITY;
                int mi = hs < he && ws < we ? hs * wd + ws : -1;
                for (int r = hs; r < he; r += dh) {
                    int row = xo + r * wd;
                    for (int c = ws; c < we; c += dw) {
                        float v = x[row + c];
                        boolean take = v > m || v != v;
                        m = take ? v : m;
                        mi = take ? r * wd + c : mi;
                    }
                }
                y[yo + i * ow + j] = m;
                idx[yo + i * ow + j] = mi;
            }
        }
    }

    /**
     * The common 2x2, stride 2, no padding case, unrolled as a tree: the max of each row pair, then of the two
     * pairs. Same result as the sequential scan (first maximum wins; a NaN wins, the last NaN of the window), with
     * non-short-circuit compares so the JIT emits conditional moves rather than data-dependent branches.
     */
    private static void max2x2Plane(float[] x, int xo, int wd, float[] y, float[] idx, int yo, int oh, int ow) {
        for (int i = 0; i < oh; i++) {
            max2x2Row(x, xo + 2 * i * wd, wd, y, idx, yo + i * ow, ow, 2 * i * wd);
        }
    }

    private static void max2x2Row(float[] x, int r0, int wd, float[] y, float[] idx, int o, int ow, int base) {
        // Compares become 0/1 ints and the chosen element is re-read through its index: no data-dependent
        // branches (the ternary form compiled to branches and ran ~4x slower on random data).
        int r1 = r0 + wd;
        for (int j = 0; j < ow; j++) {
            int c = 2 * j;
            float a = x[r0 + c], b = x[r0 + c + 1], d0 = x[r1 + c], d1 = x[r1 + c + 1];
            int t1 = (b > a | b != b) ? 1 : 0;
            int t2 = (d1 > d0 | d1 != d1) ? 1 : 0;
            float m1 = x[r0 + c + t1], m2 = x[r1 + c + t2];
            int t = (m2 > m1 | m2 != m2) ? 1 : 0;
            int k = c + t1 + t * (wd + t2 - t1);
            y[o + j] = x[r0 + k];
            idx[o + j] = base + k;
        }
    }

    /** {@link #max2x2Row}'s selections, values only. */
    private static void max2x2RowValues(float[] x, int r0, int wd, float[] y, int o, int ow) {
        int r1 = r0 + wd;
        for (int j = 0; j < ow; j++) {
            int c = 2 * j;
            float a = x[r0 + c], b = x[r0 + c + 1], d0 = x[r1 + c], d1 = x[r1 + c + 1];
            int t1 = (b > a | b != b) ? 1 : 0;
            int t2 = (d1 > d0 | d1 != d1) ? 1 : 0;
            float m1 = x[r0 + c + t1], m2 = x[r1 + c + t2];
            int t = (m2 > m1 | m2 != m2) ? 1 : 0;
            y[o + j] = x[r0 + c + t1 + t * (wd + t2 - t1)];
        }
    }

    /** Each output gradient goes to its arg-max input (accumulating where windows overlap). */
    @Override
    default Tensor maxPoolBackward(Tensor g, Tensor indices, int[] shape) {
        int planes = shape[0] * shape[1], hw = 1;
        for (int d = 2; d < shape.length; d++) hw *= shape[d];
        int ohw = g.numel() / Math.max(1, planes);
        Tensor gc = dense(g), ic = dense(indices);
        float[] gd = gc.storage(), argmax = ic.storage();
        int go = gc.storageOffset(), io = ic.storageOffset(), fhw = hw;
        float[] gi = new float[planes * hw];
        Parallel.forRange(planes, minChunk(hw), (s, e) -> {
            for (int p = s; p < e; p++) {
                int ib = p * fhw, ob = p * ohw;
                for (int o = 0; o < ohw; o++) {
                    int a = (int) argmax[io + ob + o];
                    if (a >= 0) gi[ib + a] += gd[go + ob + o];
                }
            }
        });
        return wrap(gi, shape);
    }

    // ------------------------------------------------------------------------------------------------ average

    /** Clipped window bounds hs, he, ws, we and 1/divisor per output of an average pool (shared by every plane). */
    record AvgTables(int[] hs, int[] he, int[] ws, int[] we, float[] inv) {}

    private static AvgTables avgTables(Geometry w, boolean countIncludePad) {
        int oh = w.oh(), ow = w.ow(), h = w.h(), wd = w.w();
        int[] hs = new int[oh], he = new int[oh], ws = new int[ow], we = new int[ow];
        float[] inv = new float[oh * ow];
        for (int i = 0; i < oh; i++) {
            int s = i * w.sh() - w.ph(), e = Math.min(s + w.kh(), h + w.ph()), full = e - s;
            hs[i] = Math.max(s, 0);
            he[i] = Math.min(e, h);
            for (int j = 0; j < ow; j++) {
                int s2 = j * w.sw() - w.pw(), e2 = Math.min(s2 + w.kw(), wd + w.pw()), full2 = e2 - s2;
                ws[j] = Math.max(s2, 0);
                we[j] = Math.min(e2, wd);
                int count = countIncludePad ? full * full2 : (he[i] - hs[i]) * (we[j] - ws[j]);
                inv[i * ow + j] = he[i] <= hs[i] || we[j] <= ws[j] || count <= 0 ? 0f : 1f / count;
            }
        }
        return new AvgTables(hs, he, ws, we, inv);
    }

    private static AvgTables adaptiveTables(int h, int wd, int oh, int ow) {
        int[] hs = new int[oh], he = new int[oh], ws = new int[ow], we = new int[ow];
        for (int i = 0; i < oh; i++) { hs[i] = PoolOps.binStart(i, h, oh); he[i] = PoolOps.binEnd(i, h, oh); }
        for (int j = 0; j < ow; j++) { ws[j] = PoolOps.binStart(j, wd, ow); we[j] = PoolOps.binEnd(j, wd, ow); }
        float[] inv = new float[oh * ow];
        for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++) inv[i * ow + j] = 1f / ((he[i] - hs[i]) * (we[j] - ws[j]));
        return new AvgTables(hs, he, ws, we, inv);
    }

    @Override
    default Tensor avgPool2d(Tensor x, Geometry w, boolean countIncludePad) {
        return meanOverWindows(x, w.h(), w.w(), w.oh(), w.ow(), avgTables(w, countIncludePad));
    }

    @Override
    default Tensor avgPool2dBackward(Tensor gy, Geometry w, boolean countIncludePad) {
        return spreadBackward(gy, w.h(), w.w(), avgTables(w, countIncludePad));
    }

    @Override
    default Tensor adaptiveAvgPool2d(Tensor x, int oh, int ow) {
        return meanOverWindows(x, x.size(2), x.size(3), oh, ow, adaptiveTables(x.size(2), x.size(3), oh, ow));
    }

    @Override
    default Tensor adaptiveAvgPool2dBackward(Tensor gy, int h, int w) {
        return spreadBackward(gy, h, w, adaptiveTables(h, w, gy.size(2), gy.size(3)));
    }

    private Tensor meanOverWindows(Tensor x, int h, int wd, int oh, int ow, AvgTables t) {
        Tensor xc = dense(x);
        int n = x.size(0), c = x.size(1), hw = h * wd, ohw = oh * ow, planes = n * c;
        float[] xd = xc.storage();
        int xo = xc.storageOffset();
        float[] y = new float[planes * ohw];
        Parallel.forRange(planes, minChunk(hw), (s, e) -> {
            for (int p = s; p < e; p++) avgPlane(xd, xo + p * hw, wd, y, p * ohw, oh, ow, t.hs, t.he, t.ws, t.we, t.inv);
        });
        return wrap(y, n, c, oh, ow);
    }

    /** Mean over rectangular windows [hs, he) x [ws, we) scaled by inv (average and adaptive average pools). */
    private static void avgPlane(float[] x, int xo, int wd, float[] y, int yo, int oh, int ow,
                                 int[] hs, int[] he, int[] ws, int[] we, float[] inv) {
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                float sum = 0f;
                for (int r = hs[i]; r < he[i]; r++) {
                    int row = xo + r * wd;
                    for (int c = ws[j]; c < we[j]; c++) sum += x[row + c];
                }
                y[yo + i * ow + j] = sum * inv[i * ow + j];
            }
        }
    }

    /** Backward of {@link #avgPlane}: each output gradient times inv spread over its window. */
    private Tensor spreadBackward(Tensor g, int h, int wd, AvgTables t) {
        int n = g.size(0), c = g.size(1), oh = g.size(2), ow = g.size(3), planes = n * c;
        int[] hs = t.hs, he = t.he, ws = t.ws, we = t.we;
        float[] inv = t.inv;
        Tensor gc = dense(g);
        float[] gd = gc.storage();
        int go = gc.storageOffset(), hw = h * wd, ohw = oh * ow;
        float[] gi = new float[planes * hw];
        Parallel.forRange(planes, minChunk(hw), (s, e) -> {
            for (int p = s; p < e; p++) {
                int ib = p * hw, ob = go + p * ohw;
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        float v = gd[ob + i * ow + j] * inv[i * ow + j];
                        for (int r = hs[i]; r < he[i]; r++) {
                            int row = ib + r * wd;
                            for (int cc = ws[j]; cc < we[j]; cc++) gi[row + cc] += v;
                        }
                    }
                }
            }
        });
        return wrap(gi, n, c, h, wd);
    }

    // ------------------------------------------------------------------------------------------------ adaptive max

    @Override
    default Pooled adaptiveMaxPool2d(Tensor x, int oh, int ow) {
        Tensor xc = dense(x);
        int n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3), hw = h * wd, ohw = oh * ow, planes = n * c;
        float[] xd = xc.storage();
        int xo = xc.storageOffset();
        float[] y = new float[planes * ohw];
        float[] argmax = new float[planes * ohw];
        Parallel.forRange(planes, minChunk(hw), (s, e) -> {
            for (int p = s; p < e; p++) {
                int xb = xo + p * hw, yb = p * ohw;
                for (int i = 0; i < oh; i++) {
                    int hs = PoolOps.binStart(i, h, oh), he = PoolOps.binEnd(i, h, oh);
                    for (int j = 0; j < ow; j++) {
                        int ws = PoolOps.binStart(j, wd, ow), we = PoolOps.binEnd(j, wd, ow);
                        float m = Float.NEGATIVE_INFINITY;
                        int mi = hs * wd + ws;
                        for (int r = hs; r < he; r++) {
                            for (int cc = ws; cc < we; cc++) {
                                float v = xd[xb + r * wd + cc];
                                if (v > m || v != v) {
                                    m = v;
                                    mi = r * wd + cc;
                                }
                            }
                        }
                        y[yb + i * ow + j] = m;
                        argmax[yb + i * ow + j] = mi;
                    }
                }
            }
        });
        return new Pooled(wrap(y, n, c, oh, ow), wrap(argmax, n, c, oh, ow));
    }

    // ------------------------------------------------------------------------------------------------ global

    @Override
    default Tensor globalAvgPool(Tensor x) {
        Tensor xc = dense(x);
        int s = x.size(2), planes = x.size(0) * x.size(1);
        float[] xd = xc.storage();
        int xo = xc.storageOffset();
        float[] y = new float[planes];
        Parallel.forRange(planes, minChunk(s), (a, b) -> {
            for (int p = a; p < b; p++) y[p] = (float) (Reductions.sum(xd, xo + p * s, s) / s);
        });
        return wrap(y, x.size(0), x.size(1));
    }

    @Override
    default Tensor globalAvgPoolBackward(Tensor g, int s) {
        Tensor gc = dense(g);
        float[] gd = gc.storage();
        int go = gc.storageOffset(), planes = g.size(0) * g.size(1);
        float[] gi = new float[planes * s];
        float inv = 1f / s;
        Parallel.forRange(planes, minChunk(s), (a, b) -> {
            for (int p = a; p < b; p++) Arrays.fill(gi, p * s, (p + 1) * s, gd[go + p] * inv);
        });
        return wrap(gi, g.size(0), g.size(1), s);
    }

    @Override
    default Pooled globalMaxPool(Tensor x) {
        Tensor xc = dense(x);
        int s = x.size(2), planes = x.size(0) * x.size(1);
        float[] xd = xc.storage();
        int xo = xc.storageOffset();
        float[] y = new float[planes], argmax = new float[planes];
        Parallel.forRange(planes, minChunk(s), (a, b) -> {
            for (int p = a; p < b; p++) {
                int base = xo + p * s, mi = 0;
                float m = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < s; i++) {
                    float v = xd[base + i];
                    if (v > m || v != v) {
                        m = v;
                        mi = i;
                    }
                }
                y[p] = m;
                argmax[p] = mi;
            }
        });
        return new Pooled(wrap(y, x.size(0), x.size(1)), wrap(argmax, x.size(0), x.size(1)));
    }
}
