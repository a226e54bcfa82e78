package dev.lamina.dashboard;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * The record log of a run directory, {@value #FILE}: one JSON object per line, appended as training goes, each
 * with a {@code type}:
 * <ul>
 * <li>{@code begin}: epochs, batches_per_epoch, samples_per_epoch, wall (Unix seconds)</li>
 * <li>{@code step}: step (from 1), epoch, batch, batches, time (seconds since begin), loss, mean_loss, lr,
 *     grad_norm, samples_per_second</li>
 * <li>{@code layers}: step, epoch, time, hist (histograms of weights, gradients and activations, each with kind,
 *     name, edges, counts, mean, std, zeros, non_finite, n), update_ratio (per parameter: the norm of the step's
 *     change over the norm of the parameter before it), every (the sampling interval in steps)</li>
 * <li>{@code epoch}: epoch, step, time, train_loss, train_accuracy, val_loss, val_accuracy, val_macro_f1, lr,
 *     epoch_seconds, eval_seconds, samples_per_second, confusion (counts[actual][predicted]), stats_share (the
 *     share of step time spent collecting statistics so far), stats_share_epoch (the same within this epoch)</li>
 * <li>{@code event}: event (checkpoint, sampling, early_stopping, non_finite, failed, completed), step, time,
 *     message</li>
 * <li>{@code scalar}, {@code histogram}, {@code image}: TensorBoard values (tag, step, wall) read from event
 *     files of other programs</li>
 * </ul>
 * The run's settings are in {@value #SETTINGS}, written once, atomically.
 */
final class RunLog implements Closeable {
    static final String FILE = "records.jsonl";
    static final String SETTINGS = "settings.json";
    /** Lines are gathered and appended at most this often (and at every {@link #flush}). */
    static final long FLUSH_NANOS = 100_000_000L;

    private final AppendFile file;
    private final StringBuilder pending = new StringBuilder();
    private long flushed = System.nanoTime();

    RunLog(Path dir) throws IOException {
        this.file = new AppendFile(dir.resolve(FILE));
    }

    /**
     * Adds a record. Lines are appended to the file in groups, once {@value #FLUSH_NANOS} ns have passed since the
     * last append: one write per step would cost a system call each, and on a busy disk a call that extends a file
     * can wait milliseconds for the file system's journal, longer than a small model's step.
     */
    void write(Map<String, Object> record) throws IOException {
        JsonLine.write(pending, record);
        pending.append('\n');
        if (System.nanoTime() - flushed > FLUSH_NANOS) flush();
    }

    /** Appends the records gathered so far. */
    void flush() throws IOException {
        flushed = System.nanoTime();
        if (pending.isEmpty()) return;
        byte[] bytes = pending.toString().getBytes(StandardCharsets.UTF_8);
        pending.setLength(0);
        file.append(bytes);
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            file.close();
        }
    }
}
