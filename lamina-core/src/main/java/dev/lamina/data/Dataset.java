package dev.lamina.data;

import dev.lamina.tensor.Rng;
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

    /**
     * Disjoint random parts that together hold every example once, e.g. {@code randomSplit(new double[] {0.9, 0.1},
     * rng)} for 90% training and 10% validation. Sizes follow the fractions (≥ 0, summing to 1) by the largest
     * remainder, so they add up to {@link #size()}; which examples go where depends only on {@code rng}'s state. Each
     * part keeps its examples in their order here.
     */
    public Dataset[] randomSplit(double[] fractions, Rng rng) {
        return parts(DatasetSplit.random(size(), fractions, rng));
    }

    /**
     * As {@link #randomSplit}, but every class (targets [N] of class indices) is split on its own, so each part holds
     * the classes in the proportions of the whole (to within one example per class) — what a validation set for a
     * classifier needs.
     *
     * @throws IllegalArgumentException when the targets are not [N] of whole numbers ≥ 0
     */
    public Dataset[] stratifiedSplit(double[] fractions, Rng rng) {
        if (targets.dim() != 1) throw new ShapeException("Dataset.stratifiedSplit: targets must be class indices [N], got " + Shape.str(targets.shape()));
        return parts(DatasetSplit.stratified(targets.toArray(), fractions, rng));
    }

    private Dataset[] parts(int[][] indices) {
        Dataset[] out = new Dataset[indices.length];
        for (int i = 0; i < indices.length; i++) out[i] = select(indices[i]);
        return out;
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
