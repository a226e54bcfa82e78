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
}
