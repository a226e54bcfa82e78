package dev.lamina.train;

/**
 * What one epoch did.
 *
 * @param epoch            the epoch, from 1
 * @param trainLoss        mean training loss over the epoch's batches, weighted by batch size (measured while the
 *                         weights change, as Keras reports it)
 * @param trainAccuracy    fraction of training examples classified correctly during the epoch; NaN when not a
 *                         classification task
 * @param validation       loss, accuracy and confusion matrix on the validation set after the epoch; null without one
 * @param lr               the learning rate used during the epoch
 * @param epochSeconds     wall time of the training pass (validation excluded)
 * @param evalSeconds      wall time of the validation pass
 * @param trainSamples     training examples seen in the epoch
 */
public record EpochResult(int epoch, double trainLoss, double trainAccuracy, Evaluation validation, double lr,
                          double epochSeconds, double evalSeconds, long trainSamples) {
    /** Training throughput: examples per second of the training pass. */
    public double samplesPerSecond() {
        return epochSeconds > 0 ? trainSamples / epochSeconds : Double.NaN;
    }

    /** Validation loss, NaN without validation. */
    public double valLoss() {
        return validation == null ? Double.NaN : validation.loss();
    }

    /** Validation accuracy, NaN without validation or for a task that is not classification. */
    public double valAccuracy() {
        return validation == null ? Double.NaN : validation.accuracy();
    }

    /** Validation macro F1, NaN without validation or for a task that is not classification. */
    public double valMacroF1() {
        return validation == null || validation.confusion() == null ? Double.NaN : validation.confusion().macroF1();
    }
}
