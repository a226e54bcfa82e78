package dev.lamina.spark.ml;

import dev.lamina.spark.ModelFactory;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Properties;

/**
 * A trained Lamina model as a Spark ML {@code Model} (a Transformer): {@code transform} appends the model's predictions
 * to a DataFrame by distributed batch inference (the weights broadcast once, batches of {@code batchSize} rows per
 * partition, evaluation mode, no tape). Saved with {@code write().save(dir)} as Spark's metadata plus the weights as
 * safetensors ({@link ModelDirectory}); loaded with the subclass's static {@code load}/{@code read}, also inside a
 * saved {@code PipelineModel}.
 */
public abstract class LaminaModel<M extends LaminaModel<M>> extends Model<M> implements MLWritable {
    private static final long serialVersionUID = 1L;
    private final String uid;
    final ModelFactory factory;
    final int featureLength;
    final byte[] weights;

    private final Param<String> featuresCol;
    private final Param<String> predictionCol;
    private final IntParam batchSize;

    LaminaModel(String uid, ModelFactory factory, int featureLength, byte[] weights) {
        this.uid = uid;
        this.factory = factory;
        this.featureLength = featureLength;
        this.weights = weights;
        this.featuresCol = new Param<>(this, "featuresCol", "features column: array<float>, array<double> or a Spark ML vector");
        this.predictionCol = new Param<>(this, "predictionCol", "prediction column name");
        this.batchSize = new IntParam(this, "batchSize", "rows per inference batch", ParamValidators.gt(0));
        setDefault(featuresCol, "features");
        setDefault(predictionCol, "prediction");
        setDefault(batchSize, 256);
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> featuresCol() { return featuresCol; }
    public Param<String> predictionCol() { return predictionCol; }
    public IntParam batchSize() { return batchSize; }

    @SuppressWarnings("unchecked")
    public M setFeaturesCol(String v) { set(featuresCol, v); return (M) this; }
    @SuppressWarnings("unchecked")
    public M setPredictionCol(String v) { set(predictionCol, v); return (M) this; }
    @SuppressWarnings("unchecked")
    public M setBatchSize(int v) { set(batchSize, v); return (M) this; }

    public String getFeaturesCol() { return getOrDefault(featuresCol); }
    public String getPredictionCol() { return getOrDefault(predictionCol); }
    public int getBatchSize() { return (Integer) getOrDefault(batchSize); }

    /** Values per row the model takes. */
    public int featureLength() {
        return featureLength;
    }

    /** The trained state dict as safetensors bytes. */
    public byte[] weights() {
        return weights.clone();
    }

    abstract BatchPredictor.Kind kind();

    /** Adds the output columns of {@link #kind()} to {@code schema}. */
    abstract StructType addOutputs(StructType schema);

    @Override
    public StructType transformSchema(StructType schema) {
        String f = getFeaturesCol();
        if (!Arrays.asList(schema.fieldNames()).contains(f)) {
            throw new IllegalArgumentException("features column '" + f + "' not found; the DataFrame has columns " + Arrays.toString(schema.fieldNames()));
        }
        var t = schema.apply(f).dataType();
        boolean ok = t instanceof VectorUDT || (t instanceof org.apache.spark.sql.types.ArrayType a
                && (a.elementType().equals(DataTypes.FloatType) || a.elementType().equals(DataTypes.DoubleType)));
        if (!ok) throw new IllegalArgumentException("features column '" + f + "' has type " + t.simpleString() + "; expected array<float>, array<double> or a Spark ML vector");
        return addOutputs(schema);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        Dataset<Row> df = dataset.toDF();
        Broadcast<byte[]> b = df.sparkSession().sparkContext().broadcast(weights, scala.reflect.ClassTag$.MODULE$.apply(byte[].class));
        BatchPredictor predictor = new BatchPredictor(b, new ModelSource.Lamina(factory), df.schema().fieldIndex(getFeaturesCol()), getFeaturesCol(),
                featureLength, getBatchSize(), kind());
        return df.mapPartitions(predictor, Encoders.row(out));
    }

    /** Extra settings a subclass saves (classes). */
    void saveProperties(Properties p) {
    }

    @Override
    public MLWriter write() {
        if (!(factory instanceof ModelFactory.Named) && !(factory instanceof ModelFactory.Spec)) {
            throw new UnsupportedOperationException("only Lamina's named models (" + String.join(", ", dev.lamina.models.Models.NAMES)
                    + ") and model definitions (ModelFactory.spec) can be saved as a Spark ML model; this one is built by " + factory + " (save weights() yourself)");
        }
        LaminaModel<M> self = this;
        return new MLWriter() {
            @Override
            public void saveImpl(String path) {
                DefaultParamsWriter.saveMetadata(self, path, sparkSession());
                Properties p = new Properties();
                if (factory instanceof ModelFactory.Named named) p.setProperty("model", named.name());
                else p.setProperty("spec", ((ModelFactory.Spec) factory).json());
                p.setProperty("featureLength", Integer.toString(featureLength));
                saveProperties(p);
                try {
                    ModelDirectory.write(path, sparkSession().sparkContext().hadoopConfiguration(), weights, p);
                } catch (IOException e) {
                    throw new UncheckedIOException("saving the Lamina model into " + path + ": " + e.getMessage(), e);
                }
            }
        };
    }

    /** Builds a saved model: {@code (uid, factory, featureLength, weights, properties)} → model. */
    @FunctionalInterface
    interface Maker<M> {
        M make(String uid, ModelFactory factory, int featureLength, byte[] weights, Properties p) throws IOException;
    }

    /** The reader of a subclass saved by {@link #write()}. */
    static <M extends LaminaModel<M>> MLReader<M> reader(Class<M> type, Maker<M> maker) {
        return new MLReader<>() {
            @Override
            public M load(String path) {
                DefaultParamsReader.Metadata metadata = DefaultParamsReader.loadMetadata(path, sparkSession(), type.getName());
                try {
                    var conf = sparkSession().sparkContext().hadoopConfiguration();
                    Properties p = ModelDirectory.properties(path, conf);
                    M m = maker.make(metadata.uid(), p.containsKey("spec") ? ModelFactory.spec(p.getProperty("spec")) : ModelFactory.named(ModelDirectory.require(p, "model", path)),
                            Integer.parseInt(ModelDirectory.require(p, "featureLength", path)), ModelDirectory.weights(path, conf), p);
                    metadata.getAndSetParams(m, scala.Option.empty());
                    return m;
                } catch (IOException e) {
                    throw new UncheckedIOException("loading the Lamina model from " + path + ": " + e.getMessage(), e);
                }
            }
        };
    }
}
