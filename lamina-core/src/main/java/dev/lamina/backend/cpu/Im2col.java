package dev.lamina.backend.cpu;

/**
 * The two data movements of convolution as GEMM, for one image of one group. The "image" is {@code [c, h, w]}
 * (contiguous, at an offset); the "grid" is the {@code oh × ow} set of kernel positions; a column matrix is
 * {@code [c·kh·kw, oh·ow]} row-major, row {@code (ci·kh + i)·kw + j} holding image element
 * {@code (ci, y·sh − pt + i·dh, x·sw − pl + j·dw)} at column {@code y·ow + x} (zero where that falls in the padding).
 *
 * <p>{@link #im2col} gathers the columns (convolution forward, and the weight gradient); {@link #col2im} scatters
 * them back, adding overlapping contributions (the input gradient, and transposed convolution forward).
 */
final class Im2col {
    private Im2col() {}

    /** One group's geometry of a convolution: the image is [C/groups, H, W], the grid OH × OW. */
    static Geometry of(dev.lamina.backend.ConvOps.Conv2dGeometry cv) {
        return new Geometry(cv.cg(), cv.h(), cv.w(), cv.kh(), cv.kw(), cv.sh(), cv.sw(), cv.pt(), cv.pl(), cv.dh(), cv.dw(), cv.oh(), cv.ow());
    }

    /** Kernel geometry shared by both directions. */
    record Geometry(int c, int h, int w, int kh, int kw, int sh, int sw, int pt, int pl, int dh, int dw, int oh, int ow) {
        int rows() {
            return c * kh * kw;
        }

        int cols() {
            return oh * ow;
        }

        /**
         * Stride 1 and an output as wide and as high as the input (e.g. 3×3 with padding 1): a column row is the image
         * plane shifted by one flat offset, with zeros at the padding.
         */
        boolean flat() {
            return sh == 1 && sw == 1 && ow == w && oh == h;
        }

        /** The same kernel geometry over {@code channels} input channels (a channel range of the image). */
        Geometry channels(int channels) {
            return new Geometry(channels, h, w, kh, kw, sh, sw, pt, pl, dh, dw, oh, ow);
        }

        /** 1×1 kernel, stride 1, no padding: the columns are the image itself. */
        boolean identity() {
            return kh == 1 && kw == 1 && sh == 1 && sw == 1 && pt == 0 && pl == 0 && oh == h && ow == w;
        }

        /** First grid column x whose input column x·sw − pl + j·dw is ≥ 0. */
        private int xLo(int j) {
            int t = pl - j * dw;
            return t <= 0 ? 0 : Math.min(ow, (t + sw - 1) / sw);
        }

        /** One past the last grid column whose input column is < w. */
        private int xHi(int j) {
            int t = w - 1 + pl - j * dw; // x·sw ≤ t
            return t < 0 ? 0 : Math.min(ow, t / sw + 1);
        }
    }

    /** col[c·kh·kw, oh·ow] at colOff ← columns of image at imgOff. */
    static void im2col(Geometry g, float[] img, int imgOff, float[] col, int colOff) {
        if (g.flat()) im2colFlat(g, img, imgOff, col, colOff);
        else im2colRows(g, img, imgOff, col, colOff);
    }

    /** image at imgOff += columns col[c·kh·kw, oh·ow] at colOff scattered back (padding positions dropped). */
    static void col2im(Geometry g, float[] col, int colOff, float[] img, int imgOff) {
        if (g.flat()) col2imFlat(g, col, colOff, img, imgOff);
        else col2imRows(g, col, colOff, img, imgOff);
    }

    /**
     * {@link #im2col} for a {@link Geometry#flat} geometry: each column row is the image plane shifted by one flat
     * offset, so it is one copy of the rows in range, then zeros at the padding columns (which the flat copy filled
     * from the neighbouring image row) and in the padding rows.
     */
    static void im2colFlat(Geometry g, float[] img, int imgOff, float[] col, int colOff) {
        int hw = g.h * g.w, w = g.w;
        for (int ci = 0; ci < g.c; ci++) {
            int plane = imgOff + ci * hw;
            for (int i = 0; i < g.kh; i++) {
                int dy = i * g.dh - g.pt, yLo = Math.max(0, -dy), yHi = Math.min(g.oh, g.h - dy);
                for (int j = 0; j < g.kw; j++) {
                    int row = colOff + ((ci * g.kh + i) * g.kw + j) * hw;
                    int dx = j * g.dw - g.pl, lo = g.xLo(j), hi = Math.max(lo, g.xHi(j));
                    if (yHi <= yLo || hi <= lo) {
                        java.util.Arrays.fill(col, row, row + hw, 0f);
                        continue;
                    }
                    java.util.Arrays.fill(col, row, row + yLo * w + lo, 0f);
                    int from = yLo * w + lo, to = (yHi - 1) * w + hi;
                    System.arraycopy(img, plane + from + dy * w + dx, col, row + from, to - from);
                    java.util.Arrays.fill(col, row + to, row + hw, 0f);
                    for (int y = yLo; y < yHi; y++) {
                        int r = row + y * w;
                        for (int x = 0; x < lo; x++) col[r + x] = 0f;
                        for (int x = hi; x < w; x++) col[r + x] = 0f;
                    }
                }
            }
        }
    }

    /**
     * {@link #col2im} for a {@link Geometry#flat} geometry: the padding columns of each column row are zeroed (they
     * belong to no image element), then the rows in range are added back as one run. Overwrites those positions of
     * col.
     */
    static void col2imFlat(Geometry g, float[] col, int colOff, float[] img, int imgOff) {
        int hw = g.h * g.w, w = g.w;
        for (int ci = 0; ci < g.c; ci++) {
            int plane = imgOff + ci * hw;
            for (int i = 0; i < g.kh; i++) {
                int dy = i * g.dh - g.pt, yLo = Math.max(0, -dy), yHi = Math.min(g.oh, g.h - dy);
                for (int j = 0; j < g.kw; j++) {
                    int row = colOff + ((ci * g.kh + i) * g.kw + j) * hw;
                    int dx = j * g.dw - g.pl, lo = g.xLo(j), hi = g.xHi(j);
                    if (yHi <= yLo || hi <= lo) continue;
                    for (int y = yLo; y < yHi; y++) {
                        int r = row + y * w;
                        for (int x = 0; x < lo; x++) col[r + x] = 0f;
                        for (int x = hi; x < w; x++) col[r + x] = 0f;
                    }
                    int from = yLo * w + lo, to = (yHi - 1) * w + hi;
                    addRow(img, plane + dy * w + dx, col, row, from, to);
                }
            }
        }
    }

    /** The general im2col: one run per grid row. */
    static void im2colRows(Geometry g, float[] img, int imgOff, float[] col, int colOff) {
        int hw = g.h * g.w, ohw = g.cols();
        for (int ci = 0; ci < g.c; ci++) {
            int plane = imgOff + ci * hw;
            for (int i = 0; i < g.kh; i++) {
                for (int j = 0; j < g.kw; j++) {
                    int row = colOff + ((ci * g.kh + i) * g.kw + j) * ohw;
                    int lo = g.xLo(j), hi = Math.max(lo, g.xHi(j));
                    int dx = j * g.dw - g.pl;
                    for (int y = 0; y < g.oh; y++) {
                        int iy = y * g.sh - g.pt + i * g.dh;
                        int dst = row + y * g.ow;
                        if (iy < 0 || iy >= g.h) {
                            java.util.Arrays.fill(col, dst, dst + g.ow, 0f);
                            continue;
                        }
                        int src = plane + iy * g.w + dx;
                        if (lo > 0) java.util.Arrays.fill(col, dst, dst + lo, 0f);
                        if (g.sw == 1) {
                            System.arraycopy(img, src + lo, col, dst + lo, hi - lo);
                        } else {
                            for (int x = lo; x < hi; x++) col[dst + x] = img[src + x * g.sw];
                        }
                        if (hi < g.ow) java.util.Arrays.fill(col, dst + hi, dst + g.ow, 0f);
                    }
                }
            }
        }
    }

    /** The general col2im: one run per grid row. */
    static void col2imRows(Geometry g, float[] col, int colOff, float[] img, int imgOff) {
        int hw = g.h * g.w, ohw = g.cols();
        for (int ci = 0; ci < g.c; ci++) {
            int plane = imgOff + ci * hw;
            for (int i = 0; i < g.kh; i++) {
                for (int j = 0; j < g.kw; j++) {
                    int row = colOff + ((ci * g.kh + i) * g.kw + j) * ohw;
                    int lo = g.xLo(j), hi = g.xHi(j);
                    if (hi <= lo) continue;
                    int dx = j * g.dw - g.pl;
                    for (int y = 0; y < g.oh; y++) {
                        int iy = y * g.sh - g.pt + i * g.dh;
                        if (iy < 0 || iy >= g.h) continue;
                        int src = row + y * g.ow;
                        int dst = plane + iy * g.w + dx;
                        if (g.sw == 1) {
                            addRow(img, dst, col, src, lo, hi);
                        } else {
                            for (int x = lo; x < hi; x++) img[dst + x * g.sw] += col[src + x];
                        }
                    }
                }
            }
        }
    }

    private static void addRow(float[] img, int dst, float[] col, int src, int lo, int hi) {
        for (int x = lo; x < hi; x++) img[dst + x] += col[src + x];
    }
}
