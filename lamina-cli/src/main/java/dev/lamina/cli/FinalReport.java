package dev.lamina.cli;

import dev.lamina.train.Evaluation;
import dev.lamina.train.History;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The end of {@code lamina train} for the image models: which epoch's weights the model holds (and so what is
 * saved) and why, then the test set's per-class report and confusion matrix for exactly that model.
 *
 * @param epoch           the epoch whose weights the model holds ({@link History#modelEpoch()})
 * @param test            the test set on that model
 * @param evaluatedAtEnd  whether the test set was evaluated only now (a validation set guided training)
 * @param note            why that epoch, or null when it is simply the last one
 */
record FinalReport(int epoch, Evaluation test, boolean evaluatedAtEnd, String note) {
    /**
     * @param testAtEnd the test set evaluated on the final model when training watched a validation set; null when
     *                  it watched the test set itself (then the kept epoch's evaluation is the test set's)
     */
    static FinalReport of(History h, Evaluation testAtEnd, Integer patience) {
        String note = null;
        if (h.stoppedEarly() && h.restoredBest()) {
            note = String.format(Locale.ROOT, "early stopping after epoch %d: the validation loss has not improved for %d epochs; keeping the best epoch, %d (its weights restored)",
                    h.last().epoch(), patience, h.modelEpoch());
        } else if (h.stoppedEarly()) {
            note = String.format(Locale.ROOT, "early stopping after epoch %d: the %s loss has not improved for %d epochs (lowest in epoch %d); keeping the last epoch, %d%s",
                    h.last().epoch(), testAtEnd != null ? "validation" : "test", patience, h.bestEpoch(), h.modelEpoch(),
                    testAtEnd != null ? "" : " (the test set does not choose the model: give --val-split or --val-data for that)");
        } else if (h.restoredBest() && h.modelEpoch() != h.last().epoch()) {
            note = String.format(Locale.ROOT, "the validation loss was lowest in epoch %d: keeping its weights (restored)", h.modelEpoch());
        }
        return new FinalReport(h.modelEpoch(), testAtEnd != null ? testAtEnd : h.result().validation(), testAtEnd != null, note);
    }

    void print(PrintStream human, String[] classes) {
        if (note != null) human.println(note);
        human.println();
        if (evaluatedAtEnd) {
            human.printf(Locale.ROOT, "test set, evaluated once at the end on the model of epoch %d: test loss %.4f  test accuracy %.2f%%  macro F1 %.4f%n%n",
                    epoch, test.loss(), 100 * test.accuracy(), test.confusion().macroF1());
        }
        human.print(test.confusion().report(classes));
        human.println();
        human.println("confusion matrix of the test set, epoch " + epoch + " (rows: actual class, columns: predicted class)");
        human.print(test.confusion().format(classes));
    }

    /** The final test metrics as a JSON line (printed after the per-epoch lines when a validation set was used). */
    String testJson() {
        return new Json().put("set", "test").put("epoch", epoch).put("test_loss", test.loss()).put("test_accuracy", test.accuracy())
                .put("test_macro_f1", test.confusion().macroF1()).put("test_samples", test.samples()).toString();
    }
}
