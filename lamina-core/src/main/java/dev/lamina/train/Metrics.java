package dev.lamina.train;

import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/** Classification metrics from scores and class-index targets. */
public final class Metrics {
    private Metrics() {}

    /** The index of the largest score in each row of {@code scores} [N, C] (the first on ties, as PyTorch). */
    public static int[] argmax(Tensor scores) {
        if (scores.dim() != 2) throw new ShapeException("argmax: expected scores [N, C], got " + Shape.str(scores.shape()));
        int n = scores.size(0), c = scores.size(1);
        float[] v = scores.toArray();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            float bv = v[i * c];
            for (int j = 1; j < c; j++) {
                float x = v[i * c + j];
                if (x > bv || (Float.isNaN(x) && !Float.isNaN(bv))) {
                    best = j;
                    bv = x;
                }
            }
            out[i] = best;
        }
        return out;
    }

    /** Fraction of rows of {@code scores} [N, C] whose largest score is at the target class ({@code targets} [N]). */
    public static double accuracy(Tensor scores, Tensor targets) {
        return confusion(scores, targets).accuracy();
    }

    /** The confusion matrix of {@code scores} [N, C] against class indices {@code targets} [N]. */
    public static ConfusionMatrix confusion(Tensor scores, Tensor targets) {
        if (scores.dim() != 2 || targets.dim() != 1 || scores.size(0) != targets.size(0)) {
            throw new ShapeException("confusion: expected scores [N, C] and targets [N], got " + Shape.str(scores.shape()) + " and " + Shape.str(targets.shape()));
        }
        ConfusionMatrix m = new ConfusionMatrix(scores.size(1));
        m.addAll(targets.toIntArray("confusion", scores.size(1)), argmax(scores));
        return m;
    }
}
