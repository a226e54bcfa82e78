package dev.lamina.nn.functional;

import dev.lamina.kernels.CpuFeatures;
import dev.lamina.kernels.Parallel;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * {@code max_pool2d(relu(batch_norm(x)), 2, 2)} over NCHW input as one op: the sequence a CNN block ends with
 * (BatchNorm2d → ReLU → MaxPool2d(2)), which {@code Sequential} runs through here. Unfused, the three layers write
 * and re-read the full-size normalized and rectified activations forward and three full-size gradients backward;
 * fused, forward reads x for the statistics and once more to normalize, rectify and pool it plane by plane (in an
 * L1-sized scratch plane), writing only the pooled output; backward writes only the input gradient.
 *
 * <p>Forward values are bit-identical to the three layers run one after another: the statistics come from the
 * same code as {@link BatchNormOp} ({@link BatchNormOp#spatialStats}), each element is normalized with the same
 * float operations and rectified with {@code Math.max(y, 0)}, and the 2×2 maximum follows {@link PoolOps}' rule
 * (the first maximum in row-major order wins; a NaN wins). The pooling compares the rectified values as ordered
 * int bits ({@link #reluBits}), which needs no branches and vectorizes. Backward gives the same gradients up to
 * float rounding (the per-channel sums Σgy and Σgy·x̂ run over the pooled outputs only, where the unfused backward
 * also adds the zeros in between): the pooled gradient reaches the winning element where the pooled value is
 * positive, which is what ReLU's backward (passes where its output is &gt; 0) after max-pool's (to the arg-max)
 * gives.
 *
 * <p>Cached for backward (named in {@link Saved}): the per-channel mean and invStd; per output one byte (the
 * window slot of the maximum and whether it is positive, ReLU's mask) and the input value x at the maximum (for
 * Σgy·x̂ without touching the rest of x); and x itself (x̂ is recomputed from it for the input gradient, as
 * BatchNormOp does). Work is split over channels; each channel's sums run in a fixed order, so results do not
 * depend on the thread count. Odd H or W: the last row or column is in no window (floor mode), as MaxPool2d(2).
 */
public final class BatchNormReluPoolOp {
    private BatchNormReluPoolOp() {}

    /** Bit of a window slot set when the pooled value is positive (ReLU passes the gradient); bits 0–1: row·2 + column. */
    static final int POSITIVE = 4;
    private static final int LANES = CpuFeatures.VECTOR ? VectorBnReluPool.L : 1;

    /** What backward needs: per-channel mean and invStd; per output its arg-max window slot with ReLU's mask bit, and x there. */
    private record Saved(float[] mean, float[] invStd, byte[] slot, float[] xAtMax, boolean batchStats) {}

    /** Whether the fused op computes {@code maxPool(relu(batchNorm(x)))} for this pooling window and input. */
    public static boolean applies(PoolOps.Window window, Tensor x) {
        return window.isFused2x2() && !window.oneD() && x.dim() == 4 && x.size(2) >= 2 && x.size(3) >= 2
                && window.outH(x.size(2)) == x.size(2) / 2 && window.outW(x.size(3)) == x.size(3) / 2;
    }

    /**
     * Arguments as {@link BatchNormOp#batchNorm}; x must be [N, C, H, W] with H, W ≥ 2.
     *
     * @return [N, C, H/2, W/2]
     */
    public static Tensor forward(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                 boolean training, double momentum, double eps) {
        if (x.dim() != 4 || x.size(2) < 2 || x.size(3) < 2) {
            throw new ShapeException("batch_norm_relu_max_pool2d: expected input [N, C, H, W] with H, W ≥ 2, got " + Shape.str(x.shape()));
        }
        int n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3), s = h * wd, oh = h / 2, ow = wd / 2, os = oh * ow;
        if (training && (long) n * s <= 1) throw new ShapeException("batch_norm: expected more than 1 value per channel when training, got input of shape " + Shape.str(x.shape()));
        if (!training && runningMean == null) throw new IllegalArgumentException("batch_norm: evaluation mode needs running_mean and running_var");
        Tensor xc = x.contiguous();
        Tensor w = weight == null ? null : weight.contiguous(), b = bias == null ? null : bias.contiguous();
        float[] xd = xc.storage();
        int xo = xc.storageOffset();
        float[] wdat = w == null ? null : w.storage(), bdat = b == null ? null : b.storage();
        int wo = w == null ? 0 : w.storageOffset(), bo = b == null ? 0 : b.storageOffset();
        float[] mean = new float[c], invStd = new float[c], out = new float[n * c * os];
        float[] rm = runningMean == null ? null : runningMean.storage(), rv = runningVar == null ? null : runningVar.storage();
        int rmo = runningMean == null ? 0 : runningMean.storageOffset(), rvo = runningVar == null ? 0 : runningVar.storageOffset();
        if (!training) {
            for (int ch = 0; ch < c; ch++) {
                mean[ch] = rm[rmo + ch];
                invStd[ch] = (float) (1 / Math.sqrt(rv[rvo + ch] + eps));
            }
        }
        if (!training && !Tensor.gradWanted(xc, w, b)) {
            int[] corner = windowCorners(oh, ow, wd);
            Parallel.forRange(n * c, Math.max(1, INFERENCE_GRAIN / s), (p0, p1) -> {
                for (int p = p0; p < p1; p++) {
                    int ch = p % c;
                    inferencePlane(xd, xo + p * s, wd, corner, mean[ch], invStd[ch], wdat == null ? 1f : wdat[wo + ch], bdat == null ? 0f : bdat[bo + ch], out, p * os);
                }
            });
            return Tensor.of(out, n, c, oh, ow);
        }
        byte[] slot = new byte[n * c * os];
        float[] xm = new float[n * c * os];
        Parallel.forRange(c, BatchNormOp.minChunk(n, s), (c0, c1) -> {
            if (training) BatchNormOp.spatialStats(xd, xo, n, c, s, c0, c1, mean, invStd, rm, rmo, rv, rvo, momentum, eps);
            int[] bits = new int[s + 2 * LANES], pv = new int[wd + LANES], pq = new int[wd + LANES];
            for (int i = 0; i < n; i++) {
                for (int ch = c0; ch < c1; ch++) {
                    float m = mean[ch], r = invStd[ch];
                    float sc = wdat == null ? 1f : wdat[wo + ch], sh = bdat == null ? 0f : bdat[bo + ch];
                    int xp = xo + (i * c + ch) * s, o = (i * c + ch) * os;
                    if (CpuFeatures.VECTOR) VectorBnReluPool.forwardPlane(xd, xp, h, wd, m, r, sc, sh, out, slot, xm, o, bits, pv, pq);
                    else forwardPlaneScalar(xd, xp, h, wd, m, r, sc, sh, out, slot, xm, o);
                }
            }
        });
        Saved saved = new Saved(mean, invStd, slot, xm, training);
        return Tensor.fromOp("batch_norm_relu_max_pool2d", Tensor.of(out, n, c, oh, ow),
                g -> backward(g.contiguous(), saved, xc, w, b, n, c, h, wd), xc, w, b);
    }

    /**
     * ReLU of the normalized value as ordered int bits: {@code max((x − m)·r·sc + sh, 0)} (BatchNormOp's and
     * ReLU's float operations) with the sign bit cleared, which only changes a NaN's sign. The results are ≥ 0 as
     * ints and order as the floats do, with every NaN above +∞: the pooling compares ints, no float special cases.
     */
    static int reluBits(float x, float m, float r, float sc, float sh) {
        float hv = (x - m) * r;
        return Float.floatToRawIntBits(Math.max(hv * sc + sh, 0f)) & 0x7fffffff;
    }

    /**
     * One plane forward: normalize, ReLU and 2×2-pool plane x[xo..] (h × wd) into out/slot/xm at o. In each window
     * the first maximum in row-major order wins (strict compares, as PoolOps), a NaN over any number; the slot
     * holds row·2 + column of the winner plus {@link #POSITIVE} when the maximum is &gt; 0; xm the winner's x. All
     * compares are on ints and become 0/1 values, with no data-dependent branches.
     */
    static void forwardPlaneScalar(float[] x, int xo, int h, int wd, float m, float r, float sc, float sh,
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

    /** Input elements per parallel chunk of the inference path below which planes stay on one thread. */
    private static final int INFERENCE_GRAIN = 4096;

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

    /**
     * gy (the gradient of the normalized, pre-ReLU values) is g at each window's arg-max where the pooled value is
     * positive, else 0. Then as BatchNormOp: gb = Σ gy, gw = Σ gy·x̂, gx = w·invStd·(gy − gb/M − x̂·gw/M) (batch
     * statistics) or w·invStd·gy (running statistics).
     */
    private static Tensor[] backward(Tensor g, Saved saved, Tensor x, Tensor w, Tensor b, int n, int c, int h, int wd) {
        float[] gd = g.storage(), mean = saved.mean(), invStd = saved.invStd(), xm = saved.xAtMax();
        byte[] slot = saved.slot();
        int go = g.storageOffset(), s = h * wd, oh = h / 2, ow = wd / 2, os = oh * ow;
        float[] xd = x.storage();
        int xo = x.storageOffset();
        float[] wdat = w == null ? null : w.storage();
        int wo = w == null ? 0 : w.storageOffset();
        boolean needX = x.requiresGrad(), batchStats = saved.batchStats();
        float[] gx = needX ? new float[n * c * s] : null;
        float[] gw = new float[c], gb = new float[c];
        double count = (double) n * s;
        Parallel.forRange(c, BatchNormOp.minChunk(n, s), (c0, c1) -> {
            double[] s1 = new double[c1 - c0], s2 = new double[c1 - c0];
            float[] gm = new float[os];
            // Σ gy and Σ gy·x̂ over the pooled outputs (gy is zero elsewhere): batch-major, as BatchNormOp
            for (int i = 0; i < n; i++) {
                for (int ch = c0; ch < c1; ch++) {
                    int p = (i * c + ch) * os;
                    for (int k = 0; k < os; k++) gm[k] = masked(gd[go + p + k], slot[p + k]);
                    s1[ch - c0] += NormKernels.sum(gm, 0, os);
                    s2[ch - c0] += NormKernels.dotNormalized(gm, 0, xm, p, os, mean[ch], invStd[ch]);
                }
            }
            for (int ch = c0; ch < c1; ch++) {
                gb[ch] = (float) s1[ch - c0];
                gw[ch] = (float) s2[ch - c0];
            }
            if (!needX) return;
            float[] gy = new float[s];
            for (int i = 0; i < n; i++) {
                for (int ch = c0; ch < c1; ch++) {
                    int p = (i * c + ch) * os, xp = xo + (i * c + ch) * s, gxp = (i * c + ch) * s;
                    java.util.Arrays.fill(gy, 0f);
                    for (int oi = 0; oi < oh; oi++) {
                        for (int oj = 0; oj < ow; oj++, p++) {
                            int q = slot[p];
                            gy[(2 * oi + (q >> 1 & 1)) * wd + 2 * oj + (q & 1)] = masked(gd[go + p], q);
                        }
                    }
                    float scale = (wdat == null ? 1f : wdat[wo + ch]) * invStd[ch];
                    if (batchStats) {
                        float m1 = (float) (s1[ch - c0] / count), m2 = (float) (s2[ch - c0] / count);
                        inputGrad(gy, xd, xp, gx, gxp, s, scale, m1, m2, mean[ch], invStd[ch]);
                    } else {
                        for (int k = 0; k < s; k++) gx[gxp + k] = scale * gy[k];
                    }
                }
            }
        });
        return new Tensor[] {
            needX ? Tensor.of(gx, x.shape()) : null,
            w != null && w.requiresGrad() ? Tensor.of(gw, c) : null,
            b != null && b.requiresGrad() ? Tensor.of(gb, c) : null,
        };
    }

    /** g where slot q has the POSITIVE bit, else +0 (bit masking: no data-dependent branch). */
    private static float masked(float g, int q) {
        return Float.intBitsToFloat(Float.floatToRawIntBits(g) & -((q >> 2) & 1));
    }

    /** gx = scale·(gy − m1 − ((x − m)·r)·m2) over one plane (BatchNormOp's float operations). */
    private static void inputGrad(float[] gy, float[] x, int xp, float[] gx, int gxp, int s, float scale, float m1, float m2, float m, float r) {
        int k = CpuFeatures.VECTOR ? VectorBnReluPool.inputGrad(gy, x, xp, gx, gxp, s, scale, m1, m2, m, r) : 0;
        for (; k < s; k++) gx[gxp + k] = scale * (gy[k] - m1 - ((x[xp + k] - m) * r) * m2);
    }
}
