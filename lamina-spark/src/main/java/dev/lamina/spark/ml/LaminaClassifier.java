package dev.lamina.spark.ml;

import dev.lamina.spark.ModelFactory;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;

/**
 * A Spark ML Estimator that trains a Lamina classifier (cross-entropy, labels 0..classes-1) with synchronous
 * data-parallel SGD across the cluster; {@code fit} gives a {@link LaminaClassificationModel}.
 *
 * <pre>{@code
 * Pipeline p = new Pipeline().setStages(new PipelineStage[] {
 *         new VectorAssembler().setInputCols(cols).setOutputCol("features"),
 *         new LaminaClassifier().setModelSpec(json).setFeatureLength(cols.length).setClasses(3).setEpochs(5)});
 * PipelineModel m = p.fit(train);
 * m.transform(test).select("prediction", "probability");
 * }</pre>
 */
public final class LaminaClassifier extends LaminaEstimator<LaminaClassificationModel, LaminaClassifier> {
    private static final long serialVersionUID = 1L;
    private final IntParam classes = new IntParam(this, "classes", "number of classes", ParamValidators.gtEq(2));

    public LaminaClassifier() {
        this(Identifiable.randomUID("laminaClassifier"));
    }

    public LaminaClassifier(String uid) {
        super(uid);
        setDefault(classes, 10);
    }

    public IntParam classes() { return classes; }
    public LaminaClassifier setClasses(int v) { set(classes, v); return this; }

    @Override
    int classCount() {
        return (Integer) getOrDefault(classes);
    }

    @Override
    LaminaClassificationModel model(String uid, ModelFactory factory, byte[] weights) {
        return new LaminaClassificationModel(uid, factory, (Integer) getOrDefault(featureLength()), classCount(), weights);
    }

    @Override
    public LaminaClassifier copy(ParamMap extra) {
        LaminaClassifier c = defaultCopy(extra);
        c.customFactory = customFactory;
        return c;
    }

    public static MLReader<LaminaClassifier> read() {
        return new DefaultParamsReader<>();
    }

    public static LaminaClassifier load(String path) {
        return read().load(path);
    }
}
