package dev.lamina.spark;

/**
 * What a synchronous run does when the workers' partitions do not divide into the same number of batches (every worker
 * must take the same number of steps, or the all-reduce would wait forever).
 */
public enum UnevenBatches {
    /** Every worker takes as many steps as the largest partition needs; smaller ones repeat samples of the epoch's own order. */
    PAD,
    /** Every worker takes as many full batches as the smallest partition holds; the rest of each epoch's order is skipped. */
    DROP
}
