package dev.lamina.spark;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * The features and label columns of a DataFrame: their checks (before any training task runs) and the conversion of
 * a row's features to floats. Features are an {@code array<float>}, an {@code array<double>} or a Spark ML
 * {@code Vector} (dense or sparse) of the model's input length; labels a number (class indices 0..classes-1 for a
 * classifier).
 */
public final class InputColumns {
    private InputColumns() {
    }

    /**
     * Checks the schema of {@code df} and then, in one aggregation job, every row: no nulls, every features row of
     * length {@code featureLength}, labels integral and within range for a classifier.
     *
     * @return the number of rows
     * @throws IllegalArgumentException naming the column, the expected and the actual values
     */
    public static long validate(Dataset<Row> df, String featuresCol, String labelCol, int featureLength, int classes) {
        StructType schema = df.schema();
        StructField features = field(schema, featuresCol, "features");
        if (labelCol != null) {
            StructField label = field(schema, labelCol, "label");
            if (!(label.dataType() instanceof NumericType)) {
                throw new IllegalArgumentException("label column '" + labelCol + "' has type " + label.dataType().simpleString() + "; expected a number"
                        + (classes > 0 ? " (class index 0.." + (classes - 1) + ")" : ""));
            }
        }
        Column length = lengthOf(features);
        Column f = col(featuresCol);
        List<Column> aggs = new java.util.ArrayList<>(List.of(count(lit(1)), sum(when(f.isNull(), 1).otherwise(0)), min(length), max(length)));
        if (labelCol != null) {
            Column y = col(labelCol);
            aggs.addAll(List.of(sum(when(y.isNull(), 1).otherwise(0)), min(y).cast(DataTypes.DoubleType), max(y).cast(DataTypes.DoubleType),
                    sum(when(y.notEqual(floor(y)), 1).otherwise(0))));
        }
        Row r = df.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0])).first();
        long rows = r.getLong(0);
        if (rows == 0) throw new IllegalArgumentException("the DataFrame has no rows");
        long nullFeatures = r.getLong(1);
        if (nullFeatures > 0) throw new IllegalArgumentException("features column '" + featuresCol + "' is null in " + nullFeatures + " of " + rows + " rows");
        int minLen = r.getInt(2), maxLen = r.getInt(3);
        if (minLen != featureLength || maxLen != featureLength) {
            throw new IllegalArgumentException("features column '" + featuresCol + "' holds rows of length " + (minLen == maxLen ? minLen : minLen + " to " + maxLen)
                    + "; the model takes " + featureLength + " values per row");
        }
        if (labelCol != null) {
            long nullLabels = r.getLong(4);
            if (nullLabels > 0) throw new IllegalArgumentException("label column '" + labelCol + "' is null in " + nullLabels + " of " + rows + " rows");
            double lo = r.getDouble(5), hi = r.getDouble(6);
            long fractional = r.getLong(7);
            if (!Double.isFinite(lo) || !Double.isFinite(hi)) throw new IllegalArgumentException("label column '" + labelCol + "' holds NaN or infinite values");
            if (classes > 0) {
                if (fractional > 0) throw new IllegalArgumentException("label column '" + labelCol + "' holds " + fractional + " non-integral values; a classifier takes class indices 0.." + (classes - 1));
                if (lo < 0 || hi > classes - 1) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT, "label column '%s' holds values %s to %s; a classifier of %d classes takes 0 to %d",
                            labelCol, num(lo), num(hi), classes, classes - 1));
                }
            }
        }
        return rows;
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static StructField field(StructType schema, String name, String role) {
        if (!Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException(role + " column '" + name + "' not found; the DataFrame has columns " + Arrays.toString(schema.fieldNames()));
        }
        return schema.apply(name);
    }

    /** An expression for the length of each features value; rejects other types. */
    private static Column lengthOf(StructField features) {
        DataType t = features.dataType();
        if (t instanceof ArrayType a && (a.elementType().equals(DataTypes.FloatType) || a.elementType().equals(DataTypes.DoubleType))) {
            return size(col(features.name()));
        }
        if (t instanceof VectorUDT) return size(org.apache.spark.ml.functions.vector_to_array(col(features.name()), "float32"));
        throw new IllegalArgumentException("features column '" + features.name() + "' has type " + t.simpleString()
                + "; expected array<float>, array<double> or a Spark ML vector (e.g. from VectorAssembler)");
    }

    /** The features at {@code index} of {@code row} as floats (array of float/double, or a Spark ML vector). */
    public static float[] floats(Row row, int index) {
        Object v = row.get(index);
        if (v instanceof Vector vec) {
            double[] d = vec.toArray();
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
            return f;
        }
        List<Object> list = row.getList(index);
        float[] f = new float[list.size()];
        for (int i = 0; i < f.length; i++) f[i] = ((Number) list.get(i)).floatValue();
        return f;
    }
}
