package dev.lamina.train;

/**
 * One training step, as callbacks see it: {@code batch} counts from 1 to {@code batches} within {@code epoch}
 * (from 1); {@code loss} is this batch's loss, {@code meanLoss} the running mean of the epoch so far.
 */
public record BatchResult(int epoch, int batch, int batches, int size, double loss, double meanLoss) {}
