package dev.lamina.spark.ml;

import dev.lamina.autograd.Autograd;
import dev.lamina.io.Safetensors;
import dev.lamina.models.ModelSpec;
import dev.lamina.models.Models;
import dev.lamina.nn.Module;
import dev.lamina.onnx.OnnxExport;
import dev.lamina.spark.ModelFactory;
import dev.lamina.spark.StateDictBytes;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import dev.lamina.train.Metrics;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
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
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spark ML stages: fit in a Pipeline after VectorAssembler, transform, save and load, batch inference (Lamina and ONNX). */
class SparkMlTest {
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = dev.lamina.spark.SparkTestAccess.local();
    }

    /** A table the test writes: x1, x2, x3 uniform in [-1, 1); class 0/1/2 by x1 + x2 below -0.5 / above 0.5 / between; y = 2 x1 - x2 + 0.5. */
    static Dataset<Row> table(int n, long seed) {
        Rng rng = new Rng(seed);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double a = rng.nextDouble() * 2 - 1, b = rng.nextDouble() * 2 - 1, c = rng.nextDouble() * 2 - 1;
            int cls = a + b < -0.5 ? 0 : a + b > 0.5 ? 1 : 2;
            rows.add(RowFactory.create(a, b, c, cls, 2 * a - b + 0.5));
        }
        StructType schema = new StructType().add("x1", DataTypes.DoubleType).add("x2", DataTypes.DoubleType).add("x3", DataTypes.DoubleType)
                .add("label", DataTypes.IntegerType).add("y", DataTypes.DoubleType);
        return spark.createDataFrame(rows, schema);
    }

    static double accuracy(Dataset<Row> predicted) {
        List<Row> rows = predicted.select("label", "prediction").collectAsList();
        long ok = rows.stream().filter(r -> r.getInt(0) == (int) r.getDouble(1)).count();
        return (double) ok / rows.size();
    }

    @Test
    void aClassifierInAPipelineWithVectorAssemblerTrainsPredictsSavesAndLoads(@TempDir Path dir) throws Exception {
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
                new VectorAssembler().setInputCols(new String[] {"x1", "x2", "x3"}).setOutputCol("features"),
                new LaminaClassifier().setModelSpec(ModelSpec.tabularMlp(3, 3).toJson()).setFeatureLength(3).setClasses(3)
                        .setEpochs(20).setBatchPerWorker(16).setLr(1e-2).setWorkers(2)});
        PipelineModel fitted = pipeline.fit(table(1200, 1));
        Dataset<Row> test = table(400, 2);
        Dataset<Row> predicted = fitted.transform(test);
        double acc = accuracy(predicted);
        assertTrue(acc > 0.9, "test accuracy " + acc);
        for (Row r : predicted.select("probability").collectAsList()) {
            double[] p = ((Vector) r.get(0)).toArray();
            assertEquals(3, p.length);
            assertEquals(1.0, p[0] + p[1] + p[2], 1e-9);
        }

        String saved = dir.resolve("pipeline").toString();
        fitted.write().save(saved);
        PipelineModel loaded = PipelineModel.load(saved);
        List<Row> a = predicted.select("prediction", "probability").collectAsList(), b = loaded.transform(test).select("prediction", "probability").collectAsList();
        assertEquals(a, b, "the loaded pipeline predicts exactly as the saved one");
        try (var files = Files.walk(Path.of(saved))) {
            Path weights = files.filter(p -> p.getFileName().toString().equals("weights.safetensors")).findFirst().orElseThrow();
            assertTrue(Safetensors.read(weights).containsKey("1.weight"), "the weights are a safetensors file Lamina reads");
        }
    }

    @Test
    void aRegressorLearnsALinearTargetAndRoundTripsThroughSave(@TempDir Path dir) throws Exception {
        var assembler = new VectorAssembler().setInputCols(new String[] {"x1", "x2"}).setOutputCol("features");
        Dataset<Row> train = assembler.transform(table(1200, 3)), test = assembler.transform(table(300, 4));
        LaminaRegressionModel m = new LaminaRegressor().setModelSpec(ModelSpec.tabularMlp(2, 1).toJson()).setFeatureLength(2).setLabelCol("y")
                .setEpochs(20).setBatchPerWorker(16).setLr(1e-2).fit(train);
        List<Row> rows = m.transform(test).select("y", "prediction").collectAsList();
        double se = 0;
        for (Row r : rows) se += Math.pow(r.getDouble(0) - r.getDouble(1), 2);
        double rmse = Math.sqrt(se / rows.size());
        assertTrue(rmse < 0.2, "test RMSE " + rmse + " (target std about 1.3)");
        m.write().save(dir.resolve("m").toString());
        LaminaRegressionModel back = LaminaRegressionModel.load(dir.resolve("m").toString());
        assertEquals(m.transform(test).select("prediction").collectAsList(), back.transform(test).select("prediction").collectAsList());
    }

    /** The features of {@code df}'s rows as one batch, and the model's arg-max there, computed here in one process. */
    static int[] localPredictions(Module model, List<Row> rows) {
        float[] x = new float[rows.size() * 784];
        for (int i = 0; i < rows.size(); i++) {
            List<Object> f = rows.get(i).getList(0);
            for (int j = 0; j < 784; j++) x[i * 784 + j] = (Float) f.get(j);
        }
        model.eval();
        try (var s = Autograd.noGrad()) {
            return Metrics.argmax(model.forward(Tensor.of(x, rows.size(), 784)));
        }
    }

    @Test
    void batchInferenceOverPartitionsMatchesOneProcessForLaminaAndOnnxModels(@TempDir Path dir) throws Exception {
        var split = dev.lamina.spark.SparkTestAccess.fashion();
        Dataset<Row> train = dev.lamina.spark.SparkTestAccess.frame(spark, split.train(), 1000);
        Dataset<Row> test = dev.lamina.spark.SparkTestAccess.frame(spark, split.test(), 300).repartition(3);
        LaminaClassificationModel m = new LaminaClassifier().setModelName("mlp").setEpochs(1).fit(train).setBatchSize(64);
        List<Row> rows = m.transform(test).select("features", "prediction").collectAsList();
        Module local = Models.create("mlp", new Rng(0));
        local.loadStateDict(StateDictBytes.read(m.weights()), true);
        int[] expected = localPredictions(local, rows);
        for (int i = 0; i < rows.size(); i++) assertEquals(expected[i], (int) rows.get(i).getDouble(1), "row " + i);

        Path onnx = dir.resolve("mlp.onnx");
        OnnxExport.export(local, new int[] {1, 784}, onnx);
        List<Row> viaOnnx = OnnxBatchInference.transform(test, Files.readAllBytes(onnx), "features", "scores", 50).select("features", "scores").collectAsList();
        int[] onnxExpected = localPredictions(local, viaOnnx);
        for (int i = 0; i < viaOnnx.size(); i++) {
            double[] s = ((Vector) viaOnnx.get(i).get(1)).toArray();
            assertEquals(10, s.length);
            assertEquals(onnxExpected[i], ((Vector) viaOnnx.get(i).get(1)).argmax(), "row " + i);
        }
        var e = assertThrows(IllegalArgumentException.class, () -> OnnxBatchInference.transform(test, Files.readAllBytes(onnx), "pixels", "scores", 50));
        assertEquals("features column 'pixels' not found; the DataFrame has columns [features, label]", e.getMessage());
    }

    @Test
    void badColumnsAndUnsavableModelsAreNamed() {
        LaminaClassificationModel m = new LaminaClassificationModel("m", ModelFactory.named("mlp"), 784, 10, new byte[0]);
        var e = assertThrows(IllegalArgumentException.class, () -> m.transform(table(5, 1)));
        assertEquals("features column 'features' not found; the DataFrame has columns [x1, x2, x3, label, y]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.setFeaturesCol("x1").transform(table(5, 1)));
        assertEquals("features column 'x1' has type double; expected array<float>, array<double> or a Spark ML vector", e.getMessage());
        LaminaClassificationModel custom = new LaminaClassificationModel("c", rng -> Models.mlp(rng), 784, 10, new byte[0]);
        var u = assertThrows(UnsupportedOperationException.class, custom::write);
        assertTrue(u.getMessage().startsWith("only Lamina's named models (mlp, cnn, rowlstm) and model definitions (ModelFactory.spec) can be saved"), u.getMessage());
        var bad = assertThrows(IllegalArgumentException.class, () -> new LaminaClassifier().setUneven("sometimes").trainConfig());
        assertEquals("uneven must be PAD or DROP, got 'sometimes'", bad.getMessage());
    }
}
