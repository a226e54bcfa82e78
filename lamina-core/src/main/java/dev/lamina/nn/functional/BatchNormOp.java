package dev.lamina.nn.functional;

import dev.lamina.kernels.Parallel;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * Fused batch normalization over an NCHW-style input {@code [N, C, *]}: one statistic per channel, taken over the
 * batch and every trailing (spatial) position. Forward and backward are paired explicitly and share the named
 * cached values {@link Saved#mean}, {@link Saved#invStd} (per channel) and, for [N, C] input, {@link Saved#xHat}
 * (the normalized input); with spatial positions x̂ = (x − mean)·invStd is recomputed in float from x in backward
 * (the same values, one large array less to write and keep). Work is split over channels with {@link Parallel#forRange}; each channel's sums run in a fixed order
 * (batch-major, then position), so results do not depend on the thread count.
 *
 * <p>Training mode normalizes with the batch mean and the biased variance and, when running buffers are given,
 * updates them in place as PyTorch does: {@code running = (1 − momentum)·running + momentum·batch}, with the
 * unbiased variance for {@code running_var}. Evaluation mode normalizes with the running buffers.
 */
public final class BatchNormOp {
    private BatchNormOp() {}

    /** What backward needs: per-channel mean and 1/√(var + eps), and x̂ = (x − mean)·invStd in x's layout. */
    private record Saved(float[] mean, float[] invStd, float[] xHat, boolean batchStats) {}

    /**
     * @param x [N, C, *] (any number of trailing dims, including none)
     * @param runningMean [C] or null; updated in place in training mode
     * @param runningVar [C] or null (null together with runningMean)
     * @param weight [C] or null (no affine scale)
     * @param bias [C] or null
     * @param training true: batch statistics (and running-buffer update); false: running statistics, which must
     *     then be given
     * @param momentum the running-average factor used in training (PyTorch's exponential_average_factor)
     * @param eps added to the variance
     * @return [N, C, *]
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        if (x.dim() < 2) throw new ShapeException("batch_norm: expected input of shape [N, C, *], got " + Shape.str(x.shape()));
        int n = x.size(0), c = x.size(1), s = x.numel() / Math.max(1, n * c);
        if (n * c == 0) s = 0;
        checkVec("weight", weight, c, x);
        checkVec("bias", bias, c, x);
        checkVec("running_mean", runningMean, c, x);
        checkVec("running_var", runningVar, c, x);
        if ((runningMean == null) != (runningVar == null)) throw new IllegalArgumentException("batch_norm: running_mean and running_var must be given together");
        if (!training && runningMean == null) throw new IllegalArgumentException("batch_norm: evaluation mode needs running_mean and running_var");
        long count = (long) n * s;
        if (training && count <= 1) {
            throw new ShapeException("batch_norm: expected more than 1 value per channel when training, got input of shape " + Shape.str(x.shape()));
        }
        Tensor xc = x.contiguous();
        Tensor w = weight == null ? null : weight.contiguous(), b = bias == null ? null : bias.contiguous();
        float[] xd = xc.storage();
        int xo = xc.storageOffset();
        float[] mean = new float[c], invStd = new float[c], xHat = s == 1 ? new float[xc.numel()] : null, y = new float[xc.numel()];
        float[] wd = w == null ? null : w.storage(), bd = b == null ? null : b.storage();
        int wo = w == null ? 0 : w.storageOffset(), bo = b == null ? 0 : b.storageOffset();
        final int fs = s;
        if (training) {
            float[] rm = runningMean == null ? null : runningMean.storage(), rv = runningMean == null ? null : runningVar.storage();
            int rmo = runningMean == null ? 0 : runningMean.storageOffset(), rvo = runningMean == null ? 0 : runningVar.storageOffset();
            Parallel.forRange(c, minChunk(n, s), (c0, c1) -> {
                double[] sum = new double[c1 - c0], sq = new double[c1 - c0];
                if (fs == 1) {
                    // [N, C]: rows of channels, accumulated a row at a time
                    for (int i = 0; i < n; i++) {
                        int base = xo + i * c;
                        for (int ch = c0; ch < c1; ch++) sum[ch - c0] += xd[base + ch];
                    }
                    for (int ch = c0; ch < c1; ch++) mean[ch] = (float) (sum[ch - c0] / count);
                    for (int i = 0; i < n; i++) {
                        int base = xo + i * c;
                        for (int ch = c0; ch < c1; ch++) {
                            double d = xd[base + ch] - sum[ch - c0] / count;
                            sq[ch - c0] += d * d;
                        }
                    }
                    for (int ch = c0; ch < c1; ch++) {
                        double var = sq[ch - c0] / count;
                        invStd[ch] = (float) (1 / Math.sqrt(var + eps));
                        if (rm != null) {
                            rm[rmo + ch] = (float) ((1 - momentum) * rm[rmo + ch] + momentum * (sum[ch - c0] / count));
                            rv[rvo + ch] = (float) ((1 - momentum) * rv[rvo + ch] + momentum * var * count / (count - 1));
                        }
                    }
                } else {
                    spatialStats(xd, xo, n, c, fs, c0, c1, mean, invStd, rm, rmo, rv, rvo, momentum, eps);
                }
                normalize(xd, xo, xHat, y, mean, invStd, wd, wo, bd, bo, n, c, fs, c0, c1);
            });
        } else {
            float[] rm = runningMean.storage(), rv = runningVar.storage();
            int rmo = runningMean.storageOffset(), rvo = runningVar.storageOffset();
            for (int ch = 0; ch < c; ch++) {
                mean[ch] = rm[rmo + ch];
                invStd[ch] = (float) (1 / Math.sqrt(rv[rvo + ch] + eps));
            }
            Parallel.forRange(c, minChunk(n, s), (c0, c1) -> normalize(xd, xo, xHat, y, mean, invStd, wd, wo, bd, bo, n, c, fs, c0, c1));
        }
        Saved saved = new Saved(mean, invStd, xHat, training);
        return Tensor.fromOp("batch_norm", Tensor.of(y, x.shape()), g -> backward(g.contiguous(), saved, xc, w, b, n, c, fs), xc, w, b);
    }

    /**
     * Batch statistics of channels [c0, c1) of [N, C, S] input (S &gt; 1): mean and 1/√(biased var + eps), each
     * channel summed batch-major then by position; updates the running buffers (when rm is not null) as PyTorch.
     * Shared with {@link BatchNormReluPoolOp}, so both give the same statistics bit for bit.
     */
    static void spatialStats(float[] xd, int xo, int n, int c, int s, int c0, int c1, float[] mean, float[] invStd,
                             float[] rm, int rmo, float[] rv, int rvo, double momentum, double eps) {
        long count = (long) n * s;
        double[] sum = new double[c1 - c0], sq = new double[c1 - c0];
        for (int i = 0; i < n; i++) {
            for (int ch = c0; ch < c1; ch++) sum[ch - c0] += NormKernels.sum(xd, xo + (i * c + ch) * s, s);
        }
        for (int ch = c0; ch < c1; ch++) mean[ch] = (float) (sum[ch - c0] / count);
        for (int i = 0; i < n; i++) {
            for (int ch = c0; ch < c1; ch++) sq[ch - c0] += NormKernels.sumSqDev(xd, xo + (i * c + ch) * s, s, sum[ch - c0] / count);
        }
        for (int ch = c0; ch < c1; ch++) {
            double var = sq[ch - c0] / count;
            invStd[ch] = (float) (1 / Math.sqrt(var + eps));
            if (rm != null) {
                rm[rmo + ch] = (float) ((1 - momentum) * rm[rmo + ch] + momentum * (sum[ch - c0] / count));
                rv[rvo + ch] = (float) ((1 - momentum) * rv[rvo + ch] + momentum * var * count / (count - 1));
            }
        }
    }

    static int minChunk(int n, int s) {
        return Math.max(1, 16384 / Math.max(1, n * s));
    }

    private static void checkVec(String name, Tensor t, int c, Tensor x) {
        if (t != null && (t.dim() != 1 || t.size(0) != c)) {
            throw new ShapeException("batch_norm: " + name + " of shape " + Shape.str(t.shape()) + " does not match input "
                    + Shape.str(x.shape()) + " with " + c + " channels (expected [" + c + "])");
        }
    }

    /** x̂ = (x − mean)·invStd and y = x̂·w + b for channels [c0, c1). */
    private static void normalize(float[] xd, int xo, float[] xHat, float[] y, float[] mean, float[] invStd,
                                  float[] wd, int wo, float[] bd, int bo, int n, int c, int s, int c0, int c1) {
        if (s == 1) {
            for (int i = 0; i < n; i++) {
                int base = i * c;
                for (int ch = c0; ch < c1; ch++) {
                    float h = (xd[xo + base + ch] - mean[ch]) * invStd[ch];
                    xHat[base + ch] = h;
                    y[base + ch] = h * (wd == null ? 1f : wd[wo + ch]) + (bd == null ? 0f : bd[bo + ch]);
                }
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            for (int ch = c0; ch < c1; ch++) {
                int base = (i * c + ch) * s;
                float m = mean[ch], r = invStd[ch];
                float sc = wd == null ? 1f : wd[wo + ch], sh = bd == null ? 0f : bd[bo + ch];
                for (int k = 0; k < s; k++) {
                    float h = (xd[xo + base + k] - m) * r;
                    y[base + k] = h * sc + sh;
                }
            }
        }
    }

    /**
     * gb = Σ g, gw = Σ g·x̂ per channel; gx = w·invStd·(g − gb/M − x̂·gw/M) with batch statistics (M = N·∏spatial),
     * gx = w·invStd·g with running statistics (constants).
     */
    private static Tensor[] backward(Tensor g, Saved saved, Tensor x, Tensor w, Tensor b, int n, int c, int s) {
        float[] gd = g.storage(), xHat = saved.xHat(), invStd = saved.invStd(), mean = saved.mean();
        int go = g.storageOffset();
        float[] xd = x.storage();
        int xo = x.storageOffset();
        float[] wd = w == null ? null : w.storage();
        int wo = w == null ? 0 : w.storageOffset();
        boolean needX = x.requiresGrad();
        float[] gx = needX ? new float[x.numel()] : null;
        float[] gw = new float[c], gb = new float[c];
        double count = (double) n * s;
        boolean batchStats = saved.batchStats();
        Parallel.forRange(c, minChunk(n, s), (c0, c1) -> {
            double[] s1 = new double[c1 - c0], s2 = new double[c1 - c0];
            if (s == 1) {
                for (int i = 0; i < n; i++) {
                    int base = i * c;
                    for (int ch = c0; ch < c1; ch++) {
                        float gv = gd[go + base + ch];
                        s1[ch - c0] += gv;
                        s2[ch - c0] += gv * xHat[base + ch];
                    }
                }
            } else {
                for (int i = 0; i < n; i++) {
                    for (int ch = c0; ch < c1; ch++) {
                        int base = (i * c + ch) * s;
                        s1[ch - c0] += NormKernels.sum(gd, go + base, s);
                        s2[ch - c0] += NormKernels.dotNormalized(gd, go + base, xd, xo + base, s, mean[ch], invStd[ch]);
                    }
                }
            }
            for (int ch = c0; ch < c1; ch++) {
                gb[ch] = (float) s1[ch - c0];
                gw[ch] = (float) s2[ch - c0];
            }
            if (!needX) return;
            if (s == 1) {
                float[] scale = new float[c1 - c0], m1 = new float[c1 - c0], m2 = new float[c1 - c0];
                for (int ch = c0; ch < c1; ch++) {
                    scale[ch - c0] = (wd == null ? 1f : wd[wo + ch]) * invStd[ch];
                    m1[ch - c0] = batchStats ? (float) (s1[ch - c0] / count) : 0f;
                    m2[ch - c0] = batchStats ? (float) (s2[ch - c0] / count) : 0f;
                }
                for (int i = 0; i < n; i++) {
                    int base = i * c;
                    for (int ch = c0; ch < c1; ch++) {
                        int j = ch - c0;
                        gx[base + ch] = scale[j] * (gd[go + base + ch] - m1[j] - xHat[base + ch] * m2[j]);
                    }
                }
                return;
            }
            for (int i = 0; i < n; i++) {
                for (int ch = c0; ch < c1; ch++) {
                    int base = (i * c + ch) * s;
                    float scale = (wd == null ? 1f : wd[wo + ch]) * invStd[ch];
                    if (batchStats) {
                        float m1 = (float) (s1[ch - c0] / count), m2 = (float) (s2[ch - c0] / count);
                        float m = mean[ch], r = invStd[ch];
                        for (int k = 0; k < s; k++) gx[base + k] = scale * (gd[go + base + k] - m1 - ((xd[xo + base + k] - m) * r) * m2);
                    } else {
                        for (int k = 0; k < s; k++) gx[base + k] = scale * gd[go + base + k];
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
}
