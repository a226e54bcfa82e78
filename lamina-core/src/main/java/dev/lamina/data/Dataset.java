package dev.lamina.data;

import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/** Examples and targets held in memory: features [N, ...] and targets [N, ...] with the same N. */
public record Dataset(Tensor features, Tensor targets) {
    public Dataset {
        if (features.dim() == 0 || targets.dim() == 0 || features.size(0) != targets.size(0)) {
            throw new ShapeException("Dataset: features " + Shape.str(features.shape()) + " and targets " + Shape.str(targets.shape()) + " must have the same first dimension");
        }
    }

    public int size() {
        return features.size(0);
    }

    /** The examples at the given positions, in that order. */
    public Dataset select(int[] indices) {
        return new Dataset(features.indexSelect(0, indices), targets.indexSelect(0, indices));
    }

    /** The first {@code n} examples. */
    public Dataset head(int n) {
        int m = Math.min(n, size());
        return new Dataset(features.narrow(0, 0, m).contiguous(), targets.narrow(0, 0, m).contiguous());
    }
}
