package dev.lamina.backend.cpu;

import dev.lamina.kernels.CpuFeatures;

/**
 * The plane kernels of the fused batch norm → ReLU → 2×2 max pool ({@link CpuNormOps#batchNormReluMaxPool2d_}), with
 * their Vector API bodies in {@link VectorBnReluPool}. The pooling compares the rectified values as ordered int bits
 * ({@link #reluBits}), which needs no branches and vectorizes.
 */
public final class BnReluPoolKernels {
    private BnReluPoolKernels() {}

    /** Bit of a window slot set when the pooled value is positive (ReLU passes the gradient); bits 0–1: row·2 + column. */
    public static final int POSITIVE = 4;

    /**
     * ReLU of the normalized value as ordered int bits: {@code max((x − m)·r·sc + sh, 0)} (batch norm's and
     * ReLU's float operations) with the sign bit cleared, which only changes a NaN's sign. The results are ≥ 0 as
     * ints and order as the floats do, with every NaN above +∞: the pooling compares ints, no float special cases.
     */
    static int reluBits(float x, float m, float r, float sc, float sh) {
        float hv = (x - m) * r;
        return Float.floatToRawIntBits(Math.max(hv * sc + sh, 0f)) & 0x7fffffff;
    }

    /**
     * One plane forward: normalize, ReLU and 2×2-pool plane x[xo..] (h × wd) into out/slot/xm at o. In each window
     * the first maximum in row-major order wins (strict compares, as max pooling), a NaN over any number; the slot
     * holds row·2 + column of the winner plus {@link #POSITIVE} when the maximum is &gt; 0; xm the winner's x. All
     * compares are on ints and become 0/1 values, with no data-dependent branches.
     */
    public static void forwardPlaneScalar(float[] x, int xo, int h, int wd, float m, float r, float sc, float sh,
                                          float[] out, byte[] slot, float[] xm, int o) {
        int oh = h / 2, ow = wd / 2;
        for (int i = 0; i < oh; i++) {
            int r0 = xo + 2 * i * wd, r1 = r0 + wd, oi = o + i * ow;
            for (int j = 0; j < ow; j++) {
                int cc = 2 * j;
                int a = reluBits(x[r0 + cc], m, r, sc, sh), b = reluBits(x[r0 + cc + 1], m, r, sc, sh);
                int d0 = reluBits(x[r1 + cc], m, r, sc, sh), d1 = reluBits(x[r1 + cc + 1], m, r, sc, sh);
                int t1 = (a - b) >>> 31, t2 = (d0 - d1) >>> 31; // b > a, d1 > d0 (no overflow: both ≥ 0)
                int m1 = Math.max(a, b), m2 = Math.max(d0, d1);
                int tt = (m1 - m2) >>> 31; // m2 > m1
                int v = Math.max(m1, m2);
                int positive = ((-v) >>> 31) & ((v - 0x7f800001) >>> 31); // 0 < v ≤ +∞
                int q = tt * 2 + t1 + tt * (t2 - t1);
                out[oi + j] = Float.intBitsToFloat(v);
                slot[oi + j] = (byte) (q + positive * POSITIVE);
                xm[oi + j] = x[r0 + tt * wd + cc + (q & 1)];
            }
        }
    }

    /**
     * One plane of the inference path (running statistics, no gradient wanted): pool first, then normalize and
     * rectify the quarter of the values that remain. The affine map x ↦ (x − m)·r·sc + sh is monotonic in float
     * arithmetic (each rounding step is), non-decreasing for sc ≥ 0 and non-increasing for sc &lt; 0, so the window's
     * maximum after it is its value at the window's maximum (or minimum) x: the same float as normalizing all four
     * values first. A NaN in the window gives NaN, as in the training path. {@code corner[q]} is the offset in the
     * plane of output q's window's top-left element ({@link #windowCorners}).
     */
    static void inferencePlane(float[] x, int xo, int wd, int[] corner, float m, float r, float sc, float sh, float[] out, int o) {
        boolean up = !(sc < 0f);
        int q = CpuFeatures.VECTOR ? VectorBnReluPool.inferencePlane(x, xo, wd, corner, m, r, sc, sh, up, out, o) : 0;
        for (; q < corner.length; q++) {
            int a = xo + corner[q], d = a + wd;
            float e = up ? Math.max(Math.max(x[a], x[a + 1]), Math.max(x[d], x[d + 1]))
                         : Math.min(Math.min(x[a], x[a + 1]), Math.min(x[d], x[d + 1]));
            out[o + q] = Math.max((e - m) * r * sc + sh, 0f);
        }
    }

    /** Offset of each 2×2 window's top-left element in a plane of width wd, for the oh × ow outputs in row-major order. */
    static int[] windowCorners(int oh, int ow, int wd) {
        int[] corner = new int[oh * ow];
        for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++) corner[i * ow + j] = 2 * i * wd + 2 * j;
        return corner;
    }

    /** g where slot q has the POSITIVE bit, else +0 (bit masking: no data-dependent branch). */
    static float masked(float g, int q) {
        return Float.intBitsToFloat(Float.floatToRawIntBits(g) & -((q >> 2) & 1));
    }

    /** gx = scale·(gy − m1 − ((x − m)·r)·m2) over one plane (batch norm's float operations). */
    static void inputGrad(float[] gy, float[] x, int xp, float[] gx, int gxp, int s, float scale, float m1, float m2, float m, float r) {
        int k = CpuFeatures.VECTOR ? VectorBnReluPool.inputGrad(gy, x, xp, gx, gxp, s, scale, m1, m2, m, r) : 0;
        for (; k < s; k++) gx[gxp + k] = scale * (gy[k] - m1 - ((x[xp + k] - m) * r) * m2);
    }
}
