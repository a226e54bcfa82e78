package dev.lamina.train;

/**
 * Hooks into a {@link Trainer} run, for logging, progress bars, charts and dashboards. All methods run on the
 * training thread and default to doing nothing. {@link #onTrainEnd} is called however training ends (completed,
 * stopped early, or failed with an exception), so a callback can release what it holds there.
 */
public interface Callback {
    /** Before the first epoch. */
    default void onTrainBegin(int epochs, int batchesPerEpoch, long samplesPerEpoch) {}

    /** Before epoch {@code epoch} (from 1). */
    default void onEpochBegin(int epoch) {}

    /** After each optimizer step. */
    default void onBatchEnd(BatchResult batch) {}

    /** After each epoch's training and validation passes. */
    default void onEpochEnd(EpochResult result) {}

    /** After the trainer saved a checkpoint (see {@link Trainer#checkpoints}); {@code checkpoint} is its directory. */
    default void onCheckpoint(java.nio.file.Path checkpoint) {}

    /** When training ends for any reason; {@link History#stopReason()} says which. */
    default void onTrainEnd(History history) {}
}
