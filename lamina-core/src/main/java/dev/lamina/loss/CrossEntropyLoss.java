package dev.lamina.loss;

import dev.lamina.backend.LossOps;
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
        int[] rows = new int[n]; // the class of each row, −1 where ignored
        for (int i = 0; i < n; i++) rows[i] = t[i] == ignoreIndex ? -1 : (int) t[i];
        LossOps.CrossEntropyRows o = new LossOps.CrossEntropyRows(labelSmoothing, scale);
        LossOps.CrossEntropySaved saved = logits.backend().crossEntropyIndex(logits, rows, o);
        return Tensor.fromOp("cross_entropy", saved.loss(), g -> new Tensor[] {logits.backend().crossEntropyIndexBackward(saved, rows, o, g)}, logits);
    }

    /** Per-row losses for probability targets; the target gets no gradient. */
    private Tensor probabilityRows(Tensor logits, Tensor target) {
        int n = logits.size(0);
        Loss.requireFinite("cross_entropy", "target probabilities", target);
        Tensor p = target.detach();
        LossOps.CrossEntropyRows o = new LossOps.CrossEntropyRows(labelSmoothing, reduction == Reduction.MEAN ? 1.0 / n : 1.0);
        LossOps.CrossEntropySaved saved = logits.backend().crossEntropyProbabilities(logits, p, o);
        return Tensor.fromOp("cross_entropy", saved.loss(), g -> new Tensor[] {logits.backend().crossEntropyProbabilitiesBackward(saved, p, o, g)}, logits);
    }

    /** The type and settings with PyTorch's names. */
    @Override
    public String toString() {
        return "CrossEntropyLoss(reduction=" + Reduction.name(reduction) + ", label_smoothing=" + labelSmoothing + ", ignore_index=" + ignoreIndex + ")";
    }
}
