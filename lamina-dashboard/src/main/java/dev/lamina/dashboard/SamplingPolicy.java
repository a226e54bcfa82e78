package dev.lamina.dashboard;

/**
 * When to collect per-layer statistics: every {@link #every()} steps. A fixed interval never changes; the automatic
 * one starts at {@value #AUTO_START} steps and doubles whenever collecting has cost more than {@value #BUDGET} of the
 * step time since the last change, so that statistics stay under 5% of training time. Each change is an event in
 * the run log, and the dashboard says the histograms were thinned.
 */
final class SamplingPolicy {
    static final int AUTO_START = 10;
    static final double BUDGET = 0.04;
    /** Steps observed before the automatic interval may change, so one slow step does not decide. */
    private static final int MIN_WINDOW_SAMPLES = 2;

    private final boolean automatic;
    private int every;
    private long windowCostNanos, windowStepNanos;
    private int windowSamples;

    private SamplingPolicy(boolean automatic, int every) {
        this.automatic = automatic;
        this.every = every;
    }

    /** @param every steps between samples, or 0 for the automatic interval */
    static SamplingPolicy of(int every) {
        if (every < 0) throw new IllegalArgumentException("statistics interval must be >= 0 steps (0: automatic), got " + every);
        return every == 0 ? new SamplingPolicy(true, AUTO_START) : new SamplingPolicy(false, every);
    }

    boolean automatic() {
        return automatic;
    }

    int every() {
        return every;
    }

    boolean isSampleStep(long step) {
        return step % every == 0;
    }

    /** Accounts one step: its whole duration and the part statistics took. */
    void step(long stepNanos, long costNanos, boolean sampled) {
        windowStepNanos += stepNanos;
        windowCostNanos += costNanos;
        if (sampled) windowSamples++;
    }

    /**
     * After a sample: doubles the automatic interval when the window's cost exceeds the budget.
     *
     * @return the window's share that made it change, or NaN when the interval stays
     */
    double adapt() {
        if (!automatic || windowSamples < MIN_WINDOW_SAMPLES || windowStepNanos == 0) return Double.NaN;
        double share = (double) windowCostNanos / windowStepNanos;
        if (share <= BUDGET) return Double.NaN;
        every *= 2;
        windowCostNanos = windowStepNanos = 0;
        windowSamples = 0;
        return share;
    }
}
