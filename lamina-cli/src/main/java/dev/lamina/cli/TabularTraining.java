package dev.lamina.cli;

import dev.lamina.autograd.Autograd;
import dev.lamina.data.DataLoader;
import dev.lamina.data.Dataset;
import dev.lamina.data.TabularData;
import dev.lamina.data.TabularSchema;
import dev.lamina.train.Checkpoint;
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
import dev.lamina.train.NonFiniteLossException;
import dev.lamina.train.RegressionMetrics;
import dev.lamina.train.Trainer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code lamina train --data table.csv --target COLUMN}: tabular classification (text targets, or {@code --task
 * classify}) with cross-entropy, or regression (numeric targets, or {@code --task regress}) with MSE on standardised
 * targets, reporting MAE, RMSE and R² in the target's units. A seeded fifth of the rows is held out as the test set
 * ({@link TabularData#split}: stratified by class, or at random for a regression). {@code --val-split F} holds out
 * the share F of the training rows as a validation set the same way, {@code --val-data FILE.csv} reads one with the
 * same columns; then the epochs, early stopping and the best epoch are judged on it, and the test rows are evaluated
 * once, at the end. Features are normalised with statistics of the training rows only, and those statistics, the
 * columns and the classes are saved with the model ({@link TabularSchema}). The model: {@code --model-file}, or an
 * MLP sized from the feature count ({@link ModelSpec#tabularMlp}).
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
        Dataset rawTrain = cmd.limit != null ? split.train().head(cmd.limit) : split.train(), rawValidation = null;
        String validationFrom = null;
        if (cmd.valSplit != null) {
            ValidationSet held = ValidationSet.heldOut(cmd.valSplit, cmd.seed, rawTrain, classify);
            rawTrain = held.train();
            rawValidation = held.validation();
            validationFrom = held.description();
        }
        TabularSchema schema = TabularSchema.fit(table, rawTrain);
        if (cmd.valData != null) {
            rawValidation = readValidation(schema);
            validationFrom = String.format(Locale.ROOT, "validation %,d rows from %s", rawValidation.size(), cmd.valData);
        }
        Dataset train = schema.apply(rawTrain), test = schema.apply(split.test());
        Dataset validation = rawValidation != null ? schema.apply(rawValidation) : null;
        Dataset watchedRaw = rawValidation != null ? rawValidation : split.test(), watched = validation != null ? validation : test;
        String heldOut = validation != null ? "validation" : "test";
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
        human.printf(Locale.ROOT, "model %s (%,d parameters), data %s: %s of '%s'%s from %d features; %,d train / %,d test rows%s, %s%n",
                cmd.modelFile != null ? cmd.modelFile : "mlp", net.parameterCount(), cmd.data, classify ? "classification" : "regression", table.target(),
                classify ? " (" + table.classes().size() + " classes)" : "", features, train.size(), test.size(),
                validationFrom != null ? " / " + validationFrom : "", opt);

        int epochs = cmd.epochs;
        List<EpochResult> results = new ArrayList<>();
        Trainer trainer = new Trainer(net, loss, opt).verbose(false);
        if (!cmd.noProgress && Progress.interactive()) trainer.callback(new Progress(epochs));
        trainer.callback(new Callback() {
            @Override
            public void onEpochEnd(EpochResult r) {
                results.add(r);
                if (classify) {
                    if (cmd.json) out.println(TrainCommand.jsonLine(r, epochs, heldOut));
                    else human.println(TrainCommand.summaryLine(r, epochs, heldOut));
                } else {
                    RegressionMetrics m = regression(net, schema, watched, watchedRaw);
                    if (cmd.json) {
                        out.println(new Json().put("epoch", r.epoch()).put("epochs", epochs).put("train_loss", r.trainLoss()).put(heldOut + "_loss", r.valLoss())
                                .put(heldOut + "_mae", m.mae()).put(heldOut + "_rmse", m.rmse()).put(heldOut + "_r2", m.r2()).put("lr", r.lr())
                                .put("epoch_seconds", r.epochSeconds()).put("eval_seconds", r.evalSeconds()).put("samples_per_second", r.samplesPerSecond()).toString());
                    } else {
                        human.printf(Locale.ROOT, "epoch %d/%d  train loss %.4f  %s loss %.4f  %s %s  %.1f s%n", r.epoch(), epochs, r.trainLoss(), heldOut, r.valLoss(), heldOut, m, r.epochSeconds());
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
        if (cmd.patience != null) trainer.earlyStopping(new EarlyStopping(EarlyStopping.Monitor.VAL_LOSS, cmd.patience).restoreBestWeights(validation != null));
        cmd.checkpointing(trainer, rng, checkpoint, saveTo, results, human);
        cmd.recordRun(trainer, "table-" + table.target(), train, classify ? table.classes().toArray(String[]::new) : null, human);
        History history;
        try {
            history = trainer.fit(loader, watched, epochs);
        } catch (NonFiniteLossException e) {
            if (cmd.plot != null && !results.isEmpty()) writePlots(results, heldOut, classify, null, table, human);
            throw e;
        }
        FinalReport report = FinalReport.of(history, validation != null ? trainer.evaluate(test) : null, cmd.patience);
        String[] classes = classify ? table.classes().toArray(String[]::new) : null;
        if (classify) {
            report.print(human, classes);
            if (cmd.json && validation != null) out.println(report.testJson());
        } else {
            if (report.note() != null) human.println(report.note());
            human.println();
            RegressionMetrics m = regression(net, schema, test, split.test());
            if (validation != null) human.printf(Locale.ROOT, "the test rows, evaluated once at the end on the model of epoch %d:%n", report.epoch());
            human.println("test rows: " + m);
            if (cmd.json && validation != null) {
                out.println(new Json().put("set", "test").put("epoch", report.epoch()).put("test_loss", report.test().loss())
                        .put("test_mae", m.mae()).put("test_rmse", m.rmse()).put("test_r2", m.r2()).put("test_samples", m.count()).toString());
            }
        }
        out.flush();
        if (cmd.plot != null) writePlots(results, heldOut, classify, report, table, human);
        if (cmd.save != null) {
            spec.save(net, cmd.save, schema.toMetadata());
            human.printf(Locale.ROOT, "wrote %s (the weights of epoch %d)%n", cmd.save, history.modelEpoch());
        }
        return 0;
    }

    /** The rows of {@code --val-data}: the table's feature and target columns, read with the training table's classes. */
    private Dataset readValidation(TabularSchema schema) throws IOException {
        try {
            return schema.read(cmd.valData);
        } catch (IOException e) {
            String message = String.valueOf(e.getMessage());
            throw new IOException("--val-data " + (message.startsWith(cmd.valData.toString()) ? message : cmd.valData + ": " + message), e);
        }
    }

    /**
     * The loss curves (and for a classification the accuracy curves and the test rows' confusion matrix of the model
     * kept: {@code report}'s, or the last epoch's when the epochs were evaluated on the test rows).
     */
    private void writePlots(List<EpochResult> results, String heldOut, boolean classify, FinalReport report, TabularData table, PrintStream human) throws IOException {
        String title = (cmd.modelFile != null ? cmd.modelFile.getFileName().toString() : "mlp") + " on " + cmd.data.getFileName();
        if (!classify) {
            Charts.writeLossCurve(results, heldOut, title + " (loss: MSE of the standardised target)", cmd.plot);
            human.println("wrote " + cmd.plot);
            return;
        }
        Charts.writeCurves(results, heldOut, title, cmd.plot);
        Path confusion = Charts.confusionPath(cmd.plot);
        String[] classes = table.classes().toArray(String[]::new);
        EpochResult last = results.getLast();
        boolean lastIsTest = last.validation() != null && heldOut.equals("test");
        if (report != null) {
            Charts.writeConfusion(report.test().confusion(), classes, title + ", epoch " + report.epoch() + ", test rows", confusion);
        } else if (lastIsTest) {
            Charts.writeConfusion(last.validation().confusion(), classes, title + ", epoch " + last.epoch() + ", test rows", confusion);
        }
        human.println("wrote " + cmd.plot + (report != null || lastIsTest ? " and " + confusion : ""));
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
