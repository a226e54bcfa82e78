package dev.lamina.optim;

/**
 * Applies an {@link LrSchedule} to an optimizer. A scheduler made with the constructor is per epoch: call
 * {@link #step()} once per epoch, after the epoch's updates (PyTorch's {@code StepLR}, {@code CosineAnnealingLR});
 * one made with {@link #perStep} counts optimizer steps: call {@link #step()} after every {@code optimizer.step()}
 * (PyTorch's {@code OneCycleLR}, warm-up). A {@code Trainer} does either, as the scheduler says.
 */
public final class Scheduler {
    private final Optimizer optimizer;
    private final LrSchedule schedule;
    private final boolean perStep;
    private double baseLr;
    /** Each parameter group's rate when the schedule started (PyTorch's {@code base_lrs}); [0] follows baseLr. */
    private final double[] groupBaseLrs;
    private int position;

    /** A per-epoch scheduler; sets the optimizer's rate for epoch 0 now. */
    public Scheduler(Optimizer optimizer, LrSchedule schedule) {
        this(optimizer, schedule, false);
    }

    private Scheduler(Optimizer optimizer, LrSchedule schedule, boolean perStep) {
        this.optimizer = java.util.Objects.requireNonNull(optimizer, "Scheduler: optimizer");
        this.schedule = java.util.Objects.requireNonNull(schedule, "Scheduler: schedule");
        this.perStep = perStep;
        this.baseLr = optimizer.lr();
        this.groupBaseLrs = new double[optimizer.groupCount()];
        for (int g = 0; g < groupBaseLrs.length; g++) groupBaseLrs[g] = optimizer.groupLr(g);
        apply(0);
    }

    /** Sets every group's rate for position {@code at}, each from its own base rate. */
    private void apply(int at) {
        optimizer.setGroupLr(0, schedule.lr(baseLr, at));
        for (int g = 1; g < groupBaseLrs.length; g++) optimizer.setGroupLr(g, schedule.lr(groupBaseLrs[g], at));
    }

    /**
     * A scheduler whose position counts optimizer steps: {@code schedule.lr(base, i)} is the rate of the (i+1)-th
     * step (0-based i); sets the rate of the first step now.
     */
    public static Scheduler perStep(Optimizer optimizer, LrSchedule schedule) {
        return new Scheduler(optimizer, schedule, true);
    }

    /** True when {@link #step()} is meant to follow every optimizer step rather than every epoch. */
    public boolean isPerStep() {
        return perStep;
    }

    /** Moves to the next epoch (or optimizer step, see {@link #perStep}) and sets its learning rate. */
    public void step() {
        position++;
        apply(position);
    }

    /** The position in the schedule: epochs done (per-epoch) or optimizer steps done ({@link #perStep}). */
    public int epoch() {
        return position;
    }

    /** Jumps to a position (when resuming). */
    public void setEpoch(int epoch) {
        this.position = epoch;
        apply(epoch);
    }

    public double lr() {
        return optimizer.lr();
    }

    /** The optimizer's rate when the schedule started. */
    public double baseLr() {
        return baseLr;
    }

    /** The optimizer whose rate this scheduler sets. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /**
     * What a checkpoint keeps of a scheduler (PyTorch's {@code last_epoch} and {@code base_lrs}); the schedule itself
     * is code. {@code epoch} is the position: epochs, or optimizer steps for a {@link #perStep} scheduler.
     */
    public record State(int epoch, double baseLr) {
    }

    /** The position in the schedule and its base rate. */
    public State stateDict() {
        return new State(position, baseLr);
    }

    /** Continues from {@code state}: restores the position and base rate and sets the optimizer's rate for it. */
    public void loadStateDict(State state) {
        if (state.epoch() < 0) throw new IllegalArgumentException("Scheduler.loadStateDict: negative epoch " + state.epoch());
        if (!(state.baseLr() >= 0) || Double.isInfinite(state.baseLr())) {
            throw new IllegalArgumentException("Scheduler.loadStateDict: base learning rate " + state.baseLr() + " is not a non-negative number");
        }
        baseLr = state.baseLr();
        setEpoch(state.epoch());
    }

    @Override
    public String toString() {
        return "Scheduler(" + (perStep ? "per step" : "per epoch") + ", at " + position + ", base lr " + baseLr + ", lr " + optimizer.lr() + ")";
    }
}
