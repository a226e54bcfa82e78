package dev.lamina.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The epochs of a training run, in order, and why it ended. */
public final class History {
    /** Why training ended. */
    public enum Stop { RUNNING, COMPLETED, EARLY_STOPPING, NON_FINITE_LOSS, FAILED }

    private final List<EpochResult> epochs = new ArrayList<>();
    private Stop stop = Stop.RUNNING;
    private int bestEpoch = -1;

    void add(EpochResult r) {
        epochs.add(r);
    }

    void stop(Stop reason) {
        stop = reason;
    }

    void bestEpoch(int epoch) {
        bestEpoch = epoch;
    }

    public List<EpochResult> epochs() {
        return Collections.unmodifiableList(epochs);
    }

    public int size() {
        return epochs.size();
    }

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
}
