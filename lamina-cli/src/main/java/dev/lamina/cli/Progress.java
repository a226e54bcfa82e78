package dev.lamina.cli;

import dev.lamina.train.BatchResult;
import dev.lamina.train.Callback;
import dev.lamina.train.EpochResult;
import dev.lamina.train.History;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.util.Locale;

/**
 * A progress bar per epoch on standard error (me.tongfei:progressbar): samples done, samples/s, ETA and the running
 * loss. Only for an interactive terminal; see {@link #interactive()}.
 */
final class Progress implements Callback {
    private final int epochs;
    private long samplesPerEpoch;
    private ProgressBar bar;

    Progress(int epochs) {
        this.epochs = epochs;
    }

    /**
     * True when a person is watching: the JVM has a console whose input and output are a terminal. When output goes
     * to a file or a pipe this is false and no bar (with its carriage returns and escape codes) is drawn.
     */
    static boolean interactive() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    @Override
    public void onTrainBegin(int epochs, int batchesPerEpoch, long samplesPerEpoch) {
        this.samplesPerEpoch = samplesPerEpoch;
    }

    @Override
    public void onEpochBegin(int epoch) {
        bar = new ProgressBarBuilder()
                .setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs))
                .setInitialMax(samplesPerEpoch)
                .setUnit(" samples", 1)
                .showSpeed()
                .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                .setUpdateIntervalMillis(200)
                .setMaxRenderedLength(120)
                .build();
    }

    @Override
    public void onBatchEnd(BatchResult batch) {
        if (bar == null) return;
        bar.stepBy(batch.size());
        bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f", batch.meanLoss()));
    }

    @Override
    public void onEpochEnd(EpochResult result) {
        close();
    }

    @Override
    public void onTrainEnd(History history) {
        close();
    }

    private void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
