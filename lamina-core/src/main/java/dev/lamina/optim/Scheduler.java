package dev.lamina.optim;

/** Applies an {@link LrSchedule} to an optimizer: call {@link #step()} once per epoch, after the epoch's updates. */
public final class Scheduler {
    private final Optimizer optimizer;
    private final LrSchedule schedule;
    private double baseLr;
    private int epoch;

    public Scheduler(Optimizer optimizer, LrSchedule schedule) {
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.baseLr = optimizer.lr();
        optimizer.setLr(schedule.lr(baseLr, 0));
    }

    /** Moves to the next epoch and sets its learning rate. */
    public void step() {
        epoch++;
        optimizer.setLr(schedule.lr(baseLr, epoch));
    }

    public int epoch() {
        return epoch;
    }

    /** Jumps to an epoch (when resuming). */
    public void setEpoch(int epoch) {
        this.epoch = epoch;
        optimizer.setLr(schedule.lr(baseLr, epoch));
    }

    public double lr() {
        return optimizer.lr();
    }

    /** The optimizer's rate when the schedule started. */
    public double baseLr() {
        return baseLr;
    }

    /** What a checkpoint keeps of a scheduler (PyTorch's {@code last_epoch} and {@code base_lrs}); the schedule itself is code. */
    public record State(int epoch, double baseLr) {
    }

    /** The position in the schedule and its base rate. */
    public State stateDict() {
        return new State(epoch, baseLr);
    }

    /** Continues from {@code state}: restores the epoch and base rate and sets the optimizer's rate for that epoch. */
    public void loadStateDict(State state) {
        if (state.epoch() < 0) throw new IllegalArgumentException("Scheduler.loadStateDict: negative epoch " + state.epoch());
        if (!(state.baseLr() >= 0) || Double.isInfinite(state.baseLr())) {
            throw new IllegalArgumentException("Scheduler.loadStateDict: base learning rate " + state.baseLr() + " is not a non-negative number");
        }
        baseLr = state.baseLr();
        setEpoch(state.epoch());
    }
}
