package dev.lamina.train;

import dev.lamina.nn.Module;
import dev.lamina.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Stops training when a monitored metric has not improved for {@code patience} epochs in a row (Keras's
 * EarlyStopping): with patience 2, a run whose best validation loss came in epoch 3 stops after epoch 5 unless
 * epoch 4 or 5 beat it by more than {@code minDelta}. A NaN metric never counts as an improvement. With
 * {@link #restoreBestWeights(boolean)}, the model gets back the weights (and buffers) of the best epoch when
 * training ends.
 */
public final class EarlyStopping {
    /** What to watch, and in which direction is better. */
    public enum Monitor {
        VAL_LOSS(EpochResult::valLoss, false),
        VAL_ACCURACY(EpochResult::valAccuracy, true),
        VAL_MACRO_F1(EpochResult::valMacroF1, true),
        TRAIN_LOSS(EpochResult::trainLoss, false);

        private final ToDoubleFunction<EpochResult> metric;
        private final boolean maximize;

        Monitor(ToDoubleFunction<EpochResult> metric, boolean maximize) {
            this.metric = metric;
            this.maximize = maximize;
        }

        public double of(EpochResult r) {
            return metric.applyAsDouble(r);
        }

        public boolean maximize() {
            return maximize;
        }

        /** Whether the metric needs a validation set. */
        public boolean needsValidation() {
            return this != TRAIN_LOSS;
        }
    }

    private final Monitor monitor;
    private final int patience;
    private double minDelta;
    private boolean restoreBest;

    private double best;
    private int bestEpoch;
    private int wait;
    private Map<String, float[]> bestWeights;

    public EarlyStopping(Monitor monitor, int patience) {
        if (patience < 0) throw new IllegalArgumentException("EarlyStopping: patience must be >= 0, got " + patience);
        this.monitor = monitor;
        this.patience = patience;
        reset();
    }

    /** The smallest change that counts as an improvement (default 0). */
    public EarlyStopping minDelta(double minDelta) {
        if (minDelta < 0) throw new IllegalArgumentException("EarlyStopping: minDelta must be >= 0, got " + minDelta);
        this.minDelta = minDelta;
        return this;
    }

    /** Whether the model gets back the best epoch's weights when training ends (default false). */
    public EarlyStopping restoreBestWeights(boolean restore) {
        this.restoreBest = restore;
        return this;
    }

    public Monitor monitor() {
        return monitor;
    }

    public int patience() {
        return patience;
    }

    /** Forgets the runs seen so far (the Trainer calls it when training starts). */
    public void reset() {
        best = Double.NaN;
        bestEpoch = -1;
        wait = 0;
        bestWeights = null;
    }

    /** The best value seen, NaN before any. */
    public double best() {
        return best;
    }

    /** The epoch of the best value (from 1), -1 before any. */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** Records an epoch; true when training should stop now. */
    public boolean update(EpochResult result, Module model) {
        double v = monitor.of(result);
        boolean improved = !Double.isNaN(v) && (Double.isNaN(best) || (monitor.maximize ? v > best + minDelta : v < best - minDelta));
        if (improved) {
            best = v;
            bestEpoch = result.epoch();
            wait = 0;
            if (restoreBest && model != null) bestWeights = snapshot(model);
            return false;
        }
        wait++;
        return wait >= patience;
    }

    /**
     * What a checkpoint keeps of an early-stopping monitor: the best value and its epoch, the epochs waited since,
     * and the best epoch's weights and buffers by state-dict name (null when not restoring best weights or before
     * any improvement).
     */
    public record State(double best, int bestEpoch, int waited, Map<String, float[]> bestWeights) {
    }

    /** A copy of the running state (the configuration is not part of it). */
    public State state() {
        Map<String, float[]> w = null;
        if (bestWeights != null) {
            w = new LinkedHashMap<>();
            for (Map.Entry<String, float[]> e : bestWeights.entrySet()) w.put(e.getKey(), e.getValue().clone());
        }
        return new State(best, bestEpoch, wait, w);
    }

    /** Continues from a state taken by {@link #state()}. */
    public void loadState(State state) {
        if (state.waited() < 0) throw new IllegalArgumentException("EarlyStopping: negative wait " + state.waited());
        best = state.best();
        bestEpoch = state.bestEpoch();
        wait = state.waited();
        if (state.bestWeights() == null) {
            bestWeights = null;
        } else {
            bestWeights = new LinkedHashMap<>();
            for (Map.Entry<String, float[]> e : state.bestWeights().entrySet()) bestWeights.put(e.getKey(), e.getValue().clone());
        }
    }

    /** Whether the model gets back the best epoch's weights when training ends. */
    public boolean restoresBestWeights() {
        return restoreBest;
    }

    /**
     * Puts the best epoch's weights back into {@code model}, when asked to and when there was a best epoch.
     *
     * @return whether it did (the Trainer then records {@link #bestEpoch()} as {@link History#modelEpoch()})
     */
    public boolean restore(Module model) {
        if (!restoreBest || bestWeights == null) return false;
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
            float[] saved = bestWeights.get(e.getKey());
            if (saved != null) e.getValue().copyFrom_(Tensor.of(saved, e.getValue().shape()));
        }
        return true;
    }

    private static Map<String, float[]> snapshot(Module model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        model.stateDict().forEach((k, t) -> out.put(k, t.toArray()));
        return out;
    }
}
