package dev.lamina.nn.functional;

import dev.lamina.kernels.DepthwiseRows;
import dev.lamina.kernels.Parallel;

/**
 * Direct depthwise convolution: every group has one input channel ({@code groups == C}, OC = C·multiplier), as in
 * MobileNet, EfficientNet and ConvNeXt. Im2col would build KH·KW column rows per channel for a one-row GEMM; here each
 * input plane is copied once into a zero-padded buffer (for a stride s above 1, split into its s column phases, so
 * that phase q holds the padded columns q, q + s, ...), after which every tap of every output row is a contiguous run
 * and each output element is accumulated from all its taps in a register ({@link DepthwiseRows}) and stored once.
 * Output planes are split over the worker threads; each plane is computed by one thread in a fixed order, so the
 * result does not depend on the thread count. The epilogue is applied to each plane as soon as it is done.
 */
final class DepthwiseConv {
    private DepthwiseConv() {}

    /** Depthwise when each group convolves one input channel. */
    static boolean applies(ConvOp.Conv cv) {
        return cv.groups() > 1 && cv.cg() == 1;
    }

    /** Output values below which a chunk of planes stays on one thread. */
    private static final int GRAIN = 16 * 1024;

    /**
     * @param x [N, C, H, W] storage from {@code xo}
     * @param w [OC, 1, KH, KW] storage from {@code wo}
     * @param b [OC] from {@code bo}, or null
     * @param ep applied to each output plane, or null
     * @return y [N, OC, OH, OW]
     */
    static float[] forward(ConvOp.Conv cv, float[] x, int xo, float[] w, int wo, float[] b, int bo, ConvEpilogue ep) {
        int oh = cv.oh(), ow = cv.ow(), ohw = oh * ow, hw = cv.h() * cv.w(), planes = cv.n() * cv.oc(), multiplier = cv.ocg();
        int s = cv.sw(), ph = cv.h() + cv.pt() + cv.pb(), pw = cv.w() + cv.pl() + cv.pr(), phaseW = (pw + s - 1) / s;
        int phaseSize = ph * phaseW, taps = cv.kh() * cv.kw();
        int[] tap = new int[taps]; // offset of tap (ky, kx) from the start of output row oy's first input row
        for (int ky = 0; ky < cv.kh(); ky++) {
            for (int kx = 0; kx < cv.kw(); kx++) {
                int col = kx * cv.dw(); // padded column of output column ox: ox·s + col = (ox + col / s)·s + col % s
                tap[ky * cv.kw() + kx] = (col % s) * phaseSize + ky * cv.dh() * phaseW + col / s;
            }
        }
        float[] y = dev.lamina.tensor.Buffers.uninitialized(planes * ohw); // every row is written by DepthwiseRows.row
        Parallel.forRange(planes, Math.max(1, GRAIN / Math.max(1, ohw)), (p0, p1) -> {
            float[] padded = new float[s * phaseSize + DepthwiseRows.SLACK]; // borders stay zero: only the interior is written
            for (int p = p0; p < p1; p++) {
                int img = p / cv.oc(), o = p % cv.oc();
                if (p == p0 || o % multiplier == 0) { // consecutive output channels of one input channel share its copy
                    copyPadded(cv, x, xo + (img * cv.c() + o / multiplier) * hw, padded, phaseSize, phaseW);
                }
                float bias = b == null ? 0f : b[bo + o];
                int wOff = wo + o * taps, yOff = p * ohw;
                for (int oy = 0; oy < oh; oy++) {
                    DepthwiseRows.row(padded, oy * cv.sh() * phaseW, tap, w, wOff, bias, y, yOff + oy * ow, ow);
                }
                if (ep != null) ep.apply(y, yOff, ohw);
            }
        });
        return y;
    }

    /** The plane at x[xo] into the padded, phase-split buffer: input (r, c) goes to phase (c + pl) % s, row r + pt. */
    private static void copyPadded(ConvOp.Conv cv, float[] x, int xo, float[] padded, int phaseSize, int phaseW) {
        int s = cv.sw(), h = cv.h(), w = cv.w(), pt = cv.pt(), pl = cv.pl();
        for (int r = 0; r < h; r++) {
            int src = xo + r * w;
            if (s == 1) {
                System.arraycopy(x, src, padded, (r + pt) * phaseW + pl, w);
                continue;
            }
            if (s == 2) { // padded column c + pl: phase (c + pl) % 2, index (c + pl) / 2
                int row = (r + pt) * phaseW;
                int first = pl % 2; // phase of input column 0
                int lead = pl / 2;  // index of input column 0 in its phase
                // input columns 0, 2, 4, ... go to phase `first` from index lead; 1, 3, 5, ... to the other phase
                DepthwiseRows.deinterleave2(x, src, w, padded, first * phaseSize + row + lead, (1 - first) * phaseSize + row + (pl + 1) / 2);
                continue;
            }
            for (int q = 0; q < s; q++) {
                int first = Math.floorMod(q - pl, s); // first input column whose padded column is in phase q
                int dst = q * phaseSize + (r + pt) * phaseW + (first + pl) / s;
                for (int c = first; c < w; c += s) padded[dst++] = x[src + c];
            }
        }
    }
}
