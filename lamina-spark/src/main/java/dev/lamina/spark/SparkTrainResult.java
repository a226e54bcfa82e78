package dev.lamina.spark;

import dev.lamina.nn.Module;

import java.util.Arrays;
import java.util.Locale;

/**
 * The outcome of {@link SparkTrainer#fit}.
 *
 * @param model           the trained model (rank 0's replica, identical to every other's), in evaluation mode
 * @param epochLoss       mean training loss per epoch over all workers
 * @param epochAccuracy   training accuracy per epoch (NaN for a regressor)
 * @param plan            how rows were dealt and batched (workers, steps per epoch, padding or dropping)
 * @param steps           optimizer steps of the last (successful) stage attempt
 * @param resumedFromStep global step the last attempt started from (-1: from scratch)
 * @param computeSeconds  per rank: forward, backward and optimizer time of the last attempt
 * @param commSeconds     per rank: all-reduce time of the last attempt
 * @param bytesSent       per rank: bytes sent to the ring neighbour
 * @param wallSeconds     the driver's time for the whole fit, validation included
 * @param lastCheckpoint  the last checkpoint directory rank 0 wrote, or null
 */
public record SparkTrainResult(Module model, double[] epochLoss, double[] epochAccuracy, EpochPlan plan, long steps, long resumedFromStep,
                               double[] computeSeconds, double[] commSeconds, long[] bytesSent, double wallSeconds, String lastCheckpoint) {

    /** Mean compute time per step on the slowest-computing rank, in milliseconds. */
    public double computeMillisPerStep() {
        return steps == 0 ? Double.NaN : Arrays.stream(computeSeconds).max().orElse(0) * 1000 / steps;
    }

    /** Mean all-reduce time per step (rank 0), in milliseconds. */
    public double commMillisPerStep() {
        return steps == 0 ? Double.NaN : commSeconds[0] * 1000 / steps;
    }

    /** One line: epochs, loss, accuracy, the step's compute/communication split and the batching policy. */
    public String summary() {
        int last = epochLoss.length - 1;
        return String.format(Locale.ROOT, "%d workers, %d epochs: loss %.4f, accuracy %.4f; per step %.2f ms compute + %.2f ms all-reduce; %s%s",
                plan.world(), epochLoss.length, epochLoss[last], epochAccuracy[last], computeMillisPerStep(), commMillisPerStep(), plan.describe(),
                resumedFromStep >= 0 ? "; resumed from step " + resumedFromStep : "");
    }
}
