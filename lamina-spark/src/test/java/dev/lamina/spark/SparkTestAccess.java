package dev.lamina.spark;

import dev.lamina.data.Dataset;
import dev.lamina.data.FashionMnist;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;

/** {@link SparkTestData} for the tests of other packages. */
public final class SparkTestAccess {
    private SparkTestAccess() {
    }

    public static SparkSession local() {
        return SparkTestData.local();
    }

    public static FashionMnist.Split fashion() throws IOException {
        return SparkTestData.fashion();
    }

    public static org.apache.spark.sql.Dataset<Row> frame(SparkSession spark, Dataset data, int n) {
        return SparkTestData.frame(spark, data, n);
    }
}
