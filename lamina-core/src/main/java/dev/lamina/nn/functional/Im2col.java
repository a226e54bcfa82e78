package dev.lamina.nn.functional;

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

    /** Kernel geometry shared by both directions. */
    record Geometry(int c, int h, int w, int kh, int kw, int sh, int sw, int pt, int pl, int dh, int dw, int oh, int ow) {
        int rows() {
            return c * kh * kw;
        }

        int cols() {
            return oh * ow;
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

    /** image at imgOff += columns col[c·kh·kw, oh·ow] at colOff scattered back (padding positions dropped). */
    static void col2im(Geometry g, float[] col, int colOff, float[] img, int imgOff) {
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
