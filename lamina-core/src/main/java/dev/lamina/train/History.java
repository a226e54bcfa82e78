package dev.lamina.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The epochs of a training run, in order, why it ended, and which epoch the model's final weights come from: the
 * last one, or the best one when {@link EarlyStopping#restoreBestWeights} put its weights back ({@link #result()}).
 */
public final class History {
    /** Why training ended. */
    public enum Stop { RUNNING, COMPLETED, EARLY_STOPPING, NON_FINITE_LOSS, FAILED }

    private final List<EpochResult> epochs = new ArrayList<>();
    private Stop stop = Stop.RUNNING;
    private int bestEpoch = -1;
    private int restoredEpoch = -1;

    void add(EpochResult r) {
        epochs.add(r);
    }

    void stop(Stop reason) {
        stop = reason;
    }

    void bestEpoch(int epoch) {
        bestEpoch = epoch;
    }

    void restoredEpoch(int epoch) {
        restoredEpoch = epoch;
    }

    public List<EpochResult> epochs() {
        return Collections.unmodifiableList(epochs);
    }

    public int size() {
        return epochs.size();
    }

    /**
     * The last epoch run. After early stopping with {@link EarlyStopping#restoreBestWeights} the model no longer
     * holds its weights: {@link #result()} describes the model {@code fit} returned.
     */
    public EpochResult last() {
        if (epochs.isEmpty()) throw new IllegalStateException("History: no epoch has completed");
        return epochs.getLast();
    }

    public Stop stopReason() {
        return stop;
    }

    public boolean stoppedEarly() {
        return stop == Stop.EARLY_STOPPING;
    }

    /** The best epoch by the early-stopping metric (from 1), or -1 without early stopping. */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** The result of {@link #bestEpoch()}, or null without early stopping (or before any epoch improved). */
    public EpochResult best() {
        return bestEpoch < 1 ? null : byEpoch(bestEpoch);
    }

    /** Whether training ended by putting back the weights of {@link #bestEpoch()} (then {@link #result()} is that epoch). */
    public boolean restoredBest() {
        return restoredEpoch > 0;
    }

    /**
     * The epoch (from 1) whose weights the model holds after {@code fit}: the best one when early stopping restored
     * its weights, else the last one.
     */
    public int modelEpoch() {
        return restoredEpoch > 0 ? restoredEpoch : last().epoch();
    }

    /** What describes the model as {@code fit} left it: the result of {@link #modelEpoch()}. Report and save this one. */
    public EpochResult result() {
        return byEpoch(modelEpoch());
    }

    private EpochResult byEpoch(int epoch) {
        for (EpochResult r : epochs) if (r.epoch() == epoch) return r;
        throw new IllegalStateException("History: no result for epoch " + epoch);
    }
}
