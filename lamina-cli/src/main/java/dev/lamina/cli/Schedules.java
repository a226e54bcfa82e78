package dev.lamina.cli;

import dev.lamina.optim.LrSchedule;
import dev.lamina.optim.Optimizer;
import dev.lamina.optim.Scheduler;

import java.util.List;
import java.util.Locale;

/**
 * The learning-rate schedules of {@code lamina train --lr-schedule} and {@code --warmup-steps}: per epoch
 * ({@code constant}, {@code cosine} to 0 over the epochs, {@code step} ×0.1 after each third) or per optimizer step
 * ({@code onecycle}: PyTorch's OneCycleLR with max_lr = --lr over all steps; {@code warmup-cosine}: a linear warm-up
 * over --warmup-steps (default 5% of the steps), then cosine to 0). {@code --warmup-steps N} with {@code constant}
 * ramps the rate linearly over the first N steps, then keeps it.
 */
final class Schedules {
    private Schedules() {
    }

    static final List<String> NAMES = List.of("constant", "cosine", "step", "onecycle", "warmup-cosine");

    /** Checks the flags before any training, so a typo costs nothing. */
    static void check(String name, Integer warmupSteps) {
        String n = name.toLowerCase(Locale.ROOT);
        if (!NAMES.contains(n)) throw new IllegalArgumentException("unknown learning-rate schedule '" + name + "'; available: " + String.join(", ", NAMES));
        if (warmupSteps != null) {
            if (warmupSteps < 1) throw new IllegalArgumentException("--warmup-steps must be positive, got " + warmupSteps);
            if (!n.equals("constant") && !n.equals("warmup-cosine")) {
                throw new IllegalArgumentException("--warmup-steps works with --lr-schedule constant or warmup-cosine, not " + n + " (onecycle warms up by itself)");
            }
        }
    }

    /** The scheduler the flags name over {@code epochs} epochs of {@code stepsPerEpoch} steps; null for a constant rate. */
    static Scheduler of(String name, Integer warmupSteps, Optimizer opt, int epochs, int stepsPerEpoch) {
        check(name, warmupSteps);
        int total = epochs * stepsPerEpoch;
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "constant" -> warmupSteps == null || warmupSteps == 1 ? null : Scheduler.perStep(opt, LrSchedule.linear(1.0 / warmupSteps, 1.0, warmupSteps - 1));
            case "cosine" -> new Scheduler(opt, LrSchedule.cosine(epochs, 0));
            case "step" -> new Scheduler(opt, LrSchedule.step(Math.max(1, (epochs + 2) / 3), 0.1));
            case "onecycle" -> {
                if (total < 2) throw new IllegalArgumentException("--lr-schedule onecycle needs at least 2 optimizer steps, the run has " + total);
                yield Scheduler.perStep(opt, LrSchedule.oneCycle(total));
            }
            case "warmup-cosine" -> {
                int warm = warmupSteps != null ? warmupSteps : Math.max(1, total / 20);
                if (warm >= total) throw new IllegalArgumentException("--warmup-steps " + warm + " must be fewer than the run's " + total + " optimizer steps");
                yield Scheduler.perStep(opt, LrSchedule.warmupCosine(warm, total, 0));
            }
            default -> throw new AssertionError(name);
        };
    }
}
