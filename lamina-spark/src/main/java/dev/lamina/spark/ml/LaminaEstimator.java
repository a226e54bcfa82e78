package dev.lamina.spark.ml;

import dev.lamina.spark.ModelFactory;
import dev.lamina.spark.SparkTrainConfig;
import dev.lamina.spark.SparkTrainResult;
import dev.lamina.spark.SparkTrainer;
import dev.lamina.spark.StateDictBytes;
import dev.lamina.spark.UnevenBatches;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.Dataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * What {@link LaminaClassifier} and {@link LaminaRegressor} share: the training settings as Spark ML params and
 * {@code fit}, which trains with {@link SparkTrainer} (one barrier stage, ring all-reduce) and returns the model.
 * The model is a named Lamina model ({@code modelName}), a model definition ({@code modelSpec}, JSON as
 * {@code lamina train --model-file} takes), or any {@link ModelFactory} set with {@link #setModelFactory} (not saved
 * with the estimator's params).
 */
public abstract class LaminaEstimator<M extends LaminaModel<M>, E extends LaminaEstimator<M, E>> extends Estimator<M> implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;
    private final String uid;
    ModelFactory customFactory;

    private final Param<String> featuresCol;
    private final Param<String> labelCol;
    private final Param<String> predictionCol;
    private final Param<String> modelName;
    private final Param<String> modelSpec;
    private final IntParam featureLength;
    private final IntParam workers;
    private final IntParam batchPerWorker;
    private final IntParam epochs;
    private final DoubleParam lr;
    private final Param<String> optimizer;
    private final LongParam seed;
    private final Param<String> uneven;
    private final Param<String> checkpointDir;
    private final IntParam checkpointEvery;

    LaminaEstimator(String uid) {
        this.uid = uid;
        featuresCol = new Param<>(this, "featuresCol", "features column: array<float>, array<double> or a Spark ML vector");
        labelCol = new Param<>(this, "labelCol", "label column");
        predictionCol = new Param<>(this, "predictionCol", "prediction column of the fitted model");
        modelName = new Param<>(this, "modelName", "a named Lamina model (mlp, cnn, rowlstm), when modelSpec is empty");
        modelSpec = new Param<>(this, "modelSpec", "a model definition (JSON), or empty");
        featureLength = new IntParam(this, "featureLength", "values per row the model takes", ParamValidators.gt(0));
        workers = new IntParam(this, "workers", "Spark tasks (model replicas) training together", ParamValidators.gt(0));
        batchPerWorker = new IntParam(this, "batchPerWorker", "samples per worker per step", ParamValidators.gt(0));
        epochs = new IntParam(this, "epochs", "passes over the data", ParamValidators.gt(0));
        lr = new DoubleParam(this, "lr", "learning rate", ParamValidators.gt(0));
        optimizer = new Param<>(this, "optimizer", "adam, adamw or sgd");
        seed = new LongParam(this, "seed", "seed of initialisation, shuffling and dropout");
        uneven = new Param<>(this, "uneven", "PAD or DROP when partitions differ in batch count");
        checkpointDir = new Param<>(this, "checkpointDir", "shared directory for checkpoints, or empty");
        checkpointEvery = new IntParam(this, "checkpointEvery", "checkpoint every N steps (0: at epochs' ends)", ParamValidators.gtEq(0));
        setDefault(featuresCol, "features");
        setDefault(labelCol, "label");
        setDefault(predictionCol, "prediction");
        setDefault(modelName, "mlp");
        setDefault(modelSpec, "");
        setDefault(featureLength, 784);
        setDefault(workers, 2);
        setDefault(batchPerWorker, 32);
        setDefault(epochs, 1);
        setDefault(lr, 1e-3);
        setDefault(optimizer, "adam");
        setDefault(seed, 42L);
        setDefault(uneven, "DROP");
        setDefault(checkpointDir, "");
        setDefault(checkpointEvery, 0);
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> featuresCol() { return featuresCol; }
    public Param<String> labelCol() { return labelCol; }
    public Param<String> predictionCol() { return predictionCol; }
    public Param<String> modelName() { return modelName; }
    public Param<String> modelSpec() { return modelSpec; }
    public IntParam featureLength() { return featureLength; }
    public IntParam workers() { return workers; }
    public IntParam batchPerWorker() { return batchPerWorker; }
    public IntParam epochs() { return epochs; }
    public DoubleParam lr() { return lr; }
    public Param<String> optimizer() { return optimizer; }
    public LongParam seed() { return seed; }
    public Param<String> uneven() { return uneven; }
    public Param<String> checkpointDir() { return checkpointDir; }
    public IntParam checkpointEvery() { return checkpointEvery; }

    @SuppressWarnings("unchecked")
    private E self() { return (E) this; }

    public E setFeaturesCol(String v) { set(featuresCol, v); return self(); }
    public E setLabelCol(String v) { set(labelCol, v); return self(); }
    public E setPredictionCol(String v) { set(predictionCol, v); return self(); }
    public E setModelName(String v) { set(modelName, v); return self(); }
    public E setModelSpec(String v) { set(modelSpec, v); return self(); }
    public E setFeatureLength(int v) { set(featureLength, v); return self(); }
    public E setWorkers(int v) { set(workers, v); return self(); }
    public E setBatchPerWorker(int v) { set(batchPerWorker, v); return self(); }
    public E setEpochs(int v) { set(epochs, v); return self(); }
    public E setLr(double v) { set(lr, v); return self(); }
    public E setOptimizer(String v) { set(optimizer, v); return self(); }
    public E setSeed(long v) { set(seed, v); return self(); }
    public E setUneven(String v) { set(uneven, v); return self(); }
    public E setCheckpointDir(String v) { set(checkpointDir, v); return self(); }
    public E setCheckpointEvery(int v) { set(checkpointEvery, v); return self(); }

    /** Trains a model of this factory's making instead of modelName/modelSpec. */
    public E setModelFactory(ModelFactory factory) {
        this.customFactory = factory;
        return self();
    }

    /** The model recipe the params (or {@link #setModelFactory}) name. */
    public ModelFactory factory() {
        if (customFactory != null) return customFactory;
        String spec = getOrDefault(modelSpec);
        return spec.isEmpty() ? ModelFactory.named(getOrDefault(modelName)) : ModelFactory.spec(spec);
    }

    /** Classes of a classifier, 0 for a regressor. */
    abstract int classCount();

    /** The fitted model from the trained weights. */
    abstract M model(String uid, ModelFactory factory, byte[] weights);

    /** The training settings the params make. */
    public SparkTrainConfig trainConfig() {
        String dir = getOrDefault(checkpointDir);
        UnevenBatches policy;
        try {
            policy = UnevenBatches.valueOf(getOrDefault(uneven).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("uneven must be PAD or DROP, got '" + getOrDefault(uneven) + "'");
        }
        return SparkTrainConfig.builder(factory()).classes(classCount()).featureLength((Integer) getOrDefault(featureLength))
                .featuresCol(getOrDefault(featuresCol)).labelCol(getOrDefault(labelCol)).workers((Integer) getOrDefault(workers))
                .batchPerWorker((Integer) getOrDefault(batchPerWorker)).epochs((Integer) getOrDefault(epochs)).lr((Double) getOrDefault(lr))
                .optimizer(getOrDefault(optimizer)).seed((Long) getOrDefault(seed)).uneven(policy)
                .checkpoints(dir.isEmpty() ? null : dir, (Integer) getOrDefault(checkpointEvery)).build();
    }

    /** The last fit's training result (loss per epoch, timing), or null before a fit. */
    public transient SparkTrainResult lastResult;

    @Override
    public M fit(Dataset<?> dataset) {
        SparkTrainConfig cfg = trainConfig();
        transformSchema(dataset.schema());
        SparkTrainResult r = SparkTrainer.fit(dataset.toDF(), cfg);
        lastResult = r;
        byte[] weights;
        try {
            weights = StateDictBytes.of(r.model());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        M m = model(uid() + "_model", cfg.model(), weights);
        m.setFeaturesCol(getOrDefault(featuresCol)).setPredictionCol(getOrDefault(predictionCol));
        m.setParent(this);
        return m;
    }

    @Override
    public org.apache.spark.sql.types.StructType transformSchema(org.apache.spark.sql.types.StructType schema) {
        return model(uid(), factory(), new byte[0]).setFeaturesCol(getOrDefault(featuresCol)).setPredictionCol(getOrDefault(predictionCol)).transformSchema(schema);
    }
}
