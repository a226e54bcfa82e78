package dev.lamina.spark.ml;

import dev.lamina.spark.ModelFactory;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** A trained regressor: appends {@code prediction} (the model's single output, double). */
public final class LaminaRegressionModel extends LaminaModel<LaminaRegressionModel> {
    private static final long serialVersionUID = 1L;

    public LaminaRegressionModel(String uid, ModelFactory factory, int featureLength, byte[] weights) {
        super(uid, factory, featureLength, weights);
    }

    @Override
    BatchPredictor.Kind kind() {
        return BatchPredictor.Kind.REGRESSOR;
    }

    @Override
    StructType addOutputs(StructType schema) {
        return schema.add(getPredictionCol(), DataTypes.DoubleType, false);
    }

    @Override
    public LaminaRegressionModel copy(ParamMap extra) {
        return copyValues(new LaminaRegressionModel(uid(), factory, featureLength, weights), extra).setParent(parent());
    }

    public static MLReader<LaminaRegressionModel> read() {
        return reader(LaminaRegressionModel.class, (uid, f, len, w, p) -> new LaminaRegressionModel(uid, f, len, w));
    }

    public static LaminaRegressionModel load(String path) {
        return read().load(path);
    }
}
