package dev.lamina.cli;

import dev.lamina.data.DataLoader;
import dev.lamina.data.Dataset;
import dev.lamina.data.FashionMnist;
import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.models.Models;
import dev.lamina.nn.Sequential;
import dev.lamina.spark.ModelFactory;
import dev.lamina.spark.SparkTrainConfig;
import dev.lamina.spark.SparkTrainResult;
import dev.lamina.spark.SparkTrainer;
import dev.lamina.spark.UnevenBatches;
import dev.lamina.train.Evaluation;
import dev.lamina.train.Trainer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code lamina train --spark MASTER}: trains a named image model with {@link SparkTrainer} on the IDX data, prints
 * each epoch's loss and accuracy over all workers, the step time split into compute and all-reduce, and the test
 * accuracy, and saves the model ({@code --save}) and checkpoints ({@code --checkpoint-dir}, {@code --resume DIR})
 * in Lamina's formats.
 */
final class SparkTraining {
    private final TrainCommand t;
    private final SparkOptions o;

    SparkTraining(TrainCommand t, SparkOptions o) {
        this.t = t;
        this.o = o;
    }

    /** The flags {@code --spark} does not take, by name, when given. */
    private List<String> unsupported() {
        List<String> u = new ArrayList<>();
        if (t.modelFile != null) u.add("--model-file");
        if (t.target != null) u.add("--target");
        if (t.valSplit != null) u.add("--val-split");
        if (t.valData != null) u.add("--val-data");
        if (t.patience != null) u.add("--patience");
        if (t.clipNorm != null) u.add("--clip-norm");
        if (t.plot != null) u.add("--plot");
        if (t.warmupSteps != null) u.add("--warmup-steps");
        if (!t.schedule.equalsIgnoreCase("constant") && !t.schedule.equalsIgnoreCase("cosine")) u.add("--lr-schedule " + t.schedule);
        if (t.json) u.add("--json");
        return u;
    }

    int run() throws IOException {
        PrintStream out = System.out;
        List<String> u = unsupported();
        if (!u.isEmpty()) throw new IllegalArgumentException("--spark does not take " + String.join(", ", u) + " (yet); leave them out or train without --spark");
        if (!Models.NAMES.contains(t.model)) {
            throw new IllegalArgumentException("--spark trains the image models " + String.join(", ", Models.NAMES) + "; got --model " + t.model);
        }
        int workers = o.workers == null ? 2 : o.workers;
        if (workers <= 0) throw new IllegalArgumentException("--workers must be positive, got " + workers);
        int global = t.batchSize == null ? 64 : t.batchSize;
        if (global <= 0 || global % workers != 0) {
            throw new IllegalArgumentException("--batch-size " + global + " (the global batch with --spark) must be a positive multiple of --workers " + workers);
        }
        UnevenBatches uneven = switch (o.uneven == null ? "drop" : o.uneven.toLowerCase(Locale.ROOT)) {
            case "drop" -> UnevenBatches.DROP;
            case "pad" -> UnevenBatches.PAD;
            default -> throw new IllegalArgumentException("--uneven must be pad or drop, got '" + o.uneven + "'");
        };
        if (t.checkpointEvery != null && t.checkpointEvery <= 0) throw new IllegalArgumentException("--checkpoint-every must be positive, got " + t.checkpointEvery);
        if (t.checkpointEvery != null && t.checkpointDir == null && t.resume == null) throw new IllegalArgumentException("--checkpoint-every needs --checkpoint-dir");
        if (t.checkpointDir != null && t.resume != null && !t.checkpointDir.equals(t.resume)) {
            throw new IllegalArgumentException("with --spark, --resume DIR continues saving into DIR; --checkpoint-dir must be left out or the same");
        }
        OutputPaths.prepareFile("--save", t.save);
        Path dir = t.data != null ? t.data : TrainCommand.defaultData();
        FashionMnist.Split split = FashionMnist.load(dir);
        Dataset train = t.limit != null ? split.train().head(t.limit) : split.train();
        Path ckpt = t.resume != null ? t.resume : t.checkpointDir;
        SparkTrainConfig cfg = SparkTrainConfig.builder(ModelFactory.named(t.model)).workers(workers).batchPerWorker(global / workers).epochs(t.epochs)
                .optimizer(t.optimizer).lr(t.lr).seed(t.seed).uneven(uneven).averageEvery(o.averageEvery == null ? 0 : o.averageEvery).bf16Wire(o.bf16).lrSchedule(t.schedule)
                .checkpoints(ckpt == null ? null : ckpt.toString(), t.checkpointEvery == null ? 0 : t.checkpointEvery).resume(t.resume != null).build();

        SparkSession.Builder builder = SparkSession.builder().appName("lamina train " + t.model);
        boolean submitted = System.getProperty("spark.master") != null;
        // a session this command did not start (spark-submit's, or one of the embedding program) is left running
        boolean own = !submitted && SparkSession.getActiveSession().isEmpty() && SparkSession.getDefaultSession().isEmpty();
        if (!submitted) builder.master(o.master).config("spark.ui.enabled", "false");
        SparkSession spark = builder.getOrCreate();
        try {
            out.printf(Locale.ROOT, "model %s, data %s: %,d train / %,d test; Spark %s (%s), %d workers x batch %d%n", t.model, dir, train.size(), split.test().size(),
                    spark.version(), spark.sparkContext().master(), workers, global / workers);
            SparkTrainResult r = SparkTrainer.fit(frame(spark, train), cfg);
            for (int e = 0; e < r.epochLoss().length; e++) {
                out.printf(Locale.ROOT, "epoch %d/%d  loss %.4f  accuracy %.4f%n", e + 1, r.epochLoss().length, r.epochLoss()[e], r.epochAccuracy()[e]);
            }
            out.printf(Locale.ROOT, "per step: %.2f ms compute + %.2f ms all-reduce (%d steps in this run%s), %.1f s in all%n", r.computeMillisPerStep(),
                    r.commMillisPerStep(), r.steps(), r.resumedFromStep() >= 0 ? ", resumed from step " + r.resumedFromStep() : "", r.wallSeconds());
            out.println(r.plan().describe());
            Evaluation test = Trainer.evaluate(r.model(), new CrossEntropyLoss(), new DataLoader(split.test(), 1000, false, false, null));
            out.printf(Locale.ROOT, "test: loss %.4f  accuracy %.4f%n", test.loss(), test.accuracy());
            if (r.lastCheckpoint() != null) out.println("last checkpoint: " + r.lastCheckpoint());
            if (t.save != null) {
                Models.save((Sequential) r.model(), t.model, t.save);
                out.println("saved " + t.save);
            }
            return 0;
        } finally {
            if (own) spark.stop();
        }
    }

    /** The examples as a DataFrame: features array&lt;float&gt; [784], label int. */
    private static org.apache.spark.sql.Dataset<Row> frame(SparkSession spark, Dataset data) {
        float[] x = data.features().toArray(), y = data.targets().toArray();
        int f = x.length / data.size();
        List<Row> rows = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            Float[] v = new Float[f];
            for (int j = 0; j < f; j++) v[j] = x[i * f + j];
            rows.add(RowFactory.create(v, (int) y[i]));
        }
        StructType schema = new StructType().add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false).add("label", DataTypes.IntegerType, false);
        return spark.createDataFrame(rows, schema);
    }
}
