package dev.lamina.spark;

import dev.lamina.nn.Module;
import dev.lamina.tensor.Rng;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

import static org.apache.spark.sql.functions.col;

/**
 * Synchronous data-parallel training of a Lamina model on a Spark DataFrame, as one barrier stage of
 * {@code workers} long-lived tasks that all-reduce gradients among themselves every step (see {@link ReplicaLoop}
 * and {@link RingAllReduce}); Spark's scheduler is involved once per run, not once per step.
 *
 * <pre>{@code
 * SparkTrainResult r = SparkTrainer.fit(df, SparkTrainConfig.builder(ModelFactory.named("mlp"))
 *         .workers(2).batchPerWorker(32).epochs(3).checkpoints("/shared/ckpt", 100).build());
 * }</pre>
 *
 * <p>Before any training task runs, the columns are checked ({@link InputColumns#validate}), the driver and one task per
 * worker check for the Vector API module ({@link VectorModuleCheck}), and the checkpoint directory is checked against
 * {@code resume}. The cluster must offer {@code workers} task slots at once (a barrier stage starts all its tasks
 * together or not at all).
 */
public final class SparkTrainer {
    private SparkTrainer() {
    }

    /** Trains on {@code df} as {@code cfg} says; see the class comment. */
    public static SparkTrainResult fit(Dataset<Row> df, SparkTrainConfig cfg) {
        long start = System.nanoTime();
        VectorModuleCheck.require("the driver");
        long rows = InputColumns.validate(df, cfg.featuresCol(), cfg.labelCol(), cfg.featureLength(), cfg.classes());
        checkCheckpointDir(cfg);
        long[] perRank = IntStream.range(0, cfg.workers()).mapToLong(r -> RankPartitioner.rowsOf(rows, cfg.workers(), r)).toArray();
        EpochPlan plan = new EpochPlan(perRank, cfg.batchPerWorker(), cfg.seed(), cfg.uneven());
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(df.sparkSession().sparkContext());
        checkExecutors(sc, cfg.workers());

        int label = 1;
        JavaPairRDD<Long, Sample> dealt = df.select(col(cfg.featuresCol()), col(cfg.labelCol())).javaRDD().zipWithIndex()
                .mapToPair(t -> new Tuple2<>(t._2(), new Sample(t._2(), InputColumns.floats(t._1(), 0), ((Number) t._1().get(label)).floatValue())))
                .partitionBy(new RankPartitioner(cfg.workers()));
        ClassTag<ReplicaReport> tag = ClassTag$.MODULE$.apply(ReplicaReport.class);
        RDD<ReplicaReport> reports = dealt.values().rdd().barrier().mapPartitions(new BarrierTask(cfg, plan), false, tag);
        // Spark retries a failed barrier stage only when it is a shuffle map stage (a failed barrier result stage aborts
        // the job), so the reports pass through a shuffle: the training stage then reruns as a whole on a lost task.
        List<ReplicaReport> collected = new JavaRDD<>(reports, tag).repartition(1).collect();
        ReplicaReport[] all = collected.toArray(new ReplicaReport[0]);
        Arrays.sort(all, Comparator.comparingInt(ReplicaReport::rank));
        ReplicaReport zero = all[0];
        Module model = cfg.model().create(new Rng(cfg.seed()));
        try {
            model.loadStateDict(StateDictBytes.read(zero.weights()), true);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the trained weights from rank 0: " + e.getMessage(), e);
        }
        model.eval();
        return new SparkTrainResult(model, zero.epochLoss(), zero.epochAccuracy(), plan, zero.steps(), zero.resumedFromStep(),
                Arrays.stream(all).mapToDouble(ReplicaReport::computeSeconds).toArray(), Arrays.stream(all).mapToDouble(ReplicaReport::commSeconds).toArray(),
                Arrays.stream(all).mapToLong(ReplicaReport::bytesSent).toArray(), (System.nanoTime() - start) / 1e9, zero.lastCheckpoint());
    }

    /** Without resume the directory must hold no checkpoint yet (an old run's would be continued); with it, it must hold one. */
    private static void checkCheckpointDir(SparkTrainConfig cfg) {
        if (cfg.checkpointDir() == null) return;
        Path dir = Path.of(cfg.checkpointDir());
        boolean has = Files.exists(dir.resolve(dev.lamina.train.Checkpoint.LATEST));
        if (cfg.resume() && !has) throw new IllegalArgumentException("resume: no checkpoint in " + dir + " (no '" + dev.lamina.train.Checkpoint.LATEST + "' file)");
        if (!cfg.resume() && has) {
            throw new IllegalArgumentException("checkpoint directory " + dir + " already holds checkpoints of a run; resume it (resume / --resume) or choose an empty directory");
        }
    }

    /**
     * Runs one small task per worker that checks its JVM for the Vector API module, so that a misconfigured cluster
     * gets the option to add instead of {@code NoClassDefFoundError}s in the middle of the barrier stage.
     */
    private static void checkExecutors(JavaSparkContext sc, int workers) {
        List<String> problems = sc.parallelize(IntStream.range(0, workers).boxed().toList(), workers)
                .map(i -> VectorModuleCheck.present() ? "" : VectorModuleCheck.message("executor " + org.apache.spark.SparkEnv.get().executorId()
                        + " on " + org.apache.spark.SparkEnv.get().blockManager().blockManagerId().host()))
                .filter(s -> !s.isEmpty()).collect();
        if (!problems.isEmpty()) throw new IllegalStateException(problems.get(0));
    }
}
