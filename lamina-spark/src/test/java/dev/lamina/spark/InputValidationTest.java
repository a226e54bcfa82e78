package dev.lamina.spark;

import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input is refused on the driver, before the training stage, with the column, the expected and the actual value. */
class InputValidationTest {
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkTestData.local();
    }

    static org.apache.spark.sql.Dataset<Row> arrays(List<Float[]> features, List<Object> labels, org.apache.spark.sql.types.DataType labelType) {
        StructType schema = new StructType().add("features", DataTypes.createArrayType(DataTypes.FloatType), true).add("label", labelType, true);
        List<Row> rows = new java.util.ArrayList<>();
        for (int i = 0; i < features.size(); i++) rows.add(RowFactory.create(features.get(i), labels.get(i)));
        return spark.createDataFrame(rows, schema);
    }

    static Float[] row(int n) {
        Float[] f = new Float[n];
        java.util.Arrays.fill(f, 0.5f);
        return f;
    }

    static String fails(org.apache.spark.sql.Dataset<Row> df, SparkTrainConfig cfg) {
        String message = assertThrows(IllegalArgumentException.class, () -> SparkTrainer.fit(df, cfg)).getMessage();
        return message;
    }

    static SparkTrainConfig cfg(int features) {
        return SparkTrainConfig.builder(ModelFactory.named("mlp")).featureLength(features).workers(2).batchPerWorker(1).build();
    }

    @Test
    void aMissingColumnIsNamedWithTheColumnsThereAre() {
        var df = arrays(List.<Float[]>of(row(784)), List.of(1), DataTypes.IntegerType).withColumnRenamed("features", "pixels");
        String m = fails(df, cfg(784));
        assertEquals("features column 'features' not found; the DataFrame has columns [pixels, label]", m);
        m = fails(df.withColumnRenamed("pixels", "features").withColumnRenamed("label", "y"), cfg(784));
        assertEquals("label column 'label' not found; the DataFrame has columns [features, y]", m);
    }

    @Test
    void featuresOfTheWrongLengthOrTypeAreRefused() {
        String m = fails(arrays(List.of(row(784), row(783), row(784)), List.of(1, 2, 3), DataTypes.IntegerType), cfg(784));
        assertEquals("features column 'features' holds rows of length 783 to 784; the model takes 784 values per row", m);
        var strings = spark.createDataFrame(List.of(RowFactory.create("x", 1)), new StructType().add("features", DataTypes.StringType).add("label", DataTypes.IntegerType));
        m = fails(strings, cfg(784));
        assertEquals("features column 'features' has type string; expected array<float>, array<double> or a Spark ML vector (e.g. from VectorAssembler)", m);
        var vectors = spark.createDataFrame(List.of(RowFactory.create(Vectors.dense(1, 2, 3), 1.0)), new StructType().add("features", new VectorUDT()).add("label", DataTypes.DoubleType));
        m = fails(vectors, cfg(784));
        assertEquals("features column 'features' holds rows of length 3; the model takes 784 values per row", m);
        m = fails(arrays(java.util.Arrays.asList(row(784), null), List.of(1, 2), DataTypes.IntegerType), cfg(784));
        assertEquals("features column 'features' is null in 1 of 2 rows", m);
    }

    @Test
    void labelsOutOfRangeNonIntegralOrOfTheWrongTypeAreRefused() {
        String m = fails(arrays(List.of(row(784), row(784)), List.of(3, 10), DataTypes.IntegerType), cfg(784));
        assertEquals("label column 'label' holds values 3 to 10; a classifier of 10 classes takes 0 to 9", m);
        m = fails(arrays(List.of(row(784), row(784)), List.of(-1, 2), DataTypes.IntegerType), cfg(784));
        assertEquals("label column 'label' holds values -1 to 2; a classifier of 10 classes takes 0 to 9", m);
        m = fails(arrays(List.of(row(784), row(784)), List.of(1.5, 2.0), DataTypes.DoubleType), cfg(784));
        assertEquals("label column 'label' holds 1 non-integral values; a classifier takes class indices 0..9", m);
        m = fails(arrays(List.<Float[]>of(row(784)), List.of("cat"), DataTypes.StringType), cfg(784));
        assertEquals("label column 'label' has type string; expected a number (class index 0..9)", m);
        m = fails(arrays(List.of(row(784), row(784)), java.util.Arrays.asList(1, null), DataTypes.IntegerType), cfg(784));
        assertEquals("label column 'label' is null in 1 of 2 rows", m);
    }

    @Test
    void anEmptyFrameAndAPartitionSmallerThanABatchAreRefused() {
        String m = fails(arrays(List.of(), List.of(), DataTypes.IntegerType), cfg(784));
        assertEquals("the DataFrame has no rows", m);
        SparkTrainConfig big = SparkTrainConfig.builder(ModelFactory.named("mlp")).workers(2).batchPerWorker(8).build();
        m = fails(arrays(List.of(row(784), row(784), row(784)), List.of(1, 2, 3), DataTypes.IntegerType), big);
        assertEquals("worker 0's partition holds 2 rows, fewer than one batch of 8 (with uneven=DROP it would take no steps)", m);
    }

    @Test
    void checkpointsOfAnEarlierRunNeedResumeAndResumeNeedsACheckpoint(@TempDir Path dir) throws Exception {
        var df = arrays(List.of(row(784), row(784)), List.of(1, 2), DataTypes.IntegerType);
        SparkTrainConfig resume = SparkTrainConfig.builder(ModelFactory.named("mlp")).workers(2).batchPerWorker(1).checkpoints(dir.toString(), 1).resume(true).build();
        assertEquals("resume: no checkpoint in " + dir + " (no 'latest' file)", fails(df, resume));
        Files.writeString(dir.resolve("latest"), "ckpt-000000001");
        SparkTrainConfig fresh = SparkTrainConfig.builder(ModelFactory.named("mlp")).workers(2).batchPerWorker(1).checkpoints(dir.toString(), 1).build();
        String m = fails(df, fresh);
        assertTrue(m.startsWith("checkpoint directory " + dir + " already holds checkpoints"), m);
    }

    @Test
    void aConfigurationOutOfRangeNamesTheSetting() {
        var e = assertThrows(IllegalArgumentException.class, () -> SparkTrainConfig.builder(ModelFactory.named("mlp")).optimizer("lbfgs").build());
        assertEquals("SparkTrainConfig: unknown optimizer 'lbfgs'; available: adam, adamw, sgd", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelFactory.named("resnet"));
        assertEquals("unknown model 'resnet' for Spark training; available: mlp, cnn, rowlstm", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SparkTrainConfig.builder(ModelFactory.named("mlp")).workers(0).build());
        assertEquals("SparkTrainConfig: workers must be positive, got 0", e.getMessage());
    }
}
