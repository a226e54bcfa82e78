package dev.lamina.optim;

/**
 * A learning rate as a function of the epoch (closed forms of PyTorch's schedulers). {@link Scheduler} applies it
 * to an optimizer.
 */
@FunctionalInterface
public interface LrSchedule {
    /** The learning rate for {@code epoch} (0-based) given the optimizer's base rate. */
    double lr(double baseLr, int epoch);

    static LrSchedule constant() {
        return (base, epoch) -> base;
    }

    /** base · γ^⌊epoch / stepSize⌋ (StepLR). */
    static LrSchedule step(int stepSize, double gamma) {
        if (stepSize <= 0) throw new IllegalArgumentException("step schedule: step size must be positive, got " + stepSize);
        return (base, epoch) -> base * Math.pow(gamma, epoch / stepSize);
    }

    /** base · γ^epoch (ExponentialLR). */
    static LrSchedule exponential(double gamma) {
        return (base, epoch) -> base * Math.pow(gamma, epoch);
    }

    /** η_min + (base − η_min)(1 + cos(π·epoch/T))/2 (CosineAnnealingLR). */
    static LrSchedule cosine(int tMax, double etaMin) {
        if (tMax <= 0) throw new IllegalArgumentException("cosine schedule: T_max must be positive, got " + tMax);
        return (base, epoch) -> etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * epoch / tMax)) / 2;
    }

    /** Linear ramp of the factor from start to end over {@code totalIters} epochs, then constant (LinearLR; a warm-up). */
    static LrSchedule linear(double startFactor, double endFactor, int totalIters) {
        return (base, epoch) -> base * (startFactor + (endFactor - startFactor) * Math.min(epoch, totalIters) / (double) totalIters);
    }

    /** Warm-up: linear from startFactor·base to base over {@code warmupEpochs}. */
    static LrSchedule linearWarmup(double startFactor, int warmupEpochs) {
        return linear(startFactor, 1.0, warmupEpochs);
    }

    /** Runs {@code first} until {@code milestone}, then {@code second} from its own epoch 0 (SequentialLR). */
    static LrSchedule sequential(LrSchedule first, int milestone, LrSchedule second) {
        return (base, epoch) -> epoch < milestone ? first.lr(base, epoch) : second.lr(base, epoch - milestone);
    }

    /**
     * PyTorch's {@code OneCycleLR} (cosine annealing, two phases, as {@code three_phase=False}) over
     * {@code totalSteps} steps with {@code max_lr} = the optimizer's base rate: from base/divFactor up to base
     * over the first {@code pctStart·totalSteps − 1} steps, then down to base/(divFactor·finalDivFactor) at step
     * {@code totalSteps − 1}; later steps keep the final rate (PyTorch refuses them). Use with {@link Scheduler#perStep}.
     * PyTorch's defaults: pctStart 0.3, divFactor 25, finalDivFactor 1e4.
     */
    static LrSchedule oneCycle(int totalSteps, double pctStart, double divFactor, double finalDivFactor) {
        if (totalSteps <= 1) throw new IllegalArgumentException("one-cycle schedule: total steps must be at least 2, got " + totalSteps);
        if (!(pctStart > 0 && pctStart < 1)) throw new IllegalArgumentException("one-cycle schedule: pct_start must be in (0, 1), got " + pctStart);
        if (!(divFactor > 0) || !(finalDivFactor > 0)) throw new IllegalArgumentException("one-cycle schedule: div_factor and final_div_factor must be > 0, got " + divFactor + ", " + finalDivFactor);
        double upEnd = pctStart * totalSteps - 1, downEnd = totalSteps - 1;
        return (base, step) -> {
            double initial = base / divFactor, min = initial / finalDivFactor;
            int s = Math.min(step, totalSteps - 1);
            if (s <= upEnd) return cosineAnneal(initial, base, s / upEnd);
            return cosineAnneal(base, min, (s - upEnd) / (downEnd - upEnd));
        };
    }

    /** {@link #oneCycle(int, double, double, double)} with PyTorch's defaults (0.3, 25, 1e4). */
    static LrSchedule oneCycle(int totalSteps) {
        return oneCycle(totalSteps, 0.3, 25, 1e4);
    }

    /**
     * Linear warm-up over {@code warmupSteps} steps, then cosine decay to {@code etaMin} at step {@code totalSteps}:
     * step i &lt; warmupSteps gets base·(i + 1)/warmupSteps;
     * later steps η_min + (base − η_min)(1 + cos(π·(i − warmupSteps)/(totalSteps − warmupSteps)))/2, and the rate
     * stays at η_min after {@code totalSteps}. Use with {@link Scheduler#perStep}.
     */
    static LrSchedule warmupCosine(int warmupSteps, int totalSteps, double etaMin) {
        if (warmupSteps < 0 || totalSteps <= warmupSteps) {
            throw new IllegalArgumentException("warm-up cosine schedule: need 0 <= warm-up steps < total steps, got " + warmupSteps + " and " + totalSteps);
        }
        return (base, step) -> {
            if (step < warmupSteps) return base * (step + 1) / warmupSteps;
            int s = Math.min(step, totalSteps);
            return etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * (s - warmupSteps) / (totalSteps - warmupSteps))) / 2;
        };
    }

    /** PyTorch's {@code _annealing_cos}: from start (pct 0) to end (pct 1) along half a cosine. */
    private static double cosineAnneal(double start, double end, double pct) {
        return end + (start - end) / 2 * (Math.cos(Math.PI * pct) + 1);
    }
}
