package dev.lamina.loss;

import dev.lamina.kernels.Parallel;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

import java.util.Arrays;

/**
 * Softmax cross-entropy from logits, fused and numerically stable, as PyTorch's {@code F.cross_entropy}:
 * class-index or class-probability targets, label smoothing, an ignored index, and mean/sum/none reduction.
 * The mean over index targets divides by the number of non-ignored targets.
 */
public final class CrossEntropyLoss implements Loss {
    private final Reduction reduction;
    private final double labelSmoothing;
    private final int ignoreIndex;

    public CrossEntropyLoss() {
        this(Reduction.MEAN, 0.0, -100);
    }

    public CrossEntropyLoss(Reduction reduction, double labelSmoothing, int ignoreIndex) {
        if (labelSmoothing < 0 || labelSmoothing > 1) throw new IllegalArgumentException("cross_entropy: label smoothing must be in [0, 1], got " + labelSmoothing);
        this.reduction = reduction;
        this.labelSmoothing = labelSmoothing;
        this.ignoreIndex = ignoreIndex;
    }

    public static CrossEntropyLoss withLabelSmoothing(double epsilon) {
        return new CrossEntropyLoss(Reduction.MEAN, epsilon, -100);
    }

    /**
     * @param logits [N, C], [C], or [N, C, d1, ...] (class dimension 1)
     * @param target class indices [N] / [] / [N, d1, ...] (I64, or integer-valued F32), or F32 probabilities of the logits' shape
     * @return 0-d for MEAN and SUM, else the target's batch shape
     */
    @Override
    public Tensor forward(Tensor logits, Tensor target) {
        if (logits.dim() < 1) throw new ShapeException("cross_entropy: logits must have a class dimension, got shape " + Shape.str(logits.shape()));
        if (logits.dim() == 1) {
            Tensor out = forward(logits.unsqueeze(0), target.dim() == 1 ? target.unsqueeze(0) : target.reshape(1));
            return reduction == Reduction.NONE ? out.reshape() : out;
        }
        boolean probabilities = Arrays.equals(logits.shape(), target.shape()) && target.dtype() == dev.lamina.tensor.DType.F32;
        int c = logits.size(1);
        int[] batchShape = new int[logits.dim() - 1];
        batchShape[0] = logits.size(0);
        for (int d = 2; d < logits.dim(); d++) batchShape[d - 1] = logits.size(d);
        if (!probabilities && !Arrays.equals(target.shape(), batchShape)) {
            throw new ShapeException("cross_entropy: logits of shape " + Shape.str(logits.shape()) + " need class-index targets of shape " + Shape.str(batchShape)
                    + " or probability targets of the same shape, got " + Shape.str(target.shape()));
        }
        Loss.requireFinite("cross_entropy", "logits", logits);
        Tensor rows = logits, rowTargets = target;
        if (logits.dim() > 2) {
            int[] perm = new int[logits.dim()];
            perm[0] = 0;
            for (int d = 2; d < logits.dim(); d++) perm[d - 1] = d;
            perm[logits.dim() - 1] = 1;
            rows = logits.permute(perm).reshape(-1, c);
            rowTargets = probabilities ? target.permute(perm).reshape(-1, c) : target.reshape(-1);
        }
        Tensor perRow = probabilities ? probabilityRows(rows, rowTargets) : indexRows(rows, rowTargets);
        if (reduction == Reduction.NONE) return perRow.reshape(batchShape);
        return perRow.sum();
    }

    /** Per-row losses for index targets, already divided by the mean's denominator when reducing by MEAN. */
    private Tensor indexRows(Tensor logits, Tensor target) {
        int n = logits.size(0), c = logits.size(1);
        float[] t = Loss.classTargets("cross_entropy", target, c, ignoreIndex, "logits of shape " + Shape.str(logits.shape()));
        int counted = 0;
        for (int i = 0; i < n; i++) {
            if (t[i] == ignoreIndex) continue;
            if (t[i] != Math.rint(t[i])) {
                throw new IllegalArgumentException("cross_entropy: target class " + t[i] + " at position " + i + " is not a whole number (class-index targets"
                        + " are integers in [0, " + c + ") for logits of shape " + Shape.str(logits.shape()) + "; for soft labels pass probabilities of the logits' shape)");
            }
            if (t[i] < 0 || t[i] >= c) {
                throw new IndexOutOfBoundsException("cross_entropy: target class " + t[i] + " at position " + i + " is out of range [0, " + c + ") for logits of shape " + Shape.str(logits.shape()));
            }
            counted++;
        }
        double scale = reduction == Reduction.MEAN ? 1.0 / counted : 1.0;
        float[] logp = logSoftmaxRows(logits, n, c);
        float[] loss = new float[n];
        double eps = labelSmoothing;
        for (int i = 0; i < n; i++) {
            if (t[i] == ignoreIndex) continue;
            double sumLogp = 0;
            for (int j = 0; j < c; j++) sumLogp += logp[i * c + j];
            double l = -(1 - eps) * logp[i * c + (int) t[i]] - eps * sumLogp / c;
            loss[i] = (float) (l * scale);
        }
        return Tensor.fromOp("cross_entropy", Tensor.of(loss, n), g -> {
            float[] gv = g.toArray();
            float[] gx = new float[n * c];
            // rows are independent: split across threads (a language model's 2048 rows × 65 classes of exp)
            Parallel.forRange(n, Math.max(1, ROW_GRAIN / c), (r0, r1) -> {
                for (int i = r0; i < r1; i++) {
                    if (t[i] == ignoreIndex) continue;
                    float gi = (float) (gv[i] * scale);
                    int target1 = (int) t[i];
                    for (int j = 0; j < c; j++) {
                        double q = eps / c + (j == target1 ? 1 - eps : 0);
                        gx[i * c + j] = (float) ((Math.exp(logp[i * c + j]) - q) * gi);
                    }
                }
            });
            return new Tensor[] {Tensor.of(gx, n, c)};
        }, logits);
    }

    /** Per-row losses for probability targets; the target gets no gradient. */
    private Tensor probabilityRows(Tensor logits, Tensor target) {
        int n = logits.size(0), c = logits.size(1);
        Loss.requireFinite("cross_entropy", "target probabilities", target);
        float[] p = target.toArray();
        double eps = labelSmoothing;
        double scale = reduction == Reduction.MEAN ? 1.0 / n : 1.0;
        float[] logp = logSoftmaxRows(logits, n, c);
        float[] loss = new float[n];
        for (int i = 0; i < n; i++) {
            double l = 0;
            for (int j = 0; j < c; j++) l -= ((1 - eps) * p[i * c + j] + eps / c) * logp[i * c + j];
            loss[i] = (float) (l * scale);
        }
        return Tensor.fromOp("cross_entropy", Tensor.of(loss, n), g -> {
            float[] gv = g.toArray();
            float[] gx = new float[n * c];
            for (int i = 0; i < n; i++) {
                double gi = gv[i] * scale;
                double qSum = 0;
                for (int j = 0; j < c; j++) qSum += (1 - eps) * p[i * c + j] + eps / c;
                for (int j = 0; j < c; j++) {
                    double q = (1 - eps) * p[i * c + j] + eps / c;
                    gx[i * c + j] = (float) ((Math.exp(logp[i * c + j]) * qSum - q) * gi);
                }
            }
            return new Tensor[] {Tensor.of(gx, n, c)};
        }, logits);
    }

    /** Row-wise log-softmax of [n, c] logits into a new array, in double for the sums. */
    static float[] logSoftmaxRows(Tensor logits, int n, int c) {
        float[] x = logits.toArray();
        float[] out = new float[n * c];
        Parallel.forRange(n, Math.max(1, ROW_GRAIN / c), (r0, r1) -> {
            for (int i = r0; i < r1; i++) {
                float m = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < c; j++) m = Math.max(m, x[i * c + j]);
                double s = 0;
                for (int j = 0; j < c; j++) s += Math.exp(x[i * c + j] - m);
                double lse = m + Math.log(s);
                for (int j = 0; j < c; j++) out[i * c + j] = (float) (x[i * c + j] - lse);
            }
        });
        return out;
    }

    /** Logits per parallel chunk below which rows stay on one thread (each costs an exp in double). */
    private static final int ROW_GRAIN = 16 * 1024;

    /** The type and settings with PyTorch's names. */
    @Override
    public String toString() {
        return "CrossEntropyLoss(reduction=" + Reduction.name(reduction) + ", label_smoothing=" + labelSmoothing + ", ignore_index=" + ignoreIndex + ")";
    }
}
