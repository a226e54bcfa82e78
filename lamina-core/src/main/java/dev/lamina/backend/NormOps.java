package dev.lamina.backend;

import dev.lamina.autograd.Autograd;
import dev.lamina.tensor.Tensor;

/**
 * Normalization module ops: batch norm (statistics per channel of [N, C, S], running buffers updated in place),
 * the row norms (layer, group, instance and RMS norm: one statistic per contiguous row), and batch norm → ReLU →
 * 2×2 max pool fused. Each forward returns what its backward needs, named in a record. Shapes are checked by the
 * callers ({@code nn.functional.BatchNormOp}, {@code NormOp}, {@code BatchNormReluPoolOp}).
 *
 * <p>The default bodies are written with the public tensor ops run without the tape (sums over axes, broadcasting
 * arithmetic); the fused op's default runs {@link #batchNorm_}, ReLU and {@link #maxPool2d} one after another.
 */
public interface NormOps extends PoolOps {

    /** An op's input gradients; null where not asked for. */
    record Grads(Tensor x, Tensor weight, Tensor bias) {}

    // ------------------------------------------------------------------------------------------------ batch norm

    /**
     * What batch norm's backward needs: per channel the mean and 1/√(var + eps) [C]; x̂ = (x − mean)·invStd [N, C, 1]
     * when S = 1 (null otherwise: recomputed from x); whether batch statistics were used.
     */
    record BatchNormed(Tensor output, Tensor mean, Tensor invStd, Tensor xHat, boolean batchStats) {}

    /**
     * Batch normalization of x [N, C, S]: with {@code training} the batch mean and biased variance (each channel
     * over N and S), and the running buffers (when not null) updated in place as
     * {@code running = (1 − momentum)·running + momentum·batch} (unbiased variance for {@code runningVar}); without
     * it the running statistics. Then y = x̂·weight + bias per channel (weight, bias [C] or null).
     *
     * @return output [N, C, S] and the saved statistics
     */
    default BatchNormed batchNorm_(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        try (var s = Autograd.noGrad()) {
            int n = x.size(0), c = x.size(1), len = x.size(2);
            long count = (long) n * len;
            Tensor mean, invStd;
            if (training) {
                Tensor m = x.sum(new int[] {0, 2}, true).div((float) count);
                Tensor var = x.sub(m).square().sum(new int[] {0, 2}, true).div((float) count);
                mean = m.reshape(c);
                invStd = var.reshape(c).add((float) eps).sqrt().reciprocal();
                if (runningMean != null) {
                    copyInto_(runningMean.mul((float) (1 - momentum)).add(mean.mul((float) momentum)), runningMean);
                    copyInto_(runningVar.mul((float) (1 - momentum)).add(var.reshape(c).mul((float) (momentum * count / (count - 1)))), runningVar);
                }
            } else {
                mean = copy(runningMean);
                invStd = runningVar.add((float) eps).sqrt().reciprocal();
            }
            Tensor xHat = x.sub(mean.reshape(1, c, 1)).mul(invStd.reshape(1, c, 1));
            Tensor y = xHat;
            if (weight != null) y = y.mul(weight.reshape(1, c, 1));
            if (bias != null) y = y.add(bias.reshape(1, c, 1));
            return new BatchNormed(copy(y), mean, invStd, len == 1 ? xHat : null, training);
        }
    }

    /**
     * gb = Σ g, gw = Σ g·x̂ per channel; gx = w·invStd·(g − gb/M − x̂·gw/M) with batch statistics (M = N·S),
     * gx = w·invStd·g with running statistics (constants).
     *
     * @param g [N, C, S], x the input [N, C, S]
     */
    default Grads batchNormBackward(Tensor g, Tensor x, BatchNormed saved, Tensor weight, boolean needX, boolean needW, boolean needB) {
        try (var s = Autograd.noGrad()) {
            int n = x.size(0), c = x.size(1), len = x.size(2);
            float count = (float) ((double) n * len);
            Tensor xHat = x.sub(saved.mean().reshape(1, c, 1)).mul(saved.invStd().reshape(1, c, 1));
            Tensor gb = g.sum(new int[] {0, 2}, true), gw = g.mul(xHat).sum(new int[] {0, 2}, true);
            Tensor gx = null;
            if (needX) {
                Tensor scale = saved.invStd().reshape(1, c, 1);
                if (weight != null) scale = scale.mul(weight.reshape(1, c, 1));
                gx = saved.batchStats() ? g.sub(gb.div(count)).sub(xHat.mul(gw.div(count))).mul(scale) : g.mul(scale);
                gx = copy(gx);
            }
            return new Grads(gx, needW ? gw.reshape(c) : null, needB ? gb.reshape(c) : null);
        }
    }

    // ------------------------------------------------------------------------------------------------ row norms

    /**
     * The rows of a row norm: {@code rows} rows of {@code len} contiguous elements; row r belongs to group
     * {@code r % groups} of its sample, which holds channels {@code (r % groups)·cpg ... + cpg − 1}, each
     * {@code spatial} contiguous values (layer and RMS norm: groups = 1, cpg = len, spatial = 1; instance norm:
     * cpg = 1). {@code rms}: no mean, x̂ = x / √(mean(x²) + eps).
     */
    record RowLayout(int rows, int len, int groups, int cpg, int spatial, boolean rms) {
        public int channels() {
            return groups * cpg;
        }
    }

    /** A row norm's output (x's shape), per row mean (0 for RMS) and invStd [rows], and x̂ [rows, len] (null unless kept). */
    record RowNormed(Tensor output, Tensor mean, Tensor invStd, Tensor xHat) {}

    /**
     * y = x̂·w[ch] + b[ch] with x̂ = (x − mean)·invStd per row (RMS: x·invStd) and ch the affine index of the position.
     *
     * @param x rows·len values (any shape; the output has it)
     * @param weight [channels] values or null
     * @param bias [channels] values or null
     * @param keepXHat whether the backward will be needed (x̂ is returned)
     */
    default RowNormed rowNorm(Tensor x, RowLayout l, Tensor weight, Tensor bias, double eps, boolean keepXHat) {
        try (var s = Autograd.noGrad()) {
            Tensor x2 = x.reshape(l.rows(), l.len());
            Tensor mean, xHat, invStd;
            if (l.rms()) {
                mean = wrap(new float[l.rows()], l.rows(), 1);
                invStd = x2.square().sum(1, true).div((float) l.len()).add((float) eps).sqrt().reciprocal();
                xHat = x2.mul(invStd);
            } else {
                mean = x2.sum(1, true).div((float) l.len());
                Tensor d = x2.sub(mean);
                invStd = d.square().sum(1, true).div((float) l.len()).add((float) eps).sqrt().reciprocal();
                xHat = d.mul(invStd);
            }
            int samples = l.rows() / Math.max(1, l.groups());
            Tensor y = xHat.reshape(samples, l.groups(), l.cpg(), l.spatial());
            if (weight != null) y = y.mul(weight.reshape(1, l.groups(), l.cpg(), 1));
            if (bias != null) y = y.add(bias.reshape(1, l.groups(), l.cpg(), 1));
            return new RowNormed(copy(y).reshape(x.shape()), mean.reshape(l.rows()), invStd.reshape(l.rows()), keepXHat ? xHat : null);
        }
    }

    /**
     * With ĝ = g·w (per channel): gx = invStd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) per row (no mean(ĝ) term for RMS);
     * gw = Σ g·x̂ and gb = Σ g per channel ([channels]).
     *
     * @param g the output gradient (x's shape); gx comes back as [rows, len]
     */
    default Grads rowNormBackward(Tensor g, RowNormed saved, RowLayout l, Tensor weight, boolean needX, boolean needW, boolean needB) {
        try (var s = Autograd.noGrad()) {
            int samples = l.rows() / Math.max(1, l.groups());
            Tensor g4 = g.reshape(samples, l.groups(), l.cpg(), l.spatial()), xHat = saved.xHat();
            Tensor gx = null, gw = null, gb = null;
            if (needX) {
                Tensor gh = (weight == null ? g4 : g4.mul(weight.reshape(1, l.groups(), l.cpg(), 1))).reshape(l.rows(), l.len());
                Tensor m2 = gh.mul(xHat).sum(1, true).div((float) l.len());
                Tensor centred = l.rms() ? gh : gh.sub(gh.sum(1, true).div((float) l.len()));
                gx = copy(centred.sub(xHat.mul(m2)).mul(saved.invStd().reshape(l.rows(), 1)));
            }
            if (needW) gw = g4.mul(xHat.reshape(samples, l.groups(), l.cpg(), l.spatial())).sum(new int[] {0, 3}, false).reshape(l.channels());
            if (needB) gb = g4.sum(new int[] {0, 3}, false).reshape(l.channels());
            return new Grads(gx, gw, gb);
        }
    }

    // ------------------------------------------------------------------------------------------------ fused

    /** What a backend keeps for the fused op's backward (each backend reads only what it wrote). */
    interface FusedSaved {}

    /** The fused op's output [N, C, H/2, W/2] and what its backward needs (null when {@code keepForBackward} was false). */
    record BnReluPooled(Tensor output, FusedSaved saved) {}

    /** The default's saved values: the batch norm's, and the pool's output and arg-max indices. */
    record ComposedSaved(BatchNormed norm, Tensor pooled, Tensor indices) implements FusedSaved {}

    /**
     * {@code max_pool2d(relu(batch_norm(x)), 2, 2)} with {@link #batchNorm_}'s arguments; x [N, C, H, W], H, W ≥ 2;
     * an odd last row or column is in no window.
     *
     * @return [N, C, H/2, W/2] and, with {@code keepForBackward}, what {@link #batchNormReluMaxPool2dBackward} needs
     */
    default BnReluPooled batchNormReluMaxPool2d_(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                                 boolean training, double momentum, double eps, boolean keepForBackward) {
        try (var s = Autograd.noGrad()) {
            int n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
            BatchNormed bn = batchNorm_(x.reshape(n, c, h * w), runningMean, runningVar, weight, bias, training, momentum, eps);
            Tensor r = unary(dev.lamina.kernels.Elementwise.Unary.RELU, bn.output()).reshape(n, c, h, w);
            Pooled p = maxPool2d(r, new Geometry(h, w, h / 2, w / 2, 2, 2, 2, 2, 0, 0, 1, 1));
            return new BnReluPooled(p.output(), keepForBackward ? new ComposedSaved(bn, p.output(), p.indices()) : null);
        }
    }

    /**
     * The gradient of {@link #batchNormReluMaxPool2d_}: g [N, C, H/2, W/2] reaches each window's arg-max where the
     * pooled value is positive, then flows back through the batch norm.
     *
     * @param x the input [N, C, H, W]
     */
    default Grads batchNormReluMaxPool2dBackward(Tensor g, Tensor x, FusedSaved saved, Tensor weight,
                                                 boolean needX, boolean needW, boolean needB) {
        ComposedSaved cs = (ComposedSaved) saved;
        try (var s = Autograd.noGrad()) {
            int n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
            Tensor passed = Tensor.where(cs.pooled().gt(0f), g, wrap(new float[1], 1, 1, 1, 1));
            Tensor gy = maxPoolBackward(passed, cs.indices(), new int[] {n, c, h, w}).reshape(n, c, h * w);
            Grads gr = batchNormBackward(gy, x.reshape(n, c, h * w), cs.norm(), weight, needX, needW, needB);
            return new Grads(gr.x() == null ? null : gr.x().reshape(n, c, h, w), gr.weight(), gr.bias());
        }
    }
}
