package dev.lamina.spark.ml;

import dev.lamina.spark.ModelFactory;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.Properties;

/** A trained classifier: appends {@code prediction} (class index, double) and {@code probability} (softmax, vector). */
public final class LaminaClassificationModel extends LaminaModel<LaminaClassificationModel> {
    private static final long serialVersionUID = 1L;
    private final int classes;
    private final Param<String> probabilityCol = new Param<>(this, "probabilityCol", "class probabilities column name");

    public LaminaClassificationModel(String uid, ModelFactory factory, int featureLength, int classes, byte[] weights) {
        super(uid, factory, featureLength, weights);
        this.classes = classes;
        setDefault(probabilityCol, "probability");
    }

    public Param<String> probabilityCol() { return probabilityCol; }
    public LaminaClassificationModel setProbabilityCol(String v) { set(probabilityCol, v); return this; }
    public String getProbabilityCol() { return getOrDefault(probabilityCol); }

    public int numClasses() {
        return classes;
    }

    @Override
    BatchPredictor.Kind kind() {
        return BatchPredictor.Kind.CLASSIFIER;
    }

    @Override
    StructType addOutputs(StructType schema) {
        return schema.add(getPredictionCol(), DataTypes.DoubleType, false).add(getProbabilityCol(), new VectorUDT(), false);
    }

    @Override
    void saveProperties(Properties p) {
        p.setProperty("classes", Integer.toString(classes));
    }

    @Override
    public LaminaClassificationModel copy(ParamMap extra) {
        return copyValues(new LaminaClassificationModel(uid(), factory, featureLength, classes, weights), extra).setParent(parent());
    }

    public static MLReader<LaminaClassificationModel> read() {
        return reader(LaminaClassificationModel.class, (uid, f, len, w, p) ->
                new LaminaClassificationModel(uid, f, len, Integer.parseInt(ModelDirectory.require(p, "classes", uid)), w));
    }

    public static LaminaClassificationModel load(String path) {
        return read().load(path);
    }
}
