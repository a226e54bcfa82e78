package dev.lamina.optim;

/** Applies an {@link LrSchedule} to an optimizer: call {@link #step()} once per epoch, after the epoch's updates. */
public final class Scheduler {
    private final Optimizer optimizer;
    private final LrSchedule schedule;
    private final double baseLr;
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
}
