package dev.lamina.spark;

import dev.lamina.data.Dataset;
import dev.lamina.data.FashionMnist;
import dev.lamina.tensor.Rng;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What {@code bench/spark.sh} runs: (1) the ring all-reduce alone, on loopback between ranks in this JVM, for a range
 * of array sizes (median per call); (2) data-parallel training of the named models on Spark with 1 and 2 workers,
 * samples/s and the per-step split into compute and all-reduce.
 *
 * <pre>
 * SparkBenchmark [--master local[2]] [--data DIR] [--models mlp,cnn] [--workers 1,2] [--steps 40] [--batch 32]
 *                [--sizes 235146,421642,1000000,4000000] [--ranks 2,4]
 * </pre>
 */
public final class SparkBenchmark {
    private SparkBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String master = "local[2]", data = "data/fashion-mnist-subset";
        List<String> models = List.of("mlp", "cnn");
        int[] workers = {1, 2}, ranks = {2, 4};
        int steps = 40, batch = 32;
        int[] sizes = {235_146, 421_642, 1_000_000, 4_000_000};
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--master" -> master = args[i + 1];
                case "--data" -> data = args[i + 1];
                case "--models" -> models = List.of(args[i + 1].split(","));
                case "--workers" -> workers = ints(args[i + 1]);
                case "--ranks" -> ranks = ints(args[i + 1]);
                case "--steps" -> steps = Integer.parseInt(args[i + 1]);
                case "--batch" -> batch = Integer.parseInt(args[i + 1]);
                case "--sizes" -> sizes = ints(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; see the class comment");
            }
        }
        System.out.println("## ring all-reduce on loopback (ranks are threads of one JVM), median of 15 calls");
        System.out.println("| floats | ranks | ms per all-reduce | GB/s sent per rank |");
        System.out.println("|---|---|---|---|");
        for (int w : ranks) {
            for (int n : sizes) {
                double ms = allReduceMillis(w, n, 15);
                double bytes = 2.0 * (w - 1) / w * n * 4;
                System.out.printf(Locale.ROOT, "| %,d | %d | %.2f | %.2f |%n", n, w, ms, bytes / (ms / 1000) / 1e9);
            }
        }
        if (models.isEmpty() || models.get(0).isEmpty()) return;
        FashionMnist.Split split = FashionMnist.load(Path.of(data));
        SparkSession spark = SparkSession.builder().master(master).appName("lamina spark benchmark").config("spark.ui.enabled", "false").getOrCreate();
        try {
            System.out.println();
            System.out.println("## data-parallel training on " + master + ": " + steps + " steps of batch " + batch + " per worker (after a warm-up run)");
            System.out.println("| model | workers | samples/s | compute ms/step | all-reduce ms/step | all-reduce share |");
            System.out.println("|---|---|---|---|---|---|");
            for (String m : models) {
                for (int w : workers) {
                    int rows = steps * batch * w;
                    org.apache.spark.sql.Dataset<Row> df = frame(spark, split.train(), Math.min(rows, split.train().size()));
                    SparkTrainConfig cfg = SparkTrainConfig.builder(ModelFactory.named(m)).workers(w).batchPerWorker(batch).epochs(1).build();
                    SparkTrainer.fit(df, cfg);
                    SparkTrainResult r = SparkTrainer.fit(df, cfg);
                    double compute = r.computeMillisPerStep(), comm = r.commMillisPerStep();
                    double sps = (double) batch * w / ((compute + comm) / 1000);
                    System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.2f | %.2f | %.0f%% |%n", m, w, sps, compute, comm, 100 * comm / (compute + comm));
                }
            }
        } finally {
            spark.stop();
        }
    }

    private static int[] ints(String s) {
        return Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    /** Median time of one all-reduce of {@code n} floats among {@code world} ranks. */
    static double allReduceMillis(int world, int n, int calls) throws Exception {
        List<RingAllReduce.Listener> listeners = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        for (int r = 0; r < world; r++) {
            listeners.add(RingAllReduce.listen("127.0.0.1"));
            addresses.add(listeners.get(r).address());
        }
        ExecutorService pool = Executors.newFixedThreadPool(world);
        try {
            List<Future<double[]>> futures = new ArrayList<>();
            for (int r = 0; r < world; r++) {
                int rank = r;
                futures.add(pool.submit(() -> {
                    float[] x = new float[n];
                    Rng rng = new Rng(rank);
                    for (int i = 0; i < n; i++) x[i] = (float) rng.nextGaussian() * 1e-3f;
                    double[] t = new double[calls];
                    try (RingAllReduce ring = RingAllReduce.connect(listeners.get(rank), rank, addresses, () -> false, 30_000)) {
                        ring.sum(x);
                        for (int c = 0; c < calls; c++) {
                            long s = System.nanoTime();
                            ring.sum(x);
                            t[c] = (System.nanoTime() - s) / 1e6;
                        }
                    }
                    return t;
                }));
            }
            double[] t = futures.get(0).get();
            for (int r = 1; r < world; r++) futures.get(r).get();
            Arrays.sort(t);
            return t[t.length / 2];
        } finally {
            pool.shutdownNow();
        }
    }

    private static org.apache.spark.sql.Dataset<Row> frame(SparkSession spark, Dataset data, int n) {
        float[] x = data.features().toArray(), y = data.targets().toArray();
        List<Row> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Float[] f = new Float[784];
            for (int j = 0; j < 784; j++) f[j] = x[i * 784 + j];
            rows.add(RowFactory.create(f, (int) y[i]));
        }
        StructType schema = new StructType().add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false).add("label", DataTypes.IntegerType, false);
        return spark.createDataFrame(rows, schema);
    }
}
