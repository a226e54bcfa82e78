package dev.lamina.train;

/**
 * Training met a NaN or infinite loss (or gradient) and stopped before applying that step: the model keeps the
 * weights of the last good step.
 */
public final class NonFiniteLossException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final int epoch;
    private final int batch;
    private final transient History history;

    NonFiniteLossException(String message, int epoch, int batch, History history) {
        super(message);
        this.epoch = epoch;
        this.batch = batch;
        this.history = history;
    }

    /** The epoch, from 1. */
    public int epoch() {
        return epoch;
    }

    /** The batch within the epoch, from 1. */
    public int batch() {
        return batch;
    }

    /** The epochs completed before the failure. */
    public History history() {
        return history;
    }
}
