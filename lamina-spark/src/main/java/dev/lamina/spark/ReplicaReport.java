package dev.lamina.spark;

import java.io.Serializable;

/**
 * What one task of the barrier stage reports back to the driver.
 *
 * @param rank            the task's rank
 * @param epochLoss       mean training loss of each epoch run in this attempt (over all workers, from the all-reduced sums);
 *                        NaN for epochs not run
 * @param epochAccuracy   training accuracy of each epoch (NaN for a regressor)
 * @param steps           optimizer steps this attempt took
 * @param resumedFromStep global step of the checkpoint this attempt started from, -1 for a fresh start
 * @param computeSeconds  forward, backward and optimizer time of this attempt
 * @param commSeconds     all-reduce time of this attempt (waiting for slower peers included)
 * @param bytesSent       bytes this rank sent to its ring neighbour
 * @param weights         rank 0: the final state dict as a safetensors file's bytes; other ranks: empty
 * @param lastCheckpoint  rank 0: the last checkpoint directory written, or null
 */
public record ReplicaReport(int rank, double[] epochLoss, double[] epochAccuracy, long steps, long resumedFromStep,
                            double computeSeconds, double commSeconds, long bytesSent, byte[] weights, String lastCheckpoint) implements Serializable {
}
