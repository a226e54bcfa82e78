package dev.lamina.spark;

import dev.lamina.optim.AdamW;
import dev.lamina.optim.Adam;
import dev.lamina.optim.LrSchedule;
import dev.lamina.optim.Optimizer;
import dev.lamina.optim.Scheduler;
import dev.lamina.optim.SGD;
import dev.lamina.tensor.Tensor;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The settings of one synchronous data-parallel run; built with {@link #builder}, immutable, sent to every task.
 *
 * @param model            what each task builds its replica from
 * @param classes          classes of a classifier (labels 0 .. classes-1, cross-entropy loss); 0 for a regressor
 *                         (one output, mean squared error)
 * @param featureLength    values per sample the model takes
 * @param featuresCol      the DataFrame column holding features: array of float/double, or a Spark ML vector
 * @param labelCol         the column holding labels: a number
 * @param workers          Spark tasks (model replicas) of the barrier stage
 * @param batchPerWorker   samples per worker per step (the global batch is workers x batchPerWorker)
 * @param epochs           passes over the data
 * @param optimizer        adam, adamw or sgd (momentum 0.9)
 * @param lr               learning rate
 * @param seed             seeds initialisation, per-epoch shuffling and dropout
 * @param uneven           what to do when partitions differ in batch count
 * @param checkpointDir    where rank 0 saves Lamina checkpoints (a path every executor can reach, e.g. a shared
 *                         file system); null: none
 * @param checkpointEvery  save every this many steps (and at every epoch's end); 0: only at epochs' ends
 * @param resume           continue from the latest checkpoint in checkpointDir (the driver's --resume); without it the
 *                         directory must not hold checkpoints yet
 * @param ringTimeoutMillis how long a task waits for a peer before the stage fails (and Spark retries it)
 * @param averageEvery     0: sum gradients every step (synchronous SGD, the default); K > 0: local SGD, each worker
 *                         steps on its own gradients and the workers' weights and optimizer state are averaged every K
 *                         steps (and before each checkpoint and at the end): K times fewer all-reduces, a different
 *                         (usually less accurate) optimisation
 * @param bf16Wire         gradients travel as bfloat16 (half the bytes, 8-bit mantissa; see {@link RingAllReduce#bfloat16})
 * @param lrSchedule       constant, or cosine (to 0 over the epochs, stepped after each epoch, as {@code lamina train
 *                         --lr-schedule cosine})
 */
public record SparkTrainConfig(ModelFactory model, int classes, int featureLength, String featuresCol, String labelCol,
                               int workers, int batchPerWorker, int epochs, String optimizer, double lr, long seed,
                               UnevenBatches uneven, String checkpointDir, int checkpointEvery, boolean resume,
                               long ringTimeoutMillis, int averageEvery, boolean bf16Wire, String lrSchedule) implements Serializable {
    public SparkTrainConfig {
        if (model == null) throw new IllegalArgumentException("SparkTrainConfig: model is required");
        if (classes < 0 || classes == 1) throw new IllegalArgumentException("SparkTrainConfig: classes must be 0 (regression) or >= 2, got " + classes);
        if (featureLength <= 0) throw new IllegalArgumentException("SparkTrainConfig: featureLength must be positive, got " + featureLength);
        if (workers <= 0) throw new IllegalArgumentException("SparkTrainConfig: workers must be positive, got " + workers);
        if (batchPerWorker <= 0) throw new IllegalArgumentException("SparkTrainConfig: batchPerWorker must be positive, got " + batchPerWorker);
        if (epochs <= 0) throw new IllegalArgumentException("SparkTrainConfig: epochs must be positive, got " + epochs);
        if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("SparkTrainConfig: lr must be a finite number > 0, got " + lr);
        if (averageEvery < 0) throw new IllegalArgumentException("SparkTrainConfig: averageEvery must be >= 0 steps, got " + averageEvery);
        if (checkpointEvery < 0) throw new IllegalArgumentException("SparkTrainConfig: checkpointEvery must be >= 0, got " + checkpointEvery);
        if (resume && checkpointDir == null) throw new IllegalArgumentException("SparkTrainConfig: resume needs a checkpointDir");
        lrSchedule = lrSchedule.toLowerCase(Locale.ROOT);
        if (!List.of("constant", "cosine").contains(lrSchedule)) throw new IllegalArgumentException("SparkTrainConfig: unknown lrSchedule '" + lrSchedule + "'; available: constant, cosine");
        optimizer = optimizer.toLowerCase(Locale.ROOT);
        if (!List.of("adam", "adamw", "sgd").contains(optimizer)) throw new IllegalArgumentException("SparkTrainConfig: unknown optimizer '" + optimizer + "'; available: adam, adamw, sgd");
    }

    public static Builder builder(ModelFactory model) {
        return new Builder(model);
    }

    /** Whether labels are class indices. */
    public boolean isClassifier() {
        return classes > 0;
    }

    /** A fresh optimizer of this run over {@code params}. */
    public Optimizer newOptimizer(List<Tensor> params) {
        return switch (optimizer) {
            case "adam" -> new Adam(params, lr);
            case "adamw" -> new AdamW(params, lr);
            case "sgd" -> new SGD(params, lr).momentum(0.9);
            default -> throw new IllegalStateException(optimizer);
        };
    }

    /** The per-epoch learning-rate scheduler of this run over {@code optimizer}, or null for a constant rate. */
    public Scheduler newScheduler(Optimizer optimizer) {
        return lrSchedule.equals("cosine") ? new Scheduler(optimizer, LrSchedule.cosine(epochs, 0)) : null;
    }

    /** What a checkpoint of this run records, and what a resumed run must match. */
    public Map<String, String> checkpointConfig() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("spark.model", model.toString());
        m.put("spark.workers", Integer.toString(workers));
        m.put("spark.batch_per_worker", Integer.toString(batchPerWorker));
        m.put("spark.optimizer", optimizer);
        m.put("spark.lr", Double.toString(lr));
        m.put("spark.seed", Long.toString(seed));
        m.put("spark.uneven", uneven.name());
        m.put("spark.classes", Integer.toString(classes));
        m.put("spark.average_every", Integer.toString(averageEvery));
        m.put("spark.bf16_wire", Boolean.toString(bf16Wire));
        m.put("spark.lr_schedule", lrSchedule);
        return m;
    }

    /** Builder with defaults: classifier of 10 classes on 784 features, columns "features"/"label", 2 workers x 32, Adam 1e-3. */
    public static final class Builder {
        private final ModelFactory model;
        private int classes = 10, featureLength = 784, workers = 2, batchPerWorker = 32, epochs = 1, checkpointEvery, averageEvery;
        private String featuresCol = "features", labelCol = "label", optimizer = "adam", checkpointDir, lrSchedule = "constant";
        private double lr = 1e-3;
        private long seed = 42, ringTimeoutMillis = 120_000;
        private UnevenBatches uneven = UnevenBatches.DROP;
        private boolean resume, bf16Wire;

        private Builder(ModelFactory model) {
            this.model = model;
        }

        public Builder classes(int v) { classes = v; return this; }
        public Builder featureLength(int v) { featureLength = v; return this; }
        public Builder featuresCol(String v) { featuresCol = v; return this; }
        public Builder labelCol(String v) { labelCol = v; return this; }
        public Builder workers(int v) { workers = v; return this; }
        public Builder batchPerWorker(int v) { batchPerWorker = v; return this; }
        public Builder epochs(int v) { epochs = v; return this; }
        public Builder optimizer(String v) { optimizer = v; return this; }
        public Builder lr(double v) { lr = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder uneven(UnevenBatches v) { uneven = v; return this; }
        public Builder checkpoints(String dir, int everySteps) { checkpointDir = dir; checkpointEvery = everySteps; return this; }
        public Builder resume(boolean v) { resume = v; return this; }
        public Builder ringTimeoutMillis(long v) { ringTimeoutMillis = v; return this; }
        public Builder averageEvery(int steps) { averageEvery = steps; return this; }
        public Builder bf16Wire(boolean on) { bf16Wire = on; return this; }
        public Builder lrSchedule(String v) { lrSchedule = v; return this; }

        public SparkTrainConfig build() {
            return new SparkTrainConfig(model, classes, featureLength, featuresCol, labelCol, workers, batchPerWorker, epochs, optimizer, lr, seed,
                    uneven, checkpointDir, checkpointEvery, resume, ringTimeoutMillis, averageEvery, bf16Wire, lrSchedule);
        }
    }
}
