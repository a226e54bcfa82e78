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

    /** The examples from {@code from} (inclusive) to {@code to} (exclusive). */
    public Dataset slice(int from, int to) {
        if (from < 0 || to > size() || from > to) throw new IndexOutOfBoundsException("Dataset.slice: [" + from + ", " + to + ") is not within [0, " + size() + ")");
        return new Dataset(features.narrow(0, from, to - from).contiguous(), targets.narrow(0, from, to - from).contiguous());
    }

    /** The same targets with transformed features (computed now, once). */
    public Dataset map(Transform transform) {
        return new Dataset(transform.apply(features), targets);
    }

    /** Features normalised to (x − mean) / std, one mean and deviation for all features. */
    public Dataset normalize(float mean, float std) {
        return map(Transform.normalize(mean, std));
    }
}
