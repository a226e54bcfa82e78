package dev.lamina.spark;

import dev.lamina.tensor.Tensor;

/**
 * One worker's partition as flat arrays: {@code features} [rows, featureLength] row-major and {@code labels} [rows]
 * (class indices or regression targets as floats).
 */
public record LocalRows(float[] features, float[] labels, int featureLength) {
    public LocalRows {
        if (features.length != (long) labels.length * featureLength) {
            throw new IllegalArgumentException("LocalRows: " + features.length + " feature values for " + labels.length + " rows of " + featureLength);
        }
    }

    public int rows() {
        return labels.length;
    }

    /** Features of the rows {@code idx}, as a [idx.length, featureLength] tensor. */
    public Tensor features(int[] idx) {
        float[] x = new float[idx.length * featureLength];
        for (int i = 0; i < idx.length; i++) System.arraycopy(features, idx[i] * featureLength, x, i * featureLength, featureLength);
        return Tensor.of(x, idx.length, featureLength);
    }

    /** Labels of the rows {@code idx}: [idx.length] for a classifier, [idx.length, 1] for a regressor. */
    public Tensor labels(int[] idx, boolean classifier) {
        float[] y = new float[idx.length];
        for (int i = 0; i < idx.length; i++) y[i] = labels[idx[i]];
        return classifier ? Tensor.of(y, idx.length) : Tensor.of(y, idx.length, 1);
    }
}
