package dev.lamina.nn;

import dev.lamina.nn.functional.BatchNormOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * What {@link BatchNorm1d} and {@link BatchNorm2d} share (PyTorch's {@code _BatchNorm}): parameters
 * {@code weight} (ones) and {@code bias} (zeros) when affine; buffers {@code running_mean} (zeros),
 * {@code running_var} (ones) and {@code num_batches_tracked} (a 0-d float here; an int64 in PyTorch) when tracking
 * running statistics.
 *
 * <p>Training mode normalizes each channel with the batch mean and biased variance and updates the running
 * statistics with {@code momentum} (using the unbiased variance), or with a cumulative average
 * (factor 1/num_batches_tracked) when {@code momentum} is null. Evaluation mode normalizes with the running
 * statistics; without them ({@code trackRunningStats = false}) it uses batch statistics in both modes.
 */
public abstract class BatchNormBase extends Module {
    /** What a batch norm is built from (each subclass's own {@code Config} record): features, eps, momentum (null: cumulative), affine, running statistics. */
    public interface Config extends LayerConfig {
        int numFeatures();

        double eps();

        /** The running-average factor, or null for a cumulative average. */
        Double momentum();

        boolean affine();

        boolean trackRunningStats();

        @Override
        BatchNormBase build(Rng rng);
    }

    private final int numFeatures;
    private final double eps;
    private final Double momentum;
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private final Tensor numBatchesTracked;

    protected BatchNormBase(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        String type = getClass().getSimpleName();
        if (numFeatures <= 0) throw new IllegalArgumentException(type + ": num_features must be positive, got " + numFeatures);
        if (!(eps >= 0)) throw new IllegalArgumentException(type + ": eps must be >= 0, got " + eps);
        if (momentum != null && !(momentum >= 0 && momentum <= 1)) throw new IllegalArgumentException(type + ": momentum must be in [0, 1] or null, got " + momentum);
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.weight = affine ? registerParameter("weight", Tensor.ones(numFeatures)) : null;
        this.bias = affine ? registerParameter("bias", Tensor.zeros(numFeatures)) : null;
        this.runningMean = trackRunningStats ? registerBuffer("running_mean", Tensor.zeros(numFeatures)) : null;
        this.runningVar = trackRunningStats ? registerBuffer("running_var", Tensor.ones(numFeatures)) : null;
        this.numBatchesTracked = trackRunningStats ? registerBuffer("num_batches_tracked", Tensor.scalar(0f)) : null;
    }

    private boolean keepEval;

    /**
     * With {@code true}, this layer stays in evaluation mode (normalising with, and never updating, its running
     * statistics) even when its model is put in training mode: BatchNorm frozen for fine-tuning. Puts it in
     * evaluation mode now; {@code false} lets the next {@link #train(boolean)} decide again.
     */
    public BatchNormBase keepEval(boolean value) {
        keepEval = value;
        if (value) super.train(false);
        return this;
    }

    /** True while {@link #keepEval} holds this layer in evaluation mode. */
    public boolean keepsEval() {
        return keepEval;
    }

    @Override
    public Module train(boolean mode) {
        return super.train(mode && !keepEval);
    }

    /** True if {@code x} has an accepted rank (the channel dim is always dim 1). */
    protected abstract boolean acceptsRank(int rank);

    /** The accepted input shapes for error messages, e.g. "[N, 4, H, W]". */
    protected abstract String expectedShape();

    /** Normalizes per channel (dim 1); the subclasses give the accepted shapes. */
    @Override
    public Tensor forward(Tensor x) {
        Statistics st = statistics(x);
        return BatchNormOp.batchNorm(x, runningMean, runningVar, weight, bias, st.fromBatch(), st.momentum(), eps);
    }

    /**
     * Which statistics a forward on {@code x} normalizes with, after checking x's shape: the batch's (training, or
     * no running statistics) with the running-average factor, else the running ones. In training this counts the
     * batch ({@code num_batches_tracked}), so call it once per forward: {@link #forward} does, and so does a fused
     * op that runs this layer (Sequential's {@code batch_norm_relu_max_pool}).
     */
    Statistics statistics(Tensor x) {
        if (!acceptsRank(x.dim()) || x.size(1) != numFeatures) throw shapeError(expectedShape(), x);
        boolean training = isTraining();
        if (training) {
            long perChannel = (long) x.numel() / numFeatures;
            if (perChannel <= 1) {
                throw new ShapeException(describe() + ": expected more than 1 value per channel when training, i.e. input of shape "
                        + expectedShape() + " with N·∏spatial > 1, got " + Shape.str(x.shape()));
            }
        }
        double factor = 0;
        if (training && runningMean != null) {
            float tracked = numBatchesTracked.item() + 1;
            numBatchesTracked.fill_(tracked);
            factor = momentum == null ? 1.0 / tracked : momentum;
        }
        return new Statistics(training || runningMean == null, factor);
    }

    /** @param fromBatch normalize with the batch's statistics; @param momentum the running averages' update factor (0: none) */
    record Statistics(boolean fromBatch, double momentum) {}

    public int numFeatures() {
        return numFeatures;
    }

    public double eps() {
        return eps;
    }

    /** The running-average factor, or null for a cumulative average. */
    public Double momentum() {
        return momentum;
    }

    /** {@code weight} [C], or null when not affine. */
    public Tensor weight() {
        return weight;
    }

    /** {@code bias} [C], or null when not affine. */
    public Tensor bias() {
        return bias;
    }

    /** {@code running_mean} [C], or null when not tracking running statistics. */
    public Tensor runningMean() {
        return runningMean;
    }

    /** {@code running_var} [C], or null when not tracking running statistics. */
    public Tensor runningVar() {
        return runningVar;
    }

    /** {@code num_batches_tracked} (0-d float), or null when not tracking running statistics. */
    public Tensor numBatchesTracked() {
        return numBatchesTracked;
    }

    @Override
    public abstract Config config();

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + eps + ", momentum=" + momentum + ", affine=" + (weight != null) + ", track_running_stats=" + (runningMean != null);
    }
}
