package dev.lamina.loss;

import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * Negative log-likelihood of class indices given log-probabilities (PyTorch's {@code F.nll_loss}): the loss of
 * row i is −input[i, target[i]]; rows whose target is the ignored index count for nothing, and the mean divides
 * by the number of counted rows.
 */
public final class NLLLoss implements Loss {
    private final Reduction reduction;
    private final int ignoreIndex;

    public NLLLoss() {
        this(Reduction.MEAN, -100);
    }

    public NLLLoss(Reduction reduction, int ignoreIndex) {
        this.reduction = reduction;
        this.ignoreIndex = ignoreIndex;
    }

    /**
     * @param logProbs [N, C] log-probabilities (e.g. from log-softmax)
     * @param target [N] class indices (I64, or integer-valued F32)
     * @return 0-d for MEAN and SUM, [N] for NONE
     */
    @Override
    public Tensor forward(Tensor logProbs, Tensor target) {
        if (logProbs.dim() != 2 || target.dim() != 1 || target.size(0) != logProbs.size(0)) {
            throw new ShapeException("nll_loss: expected log-probabilities [N, C] and targets [N], got " + Shape.str(logProbs.shape()) + " and " + Shape.str(target.shape()));
        }
        Loss.requireFinite("nll_loss", "input", logProbs);
        int n = logProbs.size(0), c = logProbs.size(1);
        float[] t = Loss.classTargets("nll_loss", target, c, ignoreIndex, "input of shape " + Shape.str(logProbs.shape()));
        float[] safe = new float[n];
        float[] keep = new float[n];
        int counted = 0;
        for (int i = 0; i < n; i++) {
            if (t[i] == ignoreIndex) continue;
            if (t[i] != Math.rint(t[i]) || t[i] < 0 || t[i] >= c) {
                throw new IndexOutOfBoundsException("nll_loss: target class " + t[i] + " at position " + i + " is out of range [0, " + c + ") for input of shape " + Shape.str(logProbs.shape()));
            }
            safe[i] = t[i];
            keep[i] = 1f;
            counted++;
        }
        Tensor perRow = logProbs.gather(1, Tensor.of(safe, n, 1)).reshape(n).mul(Tensor.of(keep, n)).neg();
        return switch (reduction) {
            case NONE -> perRow;
            case SUM -> perRow.sum();
            case MEAN -> perRow.sum().div(Math.max(counted, 1));
        };
    }

    /** The type and settings with PyTorch's names. */
    @Override
    public String toString() {
        return "NLLLoss(reduction=" + Reduction.name(reduction) + ", ignore_index=" + ignoreIndex + ")";
    }
}
