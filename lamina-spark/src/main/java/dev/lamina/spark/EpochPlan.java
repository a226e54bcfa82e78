package dev.lamina.spark;

import dev.lamina.tensor.Rng;

/**
 * Which local rows each worker trains on in each step: every epoch a worker shuffles its own partition with a
 * generator seeded by (run seed, epoch, rank), and all workers take the same number of steps ({@link UnevenBatches}).
 * A pure function of its arguments, so a restarted task (or a test's single-process reference) draws the same batches.
 *
 * @param rows          rows in each rank's partition, in rank order
 * @param batchPerWorker samples each worker puts in each step
 * @param seed          the run's seed
 * @param uneven        pad or drop when the partitions' batch counts differ
 */
public record EpochPlan(long[] rows, int batchPerWorker, long seed, UnevenBatches uneven) implements java.io.Serializable {
    public EpochPlan {
        if (batchPerWorker <= 0) throw new IllegalArgumentException("EpochPlan: batch per worker must be positive, got " + batchPerWorker);
        for (int r = 0; r < rows.length; r++) {
            if (rows[r] < (uneven == UnevenBatches.DROP ? batchPerWorker : 1)) {
                throw new IllegalArgumentException("worker " + r + "'s partition holds " + rows[r] + " rows, fewer than "
                        + (uneven == UnevenBatches.DROP ? "one batch of " + batchPerWorker + " (with uneven=DROP it would take no steps)" : "one"));
            }
        }
        rows = rows.clone();
    }

    public int world() {
        return rows.length;
    }

    /** Steps per epoch, the same on every worker. */
    public int stepsPerEpoch() {
        long steps = uneven == UnevenBatches.DROP ? Long.MAX_VALUE : 0;
        for (long n : rows) {
            steps = uneven == UnevenBatches.DROP ? Math.min(steps, n / batchPerWorker) : Math.max(steps, (n + batchPerWorker - 1) / batchPerWorker);
        }
        return Math.toIntExact(steps);
    }

    /** Samples trained on per epoch over all workers (with PAD, repeated samples included). */
    public long samplesPerEpoch() {
        return (long) stepsPerEpoch() * batchPerWorker * world();
    }

    /** Rows in all partitions. */
    public long totalRows() {
        long t = 0;
        for (long n : rows) t += n;
        return t;
    }

    /** Rank {@code rank}'s order of its local rows in epoch {@code epoch} (from 1). */
    public int[] order(int epoch, int rank) {
        long mixed = seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + rank * 0x94D049BB133111EBL;
        return new Rng(mixed).permutation(Math.toIntExact(rows[rank]));
    }

    /** Local row indices of step {@code step} (from 0) of an epoch whose order is {@code order}. */
    public int[] batch(int[] order, int step) {
        int[] b = new int[batchPerWorker];
        long start = (long) step * batchPerWorker;
        for (int j = 0; j < batchPerWorker; j++) b[j] = order[(int) ((start + j) % order.length)];
        return b;
    }

    /** A sentence for results: how many samples a policy repeated or skipped per epoch. */
    public String describe() {
        long total = totalRows(), used = samplesPerEpoch();
        return switch (uneven) {
            case PAD -> "uneven=PAD: " + stepsPerEpoch() + " steps per epoch of " + world() + " x " + batchPerWorker + " samples; "
                    + (used - total) + " of " + used + " samples per epoch are repeats (padding)";
            case DROP -> "uneven=DROP: " + stepsPerEpoch() + " steps per epoch of " + world() + " x " + batchPerWorker + " samples; "
                    + (total - used) + " of " + total + " rows per epoch are skipped";
        };
    }
}
