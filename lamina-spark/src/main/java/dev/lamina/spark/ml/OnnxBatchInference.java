package dev.lamina.spark.ml;

import dev.lamina.onnx.OnnxModel;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;

/**
 * Distributed batch inference of an imported ONNX model (run by Lamina's ONNX runtime on the executors): the .onnx
 * bytes are broadcast once, each executor slot parses them once, and each partition runs in batches. The graph must
 * take one float input [N, F] (N free or equal to the batch size) and {@code output} is appended as a vector column.
 */
public final class OnnxBatchInference {
    private OnnxBatchInference() {
    }

    /**
     * @param onnx        the model file's bytes
     * @param featuresCol the column with F values per row (array or vector)
     * @param outputCol   the name of the appended column
     * @param batchSize   rows per run
     * @throws IllegalArgumentException when the graph is not one input [N, F] or has no such output, before any task runs
     */
    public static Dataset<Row> transform(Dataset<Row> df, byte[] onnx, String featuresCol, String outputCol, int batchSize) {
        OnnxModel model = OnnxModel.parse(onnx);
        if (model.inputs().size() != 1) throw new IllegalArgumentException("the ONNX model has " + model.inputs().size() + " inputs " + model.inputs() + "; batch inference takes one [N, F]");
        OnnxModel.ValueInfo in = model.inputs().get(0);
        if (in.dims().size() != 2) throw new IllegalArgumentException("the ONNX model's input " + in + " is not [N, F]");
        int features;
        try {
            features = Integer.parseInt(in.dims().get(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the ONNX model's input " + in + " has no fixed feature count");
        }
        String output = model.outputs().get(0).name();
        if (!Arrays.asList(df.schema().fieldNames()).contains(featuresCol)) {
            throw new IllegalArgumentException("features column '" + featuresCol + "' not found; the DataFrame has columns " + Arrays.toString(df.schema().fieldNames()));
        }
        StructType out = df.schema().add(outputCol, new VectorUDT(), false);
        Broadcast<byte[]> b = df.sparkSession().sparkContext().broadcast(onnx, scala.reflect.ClassTag$.MODULE$.apply(byte[].class));
        return df.mapPartitions(new BatchPredictor(b, new ModelSource.Onnx(in.name(), output), df.schema().fieldIndex(featuresCol), featuresCol, features,
                batchSize, BatchPredictor.Kind.RAW), Encoders.row(out));
    }
}
