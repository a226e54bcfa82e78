package dev.lamina.spark.ml;

import dev.lamina.spark.ModelFactory;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;

/**
 * A Spark ML Estimator that trains a Lamina regressor (one output, mean squared error) with synchronous data-parallel
 * SGD; {@code fit} gives a {@link LaminaRegressionModel}. The model must have a single output, e.g.
 * {@code setModelSpec(ModelSpec.tabularMlp(features, 1).toJson())}.
 */
public final class LaminaRegressor extends LaminaEstimator<LaminaRegressionModel, LaminaRegressor> {
    private static final long serialVersionUID = 1L;

    public LaminaRegressor() {
        this(Identifiable.randomUID("laminaRegressor"));
    }

    public LaminaRegressor(String uid) {
        super(uid);
    }

    @Override
    int classCount() {
        return 0;
    }

    @Override
    LaminaRegressionModel model(String uid, ModelFactory factory, byte[] weights) {
        return new LaminaRegressionModel(uid, factory, (Integer) getOrDefault(featureLength()), weights);
    }

    @Override
    public LaminaRegressor copy(ParamMap extra) {
        LaminaRegressor c = defaultCopy(extra);
        c.customFactory = customFactory;
        return c;
    }

    public static MLReader<LaminaRegressor> read() {
        return new DefaultParamsReader<>();
    }

    public static LaminaRegressor load(String path) {
        return read().load(path);
    }
}
