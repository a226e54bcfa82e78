package dev.lamina.train;

/**
 * A model's performance on a data set: mean loss, and for classifiers (outputs [N, C], targets [N] of class
 * indices) the accuracy and confusion matrix; for other tasks accuracy is NaN and the matrix null.
 */
public record Evaluation(double loss, double accuracy, ConfusionMatrix confusion, int samples) {
    /** Whether accuracy and the confusion matrix exist. */
    public boolean isClassification() {
        return confusion != null;
    }
}
