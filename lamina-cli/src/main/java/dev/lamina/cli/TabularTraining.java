package dev.lamina.cli;

import dev.lamina.autograd.Autograd;
import dev.lamina.data.DataLoader;
import dev.lamina.data.Dataset;
import dev.lamina.data.TabularData;
import dev.lamina.data.TabularSchema;
import dev.lamina.io.Checkpoint;
import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.loss.Loss;
import dev.lamina.loss.MSELoss;
import dev.lamina.models.ModelSpec;
import dev.lamina.nn.Sequential;
import dev.lamina.optim.Optimizer;
import dev.lamina.optim.Scheduler;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;
import dev.lamina.train.Callback;
import dev.lamina.train.EarlyStopping;
import dev.lamina.train.EpochResult;
import dev.lamina.train.History;
import dev.lamina.train.RegressionMetrics;
import dev.lamina.train.Trainer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@code lamina train --data table.csv --target COLUMN}: tabular classification (text targets, or {@code --task
 * classify}) with cross-entropy, or regression (numeric targets, or {@code --task regress}) with MSE on standardised
 * targets, reporting MAE, RMSE and R² in the target's units. A seeded fifth of the rows is held out as the test set;
 * features are normalised with statistics of the training rows only, and those statistics, the columns and the
 * classes are saved with the model ({@link TabularSchema}). The model: {@code --model-file}, or an MLP sized from
 * the feature count ({@link ModelSpec#tabularMlp}).
 */
final class TabularTraining {
    static final double TEST_FRACTION = 0.2;

    private final TrainCommand cmd;

    TabularTraining(TrainCommand cmd) {
        this.cmd = cmd;
    }

    int run(Checkpoint checkpoint, Path saveTo) throws IOException {
        PrintStream out = System.out;
        PrintStream human = cmd.json ? System.err : System.out;
        TabularData table = TabularData.read(cmd.data, cmd.target, cmd.task == null ? null : TabularData.Task.parse(cmd.task));
        boolean classify = table.task() == TabularData.Task.CLASSIFY;
        Rng rng = new Rng(cmd.seed);
        TabularData.Split split = table.split(TEST_FRACTION, rng.split());
        Dataset rawTrain = cmd.limit != null ? split.train().head(cmd.limit) : split.train();
        TabularSchema schema = TabularSchema.fit(table, rawTrain);
        Dataset train = schema.apply(rawTrain), test = schema.apply(split.test());
        int features = table.features().size();
        ModelSpec spec = cmd.modelFile != null ? ModelSpec.read(cmd.modelFile) : ModelSpec.tabularMlp(features, schema.outputs());
        if (!Arrays.equals(spec.input(), new int[] {features})) {
            throw new IllegalArgumentException("--model-file " + cmd.modelFile + ": the model's input is " + Shape.str(spec.input()) + ", the table has " + features
                    + " feature columns (" + String.join(", ", table.features()) + "): declare \"input\": [" + features + "]");
        }
        Sequential net = spec.build(rng);
        checkOutputs(net, spec, schema);
        Loss loss = classify ? new CrossEntropyLoss() : new MSELoss();
        Optimizer opt = cmd.optimizer(net.parameters());
        human.printf(Locale.ROOT, "model %s (%,d parameters), data %s: %s of '%s'%s from %d features; %,d train / %,d test rows, %s%n",
                cmd.modelFile != null ? cmd.modelFile : "mlp", net.parameterCount(), cmd.data, classify ? "classification" : "regression", table.target(),
                classify ? " (" + table.classes().size() + " classes)" : "", features, train.size(), test.size(), opt);

        int epochs = cmd.epochs;
        Trainer trainer = new Trainer(net, loss, opt).verbose(false);
        if (!cmd.noProgress && Progress.interactive()) trainer.callback(new Progress(epochs));
        trainer.callback(new Callback() {
            @Override
            public void onEpochEnd(EpochResult r) {
                if (classify) {
                    if (cmd.json) out.println(TrainCommand.jsonLine(r, epochs, "test"));
                    else human.println(TrainCommand.summaryLine(r, epochs, "test"));
                } else {
                    RegressionMetrics m = regression(net, schema, test, split.test());
                    if (cmd.json) {
                        out.println(new Json().put("epoch", r.epoch()).put("epochs", epochs).put("train_loss", r.trainLoss()).put("test_loss", r.valLoss())
                                .put("test_mae", m.mae()).put("test_rmse", m.rmse()).put("test_r2", m.r2()).put("lr", r.lr())
                                .put("epoch_seconds", r.epochSeconds()).put("eval_seconds", r.evalSeconds()).put("samples_per_second", r.samplesPerSecond()).toString());
                    } else {
                        human.printf(Locale.ROOT, "epoch %d/%d  train loss %.4f  test loss %.4f  test %s  %.1f s%n", r.epoch(), epochs, r.trainLoss(), r.valLoss(), m, r.epochSeconds());
                    }
                }
                out.flush();
            }
        });
        int batch = cmd.batchSize != null ? cmd.batchSize : 32;
        DataLoader loader = new DataLoader(train, batch, true, false, rng.split());
        Scheduler scheduler = cmd.scheduler(opt, loader.batches());
        if (scheduler != null) trainer.scheduler(scheduler);
        if (cmd.clipNorm != null) trainer.clipGradNorm(cmd.clipNorm);
        if (cmd.patience != null) trainer.earlyStopping(new EarlyStopping(EarlyStopping.Monitor.VAL_LOSS, cmd.patience));
        cmd.checkpointing(trainer, rng, checkpoint, saveTo, null, human);
        History history = trainer.fit(loader, test, epochs);
        human.println();
        if (classify) {
            human.print(history.last().validation().confusion().report(table.classes().toArray(String[]::new)));
            human.println();
            human.println("confusion matrix of the test rows (rows: actual class, columns: predicted class)");
            human.print(history.last().validation().confusion().format(table.classes().toArray(String[]::new)));
        } else {
            human.println("test rows: " + regression(net, schema, test, split.test()));
        }
        if (cmd.save != null) {
            spec.save(net, cmd.save, schema.toMetadata());
            human.println("wrote " + cmd.save);
        }
        return 0;
    }

    private static void checkOutputs(Sequential net, ModelSpec spec, TabularSchema schema) {
        Tensor out;
        try (var g = Autograd.noGrad()) {
            net.eval();
            out = net.forward(Tensor.zeros(spec.batchShape(2)));
            net.train();
        }
        int want = schema.outputs();
        if (out.dim() != 2 || out.size(1) != want) {
            throw new IllegalArgumentException("--model-file " + spec.source() + ": the model's output is " + Shape.str(out.shape()).replace("[2,", "[N,") + "; "
                    + (schema.task() == TabularData.Task.CLASSIFY ? "classifying " + want + " classes needs [N, " + want + "]" : "regression needs [N, 1]"));
        }
    }

    /** MAE, RMSE and R² of the model on the held-out rows, in the target's units. */
    static RegressionMetrics regression(Sequential net, TabularSchema schema, Dataset normalised, Dataset raw) {
        boolean training = net.isTraining();
        net.eval();
        try (var g = Autograd.noGrad()) {
            return RegressionMetrics.of(schema.targetValues(net.forward(normalised.features())), raw.targets());
        } finally {
            net.train(training);
        }
    }
}
