package dev.lamina.explain;

/**
 * How well the model fits the explained batch and, when given, a validation batch (NaN where not measured).
 *
 * @param trainLoss          the loss on the explained batch
 * @param trainAccuracy      share of the batch classified correctly (classifiers)
 * @param validationLoss     the loss on the validation batch
 * @param validationAccuracy share of the validation batch classified correctly
 */
public record Fit(double trainLoss, double trainAccuracy, double validationLoss, double validationAccuracy) {
    static final Fit NONE = new Fit(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
}
