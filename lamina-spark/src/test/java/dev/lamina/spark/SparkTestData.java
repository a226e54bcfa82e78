package dev.lamina.spark;

import dev.lamina.data.Dataset;
import dev.lamina.data.FashionMnist;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The bundled Fashion-MNIST subset as Spark DataFrames (features: array&lt;float&gt; of 784, label: int), and local Spark sessions. */
final class SparkTestData {
    private SparkTestData() {
    }

    static Path subset() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path d = p.resolve("data/fashion-mnist-subset");
            if (Files.isDirectory(d)) return d;
        }
        throw new IllegalStateException("data/fashion-mnist-subset not found above " + Path.of("").toAbsolutePath());
    }

    private static FashionMnist.Split split;

    static synchronized FashionMnist.Split fashion() throws IOException {
        if (split == null) split = FashionMnist.load(subset());
        return split;
    }

    static final StructType SCHEMA = new StructType()
            .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add("label", DataTypes.IntegerType, false);

    /** The first {@code n} rows of {@code data} as a DataFrame, in their order. */
    static org.apache.spark.sql.Dataset<Row> frame(SparkSession spark, Dataset data, int n) {
        float[] x = data.features().toArray(), y = data.targets().toArray();
        List<Row> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Float[] f = new Float[784];
            for (int j = 0; j < 784; j++) f[j] = x[i * 784 + j];
            rows.add(RowFactory.create(f, (int) y[i]));
        }
        return spark.createDataFrame(rows, SCHEMA);
    }

    /** The {@code local[2]} session the tests share (stopped only by a test that needs another master). */
    static synchronized SparkSession local() {
        var active = SparkSession.getActiveSession();
        if (active.isDefined() && !active.get().sparkContext().isStopped() && active.get().sparkContext().master().equals("local[2]")) return active.get();
        SparkSession.getActiveSession().foreach(s -> {
            s.stop();
            return null;
        });
        return session("local[2]");
    }

    /** A Spark session on {@code master} for tests: loopback only, no UI. */
    static SparkSession session(String master) {
        return SparkSession.builder().master(master).appName("lamina-test")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
    }
}
