package dev.lamina.nn.functional;

import dev.lamina.kernels.Parallel;
import dev.lamina.tensor.Buffers;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

import java.util.Arrays;

/**
 * Fused layer, group, instance and RMS normalization. All four normalize contiguous <em>rows</em> of the
 * (contiguous) input with one statistic each, then apply a per-channel affine map:
 * <ul>
 *   <li>layer norm / RMS norm: a row is the trailing {@code normalized_shape} block; the affine index is the
 *       position in the row;
 *   <li>group norm on {@code [N, C, *]}: a row is one sample's group of C/G channels × spatial; the affine index
 *       is the channel;
 *   <li>instance norm: group norm with one channel per group.
 * </ul>
 * Forward and backward are paired explicitly and share the named cached values {@link Saved#mean},
 * {@link Saved#invStd} (per row) and {@link Saved#xHat} (the normalized input). RMS norm has no mean:
 * x̂ = x / √(mean(x²) + eps). Rows run in parallel with {@link Parallel#forRange}; the affine gradients are
 * summed per channel in a fixed order, so results do not depend on the thread count.
 */
public final class NormOp {
    private NormOp() {}

    /** Default eps of PyTorch's {@code nn.RMSNorm} when {@code eps=None}: {@code torch.finfo(float32).eps}. */
    public static final double FLOAT32_EPS = Math.ulp(1.0f);

    /** What backward needs: per-row mean (0 for RMS) and 1/√(var + eps), and x̂ in x's layout. */
    private record Saved(float[] mean, float[] invStd, float[] xHat) {}

    /**
     * The row layout: {@code rows} rows of {@code len} elements; row r belongs to group {@code r % groups} of its
     * sample, which holds channels {@code (r % groups)·cpg ... + cpg − 1}, each {@code spatial} contiguous values.
     */
    private record Layout(int rows, int len, int groups, int cpg, int spatial, boolean rms) {
        int channels() {
            return groups * cpg;
        }
    }

    /**
     * Layer normalization over the trailing dims {@code normalizedShape}.
     *
     * @param x [*, normalizedShape...]
     * @param weight normalizedShape or null
     * @param bias normalizedShape or null
     * @return x's shape
     */
    public static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        int len = trailing("layer_norm", x, normalizedShape);
        checkParam("layer_norm", "weight", weight, normalizedShape);
        checkParam("layer_norm", "bias", bias, normalizedShape);
        return run("layer_norm", x, new Layout(rowsOf(x, len), len, 1, len, 1, false), weight, bias, eps);
    }

    /**
     * RMS normalization y = x / √(mean(x²) + eps) · weight over the trailing dims {@code normalizedShape}.
     *
     * @param x [*, normalizedShape...]
     * @param weight normalizedShape or null
     * @return x's shape
     */
    public static Tensor rmsNorm(Tensor x, int[] normalizedShape, Tensor weight, double eps) {
        int len = trailing("rms_norm", x, normalizedShape);
        checkParam("rms_norm", "weight", weight, normalizedShape);
        return run("rms_norm", x, new Layout(rowsOf(x, len), len, 1, len, 1, true), weight, null, eps);
    }

    /**
     * Group normalization: channels split into {@code numGroups} consecutive groups, one statistic per sample and
     * group over its channels and all trailing positions.
     *
     * @param x [N, C, *]
     * @param weight [C] or null
     * @param bias [C] or null
     * @return x's shape
     */
    public static Tensor groupNorm(Tensor x, int numGroups, Tensor weight, Tensor bias, double eps) {
        if (x.dim() < 2) throw new ShapeException("group_norm: expected input of shape [N, C, *], got " + Shape.str(x.shape()));
        int n = x.size(0), c = x.size(1);
        if (numGroups <= 0 || c % numGroups != 0) {
            throw new ShapeException("group_norm: " + c + " channels of input " + Shape.str(x.shape()) + " are not divisible into " + numGroups + " groups");
        }
        checkParam("group_norm", "weight", weight, new int[] {c});
        checkParam("group_norm", "bias", bias, new int[] {c});
        int spatial = n * c == 0 ? 0 : x.numel() / (n * c);
        int cpg = c / numGroups;
        return run("group_norm", x, new Layout(n * numGroups, cpg * spatial, numGroups, cpg, spatial, false), weight, bias, eps);
    }

    /**
     * Instance normalization: one statistic per sample and channel over the trailing positions (no running
     * statistics).
     *
     * @param x [N, C, *]
     * @param weight [C] or null
     * @param bias [C] or null
     * @return x's shape
     */
    public static Tensor instanceNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        if (x.dim() < 3) throw new ShapeException("instance_norm: expected input of shape [N, C, L, *], got " + Shape.str(x.shape()));
        int c = x.size(1);
        checkParam("instance_norm", "weight", weight, new int[] {c});
        checkParam("instance_norm", "bias", bias, new int[] {c});
        int spatial = x.numel() == 0 ? 0 : x.numel() / (x.size(0) * c);
        return run("instance_norm", x, new Layout(x.size(0) * c, spatial, c, 1, spatial, false), weight, bias, eps);
    }

    private static int trailing(String op, Tensor x, int[] normalizedShape) {
        int k = normalizedShape.length;
        int[] xs = x.shape();
        if (k == 0 || xs.length < k || !Arrays.equals(Arrays.copyOfRange(xs, xs.length - k, xs.length), normalizedShape)) {
            throw new ShapeException(op + ": expected input of shape [*, " + Shape.str(normalizedShape).substring(1) + ", got " + Shape.str(xs));
        }
        return Shape.size(normalizedShape);
    }

    private static int rowsOf(Tensor x, int len) {
        return len == 0 ? 0 : x.numel() / len;
    }

    private static void checkParam(String op, String name, Tensor t, int[] shape) {
        if (t != null && !Arrays.equals(t.shape(), shape)) {
            throw new ShapeException(op + ": " + name + " of shape " + Shape.str(t.shape()) + " does not match expected " + Shape.str(shape));
        }
    }

    private static Tensor run(String op, Tensor x, Layout l, Tensor weight, Tensor bias, double eps) {
        Tensor xc = x.contiguous();
        Tensor w = weight == null ? null : weight.contiguous(), b = bias == null ? null : bias.contiguous();
        float[] xd = xc.storage();
        int xo = xc.storageOffset();
        boolean tape = Tensor.gradWanted(xc, w, b);
        float[] mean = new float[l.rows()], invStd = new float[l.rows()];
        float[] y = tape ? new float[xc.numel()] : Buffers.uninitialized(xc.numel());
        float[] xHat = tape ? new float[xc.numel()] : y;   // without a tape, x̂ is written where y goes and turned into y in place
        float[] wd = w == null ? null : w.storage(), bd = b == null ? null : b.storage();
        int wo = w == null ? 0 : w.storageOffset(), bo = b == null ? 0 : b.storageOffset();
        int len = l.len();
        Parallel.forRange(l.rows(), Math.max(1, 8192 / Math.max(1, len)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int base = r * len;
                double m = 0, acc;
                if (l.rms()) {
                    acc = NormKernels.dot(xd, xo + base, xd, xo + base, len);
                } else {
                    m = NormKernels.sum(xd, xo + base, len) / len;
                    acc = NormKernels.sumSqDev(xd, xo + base, len, m);
                }
                float mf = (float) m, rf = (float) (1 / Math.sqrt(acc / len + eps));
                mean[r] = mf;
                invStd[r] = rf;
                int ch0 = (r % l.groups()) * l.cpg(), sp = l.spatial();
                if (sp == 1) {
                    // one position per channel (layer-norm layout): the whole row at once
                    affineRow(xd, xo + base, xHat, y, base, len, mf, rf, wd, wo + ch0, bd, bo + ch0);
                    continue;
                }
                for (int j = 0; j < l.cpg(); j++) {
                    int o = base + j * sp, ch = ch0 + j;
                    float sc = wd == null ? 1f : wd[wo + ch], sh = bd == null ? 0f : bd[bo + ch];
                    for (int k = 0; k < sp; k++) {
                        float h = (xd[xo + o + k] - mf) * rf;
                        xHat[o + k] = h;
                        y[o + k] = h * sc + sh;
                    }
                }
            }
        });
        Saved saved = new Saved(mean, invStd, xHat);
        return Tensor.fromOp(op, Tensor.of(y, x.shape()), g -> backward(g.contiguous(), saved, l, xc, w, b), xc, w, b);
    }

    /** One layer-norm row: x̂ and y = x̂·w[k] + b[k], with w or b possibly absent. */
    private static void affineRow(float[] xd, int xo, float[] xHat, float[] y, int o, int len, float m, float r,
                                  float[] wd, int wo, float[] bd, int bo) {
        for (int k = 0; k < len; k++) xHat[o + k] = (xd[xo + k] - m) * r;
        if (wd != null && bd != null) {
            for (int k = 0; k < len; k++) y[o + k] = xHat[o + k] * wd[wo + k] + bd[bo + k];
        } else if (wd != null) {
            for (int k = 0; k < len; k++) y[o + k] = xHat[o + k] * wd[wo + k];
        } else if (bd != null) {
            for (int k = 0; k < len; k++) y[o + k] = xHat[o + k] + bd[bo + k];
        } else {
            System.arraycopy(xHat, o, y, o, len);
        }
    }

    /**
     * With ĝ = g·w (per channel): gx = invStd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) per row (no mean(ĝ) term for RMS);
     * gw = Σ g·x̂ and gb = Σ g per channel.
     */
    private static Tensor[] backward(Tensor g, Saved saved, Layout l, Tensor x, Tensor w, Tensor b) {
        float[] gd = g.storage(), xHat = saved.xHat(), invStd = saved.invStd();
        int go = g.storageOffset();
        float[] wd = w == null ? null : w.storage();
        int wo = w == null ? 0 : w.storageOffset();
        int len = l.len(), sp = l.spatial(), cpg = l.cpg(), groups = l.groups();
        Tensor gx = null, gw = null, gb = null;
        if (x.requiresGrad()) {
            float[] d = new float[xHat.length];
            Parallel.forRange(l.rows(), Math.max(1, 8192 / Math.max(1, len)), (r0, r1) -> {
                float[] gh = new float[len];
                for (int r = r0; r < r1; r++) {
                    int base = r * len, ch0 = (r % groups) * cpg;
                    if (wd == null) {
                        System.arraycopy(gd, go + base, gh, 0, len);
                    } else if (sp == 1) {
                        for (int k = 0; k < len; k++) gh[k] = gd[go + base + k] * wd[wo + ch0 + k];
                    } else {
                        for (int j = 0; j < cpg; j++) {
                            float wv = wd[wo + ch0 + j];
                            for (int k = j * sp; k < (j + 1) * sp; k++) gh[k] = gd[go + base + k] * wv;
                        }
                    }
                    double s1 = l.rms() ? 0 : NormKernels.sum(gh, 0, len), s2 = NormKernels.dot(gh, 0, xHat, base, len);
                    float m1 = l.rms() ? 0f : (float) (s1 / len), m2 = (float) (s2 / len), rs = invStd[r];
                    for (int k = 0; k < len; k++) d[base + k] = rs * (gh[k] - m1 - xHat[base + k] * m2);
                }
            });
            gx = Tensor.of(d, x.shape());
        }
        boolean needW = w != null && w.requiresGrad(), needB = b != null && b.requiresGrad();
        if (needW || needB) {
            int channels = l.channels();
            float[] dw = new float[channels], db = new float[channels];
            int samples = groups == 0 ? 0 : l.rows() / groups;
            if (sp == 1 && groups == 1) {
                // layer-norm layout: column sums over rows, a chunk of columns per thread
                Parallel.forRange(channels, Math.max(16, 8192 / Math.max(1, l.rows())), (c0, c1) -> {
                    for (int r = 0; r < l.rows(); r++) {
                        int base = r * len;
                        for (int k = c0; k < c1; k++) {
                            float gv = gd[go + base + k];
                            dw[k] += gv * xHat[base + k];
                            db[k] += gv;
                        }
                    }
                });
            } else {
                Parallel.forRange(channels, Math.max(1, 8192 / Math.max(1, samples * sp)), (c0, c1) -> {
                    for (int ch = c0; ch < c1; ch++) {
                        int grp = ch / cpg, j = ch % cpg;
                        double a1 = 0, a2 = 0;
                        for (int i = 0; i < samples; i++) {
                            int base = (i * groups + grp) * len + j * sp;
                            a1 += NormKernels.sum(gd, go + base, sp);
                            a2 += NormKernels.dot(gd, go + base, xHat, base, sp);
                        }
                        db[ch] = (float) a1;
                        dw[ch] = (float) a2;
                    }
                });
            }
            if (needW) gw = Tensor.of(dw, w.shape());
            if (needB) gb = Tensor.of(db, b.shape());
        }
        return new Tensor[] {gx, gw, gb};
    }
}
