package dev.lamina.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The line per epoch a {@link Trainer} prints by default, as Keras' {@code fit} does:
 * {@code Epoch 2/10 - 1.3s - loss: 0.4521 - accuracy: 0.8612 - val_loss: 0.4012 - val_accuracy: 0.8720 - lr: 0.001}.
 * Accuracy appears for classification (outputs [N, C], targets [N]), the validation terms when there is a
 * validation set. Switch it off with {@link Trainer#verbose(boolean)}.
 */
public final class EpochLog implements Callback {
    private final PrintStream out;
    private int epochs;

    public EpochLog(PrintStream out) {
        this.out = java.util.Objects.requireNonNull(out, "out");
    }

    @Override
    public void onTrainBegin(int epochs, int batchesPerEpoch, long samplesPerEpoch) {
        this.epochs = epochs;
    }

    @Override
    public void onEpochEnd(EpochResult r) {
        out.println(line(r, epochs));
        out.flush();
    }

    /** The line for one epoch of {@code epochs}. */
    public static String line(EpochResult r, int epochs) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "Epoch %d/%d - %.1fs - loss: %.4f", r.epoch(), epochs, r.epochSeconds() + r.evalSeconds(), r.trainLoss()));
        if (!Double.isNaN(r.trainAccuracy())) sb.append(String.format(Locale.ROOT, " - accuracy: %.4f", r.trainAccuracy()));
        if (r.validation() != null) {
            sb.append(String.format(Locale.ROOT, " - val_loss: %.4f", r.valLoss()));
            if (!Double.isNaN(r.valAccuracy())) sb.append(String.format(Locale.ROOT, " - val_accuracy: %.4f", r.valAccuracy()));
        }
        return sb.append(String.format(Locale.ROOT, " - lr: %.4g", r.lr())).toString();
    }
}
