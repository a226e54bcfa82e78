package dev.lamina.backend.cpu;

import dev.lamina.backend.NormOps;
import dev.lamina.kernels.CpuFeatures;
import dev.lamina.kernels.Parallel;
import dev.lamina.tensor.Buffers;
import dev.lamina.tensor.Tensor;

/**
 * The CPU's normalization kernels. Batch norm splits the work over channels, each channel's sums in a fixed order
 * (batch-major, then position) in double; the row norms split over rows, the affine gradients summed per channel in
 * a fixed order; so results do not depend on the thread count. The fused batch norm → ReLU → max pool reads x for
 * the statistics and once more to normalize, rectify and pool it plane by plane, writing only the pooled output
 * (forward values bit-identical to the three ops one after another).
 */
public interface CpuNormOps extends NormOps {

    private static Tensor dense(Tensor t) {
        return t == null || t.isContiguous() ? t : t.contiguous();
    }

    /** Channels per chunk: below about 2^14 input elements per chunk a hand-off to another thread does not pay. */
    private static int minChunk(int n, int s) {
        return Math.max(1, 16384 / Math.max(1, n * s));
    }

    // ------------------------------------------------------------------------------------------------ batch norm

    @Override
    default BatchNormed batchNorm_(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        int n = x.size(0), c = x.size(1), s = x.size(2);
        long count = (long) n * s;
        Tensor xc = dense(x), w = dense(weight), b = dense(bias);
        float[] xd = xc.storage();
        int xo = xc.storageOffset();
        float[] mean = new float[c], invStd = new float[c], xHat = s == 1 ? new float[xc.numel()] : null, y = new float[xc.numel()];
        float[] wd = w == null ? null : w.storage(), bd = b == null ? null : b.storage();
        int wo = w == null ? 0 : w.storageOffset(), bo = b == null ? 0 : b.storageOffset();
        if (training) {
            float[] rm = runningMean == null ? null : runningMean.storage(), rv = runningMean == null ? null : runningVar.storage();
            int rmo = runningMean == null ? 0 : runningMean.storageOffset(), rvo = runningMean == null ? 0 : runningVar.storageOffset();
            Parallel.forRange(c, minChunk(n, s), (c0, c1) -> {
                double[] sum = new double[c1 - c0], sq = new double[c1 - c0];
                if (s == 1) {
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
                    spatialStats(xd, xo, n, c, s, c0, c1, mean, invStd, rm, rmo, rv, rvo, momentum, eps);
                }
                normalize(xd, xo, xHat, y, mean, invStd, wd, wo, bd, bo, n, c, s, c0, c1);
            });
        } else {
            float[] rm = runningMean.storage(), rv = runningVar.storage();
            int rmo = runningMean.storageOffset(), rvo = runningVar.storageOffset();
            for (int ch = 0; ch < c; ch++) {
                mean[ch] = rm[rmo + ch];
                invStd[ch] = (float) (1 / Math.sqrt(rv[rvo + ch] + eps));
            }
            Parallel.forRange(c, minChunk(n, s), (c0, c1) -> normalize(xd, xo, xHat, y, mean, invStd, wd, wo, bd, bo, n, c, s, c0, c1));
        }
        return new BatchNormed(wrap(y, n, c, s), wrap(mean, c), wrap(invStd, c), xHat == null ? null : wrap(xHat, n, c, 1), training);
    }

    /**
     * Batch statistics of channels [c0, c1) of [N, C, S] input (S &gt; 1): mean and 1/√(biased var + eps), each
     * channel summed batch-major then by position; updates the running buffers (when rm is not null) as PyTorch.
     * Shared with the fused op, so both give the same statistics bit for bit.
     */
    private static void spatialStats(float[] xd, int xo, int n, int c, int s, int c0, int c1, float[] mean, float[] invStd,
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

    @Override
    default Grads batchNormBackward(Tensor g, Tensor x, BatchNormed saved, Tensor weight, boolean needX, boolean needW, boolean needB) {
        int n = x.size(0), c = x.size(1), s = x.size(2);
        Tensor gc = dense(g), xc = dense(x), w = dense(weight);
        float[] gd = gc.storage(), xHat = saved.xHat() == null ? null : saved.xHat().storage();
        float[] invStd = saved.invStd().storage(), mean = saved.mean().storage();
        int go = gc.storageOffset();
        float[] xd = xc.storage();
        int xo = xc.storageOffset();
        float[] wd = w == null ? null : w.storage();
        int wo = w == null ? 0 : w.storageOffset();
        float[] gx = needX ? new float[xc.numel()] : null;
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
        return new Grads(needX ? wrap(gx, n, c, s) : null, needW ? wrap(gw, c) : null, needB ? wrap(gb, c) : null);
    }

    // ------------------------------------------------------------------------------------------------ row norms

    @Override
    default RowNormed rowNorm(Tensor x, RowLayout l, Tensor weight, Tensor bias, double eps, boolean keepXHat) {
        Tensor xc = dense(x), w = dense(weight), b = dense(bias);
        float[] xd = xc.storage();
        int xo = xc.storageOffset();
        float[] mean = new float[l.rows()], invStd = new float[l.rows()];
        float[] y = keepXHat ? new float[xc.numel()] : Buffers.uninitialized(xc.numel());
        float[] xHat = keepXHat ? new float[xc.numel()] : y;   // without a backward, x̂ is written where y goes and turned into y in place
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
        return new RowNormed(wrap(y, x.shape()), wrap(mean, l.rows()), wrap(invStd, l.rows()), keepXHat ? wrap(xHat, l.rows(), len) : null);
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

    @Override
    default Grads rowNormBackward(Tensor g, RowNormed saved, RowLayout l, Tensor weight, boolean needX, boolean needW, boolean needB) {
        Tensor gc = dense(g), w = dense(weight);
        float[] gd = gc.storage(), xHat = saved.xHat().storage(), invStd = saved.invStd().storage();
        int go = gc.storageOffset();
        float[] wd = w == null ? null : w.storage();
        int wo = w == null ? 0 : w.storageOffset();
        int len = l.len(), sp = l.spatial(), cpg = l.cpg(), groups = l.groups();
        Tensor gx = null, gw = null, gb = null;
        if (needX) {
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
            gx = wrap(d, l.rows(), len);
        }
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
            if (needW) gw = wrap(dw, channels);
            if (needB) gb = wrap(db, channels);
        }
        return new Grads(gx, gw, gb);
    }

    // ------------------------------------------------------------------------------------------------ fused

    /**
     * The fused op's saved values: per-channel mean and invStd; per output one byte (the window slot of the maximum,
     * row·2 + column, plus {@link BnReluPoolKernels#POSITIVE} when it is positive: ReLU's mask) and the input value x
     * at the maximum (for Σgy·x̂ without touching the rest of x). x itself is the backward's argument (x̂ is
     * recomputed from it for the input gradient).
     */
    record CpuFusedSaved(float[] mean, float[] invStd, byte[] slot, float[] xAtMax, boolean batchStats) implements FusedSaved {}

    /** Input elements per parallel chunk of the inference path below which planes stay on one thread. */
    private static int inferenceGrain() {
        return 4096;
    }

    @Override
    default BnReluPooled batchNormReluMaxPool2d_(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                                 boolean training, double momentum, double eps, boolean keepForBackward) {
        int n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3), s = h * wd, oh = h / 2, ow = wd / 2, os = oh * ow;
        int lanes = CpuFeatures.VECTOR ? VectorBnReluPool.L : 1;
        Tensor xc = dense(x), w = dense(weight), b = dense(bias);
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
        if (!training && !keepForBackward) {
            int[] corner = BnReluPoolKernels.windowCorners(oh, ow, wd);
            Parallel.forRange(n * c, Math.max(1, inferenceGrain() / s), (p0, p1) -> {
                for (int p = p0; p < p1; p++) {
                    int ch = p % c;
                    BnReluPoolKernels.inferencePlane(xd, xo + p * s, wd, corner, mean[ch], invStd[ch],
                            wdat == null ? 1f : wdat[wo + ch], bdat == null ? 0f : bdat[bo + ch], out, p * os);
                }
            });
            return new BnReluPooled(wrap(out, n, c, oh, ow), null);
        }
        byte[] slot = new byte[n * c * os];
        float[] xm = new float[n * c * os];
        Parallel.forRange(c, minChunk(n, s), (c0, c1) -> {
            if (training) spatialStats(xd, xo, n, c, s, c0, c1, mean, invStd, rm, rmo, rv, rvo, momentum, eps);
            int[] bits = new int[s + 2 * lanes], pv = new int[wd + lanes], pq = new int[wd + lanes];
            for (int i = 0; i < n; i++) {
                for (int ch = c0; ch < c1; ch++) {
                    float m = mean[ch], r = invStd[ch];
                    float sc = wdat == null ? 1f : wdat[wo + ch], sh = bdat == null ? 0f : bdat[bo + ch];
                    int xp = xo + (i * c + ch) * s, o = (i * c + ch) * os;
                    if (CpuFeatures.VECTOR) VectorBnReluPool.forwardPlane(xd, xp, h, wd, m, r, sc, sh, out, slot, xm, o, bits, pv, pq);
                    else BnReluPoolKernels.forwardPlaneScalar(xd, xp, h, wd, m, r, sc, sh, out, slot, xm, o);
                }
            }
        });
        return new BnReluPooled(wrap(out, n, c, oh, ow), new CpuFusedSaved(mean, invStd, slot, xm, training));
    }

    /**
     * gy (the gradient of the normalized, pre-ReLU values) is g at each window's arg-max where the pooled value is
     * positive, else 0. Then as batch norm: gb = Σ gy, gw = Σ gy·x̂, gx = w·invStd·(gy − gb/M − x̂·gw/M) (batch
     * statistics) or w·invStd·gy (running statistics). The sums Σgy and Σgy·x̂ run over the pooled outputs only
     * (gy is zero elsewhere).
     */
    @Override
    default Grads batchNormReluMaxPool2dBackward(Tensor gt, Tensor x, FusedSaved fused, Tensor weight,
                                                 boolean needX, boolean needW, boolean needB) {
        if (!(fused instanceof CpuFusedSaved saved)) return NormOps.super.batchNormReluMaxPool2dBackward(gt, x, fused, weight, needX, needW, needB);
        int n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3);
        Tensor g = dense(gt), xc = dense(x), w = dense(weight);
        float[] gd = g.storage(), mean = saved.mean(), invStd = saved.invStd(), xm = saved.xAtMax();
        byte[] slot = saved.slot();
        int go = g.storageOffset(), s = h * wd, oh = h / 2, ow = wd / 2, os = oh * ow;
        float[] xd = xc.storage();
        int xo = xc.storageOffset();
        float[] wdat = w == null ? null : w.storage();
        int wo = w == null ? 0 : w.storageOffset();
        boolean batchStats = saved.batchStats();
        float[] gx = needX ? new float[n * c * s] : null;
        float[] gw = new float[c], gb = new float[c];
        double count = (double) n * s;
        Parallel.forRange(c, minChunk(n, s), (c0, c1) -> {
            double[] s1 = new double[c1 - c0], s2 = new double[c1 - c0];
            float[] gm = new float[os];
            // Σ gy and Σ gy·x̂ over the pooled outputs (gy is zero elsewhere): batch-major, as batch norm
            for (int i = 0; i < n; i++) {
                for (int ch = c0; ch < c1; ch++) {
                    int p = (i * c + ch) * os;
                    for (int k = 0; k < os; k++) gm[k] = BnReluPoolKernels.masked(gd[go + p + k], slot[p + k]);
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
                            gy[(2 * oi + (q >> 1 & 1)) * wd + 2 * oj + (q & 1)] = BnReluPoolKernels.masked(gd[go + p], q);
                        }
                    }
                    float scale = (wdat == null ? 1f : wdat[wo + ch]) * invStd[ch];
                    if (batchStats) {
                        float m1 = (float) (s1[ch - c0] / count), m2 = (float) (s2[ch - c0] / count);
                        BnReluPoolKernels.inputGrad(gy, xd, xp, gx, gxp, s, scale, m1, m2, mean[ch], invStd[ch]);
                    } else {
                        for (int k = 0; k < s; k++) gx[gxp + k] = scale * gy[k];
                    }
                }
            }
        });
        return new Grads(needX ? wrap(gx, n, c, h, wd) : null, needW ? wrap(gw, c) : null, needB ? wrap(gb, c) : null);
    }
}
