package dev.lamina.backend.cpu;

import dev.lamina.backend.ConvEpilogue;
import dev.lamina.backend.ConvOps.Conv2dGeometry;
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
    static boolean applies(Conv2dGeometry cv) {
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
    static float[] forward(Conv2dGeometry cv, float[] x, int xo, float[] w, int wo, float[] b, int bo, ConvEpilogue ep) {
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
                if (ep != null) ConvKernels.apply(ep, y, yOff, ohw);
            }
        });
        return y;
    }

    /** Input channels per chunk are chosen so that a chunk holds at least this many output values over the batch. */
    private static final int BACKWARD_GRAIN = 32 * 1024;

    /**
     * The gradients of a depthwise convolution, directly (no im2col, no GEMM per channel). Work is split over input
     * channels; each channel's gradients are summed over the batch, the multiplier's output channels and the taps in
     * a fixed order, so the result does not depend on the thread count.
     *
     * <p>The zero-padded input plane is split into its stride phases ({@code sh·sw} planes; phase (qr, qc) holds the
     * padded positions (r, c) with r % sh = qr and c % sw = qc), and the output gradient is read at the phases' width
     * with zeros past OW. Output (oy, ox) then reads, for tap (ky, kx), position (oy + ky·dh / sh, ox + kx·dw / sw) of
     * phase (ky·dh % sh, kx·dw % sw): every tap touches one phase plane at one offset, so its weight gradient is one
     * long dot product and its share of the input gradient one long multiply-add, both in the vector kernels' reach.
     * The input gradient is accumulated in phase planes the same way and gathered back into the input's layout.
     *
     * @param x  [N, C, H, W] storage from {@code xo}
     * @param gy [N, OC, OH, OW] storage from {@code go}, contiguous
     * @param w  [OC, 1, KH, KW] storage from {@code wo}
     * @return {dx [N, C, H, W] or null, dw [OC, 1, KH, KW] or null}
     */
    static float[][] backward(Conv2dGeometry cv, float[] x, int xo, float[] gy, int go, float[] w, int wo, boolean needX, boolean needW) {
        int c = cv.c(), h = cv.h(), wd = cv.w(), oh = cv.oh(), ow = cv.ow(), ohw = oh * ow, hw = h * wd, multiplier = cv.ocg();
        int sh = cv.sh(), sw = cv.sw(), kw = cv.kw(), taps = cv.kh() * kw;
        int phaseH = (h + cv.pt() + cv.pb() + sh - 1) / sh, phaseW = (wd + cv.pl() + cv.pr() + sw - 1) / sw, phaseSize = phaseH * phaseW;
        int[] tapAt = new int[taps];   // where tap (ky, kx) reads output (0, 0) in the phase planes
        for (int t = 0; t < taps; t++) {
            int row = (t / kw) * cv.dh(), col = (t % kw) * cv.dw();
            tapAt[t] = ((row % sh) * sw + col % sw) * phaseSize + (row / sh) * phaseW + col / sw;
        }
        int[] inputAt = new int[hw];   // where input (r, c) sits in the phase planes
        for (int r = 0; r < h; r++) {
            for (int q = 0; q < wd; q++) {
                int pr = r + cv.pt(), pc = q + cv.pl();
                inputAt[r * wd + q] = ((pr % sh) * sw + pc % sw) * phaseSize + (pr / sh) * phaseW + pc / sw;
            }
        }
        int span = (oh - 1) * phaseW + ow;
        float[] gx = needX ? new float[cv.n() * c * hw] : null;
        float[] gw = needW ? new float[cv.oc() * taps] : null;
        long perChannel = (long) cv.n() * multiplier * ohw;
        Parallel.forRange(c, (int) Math.max(1, BACKWARD_GRAIN / Math.max(1, perChannel)), (c0, c1) -> {
            float[] xp = needW ? new float[sh * sw * phaseSize] : null;   // padding positions stay zero
            float[] gp = needX ? new float[sh * sw * phaseSize] : null;
            float[] ge = new float[oh * phaseW];                           // columns OW.. stay zero
            for (int ci = c0; ci < c1; ci++) {
                for (int img = 0; img < cv.n(); img++) {
                    int plane = (img * c + ci) * hw;
                    if (needW) scatter(x, xo + plane, xp, inputAt, wd, sw);
                    if (needX) java.util.Arrays.fill(gp, 0f);
                    for (int m = 0; m < multiplier; m++) {
                        int o = ci * multiplier + m, gOff = go + (img * cv.oc() + o) * ohw;
                        for (int oy = 0; oy < oh; oy++) System.arraycopy(gy, gOff + oy * ow, ge, oy * phaseW, ow);
                        for (int t = 0; t < taps; t++) {
                            int at = tapAt[t];
                            if (needW) gw[o * taps + t] += SoftmaxKernels.dot(ge, 0, xp, at, span);
                            if (needX) {
                                float wt = w[wo + o * taps + t];
                                for (int i = 0; i < span; i++) gp[at + i] += wt * ge[i];
                            }
                        }
                    }
                    if (needX) for (int i = 0; i < hw; i++) gx[plane + i] = gp[inputAt[i]];
                }
            }
        });
        return new float[][] {gx, gw};
    }

    /** An input plane into its phase planes ({@code at} per element; with stride 1, rows are contiguous there). */
    private static void scatter(float[] x, int xo, float[] phases, int[] at, int w, int sw) {
        if (sw == 1) {
            for (int i = 0; i < at.length; i += w) System.arraycopy(x, xo + i, phases, at[i], w);
        } else {
            for (int i = 0; i < at.length; i++) phases[at[i]] = x[xo + i];
        }
    }

    /** The plane at x[xo] into the padded, phase-split buffer: input (r, c) goes to phase (c + pl) % s, row r + pt. */
    private static void copyPadded(Conv2dGeometry cv, float[] x, int xo, float[] padded, int phaseSize, int phaseW) {
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
