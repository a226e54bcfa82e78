package dev.lamina.cli;

import dev.lamina.data.DataLoader;
import dev.lamina.data.Dataset;
import dev.lamina.data.FashionMnist;
import dev.lamina.train.Checkpoint;
import dev.lamina.kernels.Parallel;
import dev.lamina.models.ModelSpec;
import dev.lamina.models.Models;
import dev.lamina.models.Zoo;
import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.nn.Sequential;
import dev.lamina.optim.Optimizer;
import dev.lamina.optim.Scheduler;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import dev.lamina.train.Callback;
import dev.lamina.train.EarlyStopping;
import dev.lamina.train.EpochResult;
import dev.lamina.train.History;
import dev.lamina.train.NonFiniteLossException;
import dev.lamina.train.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code lamina train}: trains a named model on Fashion-MNIST-format data and evaluates it after every epoch. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train and evaluate a model on Fashion-MNIST (the bundled subset by default).",
                "Prints a summary line per epoch (and a progress bar on a terminal), then per-class precision, recall and F1 and the confusion matrix of the test set."})
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "mlp", description = "Model to train: ${COMPLETION-CANDIDATES} (lstm and transformer are character-level language models on a text file); default ${DEFAULT-VALUE}.", completionCandidates = CliModels.All.class)
    String model;

    @Option(names = "--data", paramLabel = "DIR|FILE", description = "Directory with the four IDX files (raw or .gz), a UTF-8 text file for lstm/transformer, or a CSV table (with --target); default: the Fashion-MNIST subset or the KJV text shipped in the repository.")
    Path data;

    @Option(names = "--model-file", paramLabel = "FILE.json", description = "Train the model defined in FILE.json (a Sequential of layers, see the README) instead of --model; --save stores the definition with the weights.")
    Path modelFile;

    @Option(names = "--target", paramLabel = "COLUMN", description = "Tabular training on the CSV table --data: predict COLUMN from the other (numeric) columns.")
    String target;

    @Option(names = "--task", paramLabel = "classify|regress", description = "With --target: classification or regression; default: classification when the target column holds text, regression when numbers.")
    String task;

    @Option(names = "--warmup-steps", paramLabel = "N", description = "Linear learning-rate warm-up over the first N optimizer steps (with --lr-schedule constant or warmup-cosine).")
    Integer warmupSteps;

    @Option(names = "--epochs", defaultValue = "5", description = "Epochs; default ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--batch-size", description = "Mini-batch size; default 64 for images, 32 for text.")
    Integer batchSize;

    @Option(names = "--seq-len", defaultValue = "64", description = "Characters per training window of lstm/transformer; default ${DEFAULT-VALUE}.")
    int seqLen;

    @Option(names = "--save", paramLabel = "FILE.safetensors", description = "Write the trained weights (and what `lamina generate` needs to rebuild the model) to FILE.safetensors.")
    Path save;

    @Option(names = "--lr", defaultValue = "1e-3", description = "Learning rate; default ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--optimizer", defaultValue = "adam", description = "adam, adamw, sgd (momentum 0.9) or rmsprop; default ${DEFAULT-VALUE}.")
    String optimizer;

    @Option(names = "--lr-schedule", defaultValue = "constant", description = "constant, cosine (to 0 over the epochs), step (x 0.1 after each third of the epochs), or per optimizer step onecycle (PyTorch's OneCycleLR, max --lr) or warmup-cosine (warm-up over --warmup-steps, default 5%% of the steps, then cosine to 0); default ${DEFAULT-VALUE}.")
    String schedule;

    @Option(names = "--clip-norm", paramLabel = "MAX", description = "Clip the global gradient norm to MAX before each step.")
    Double clipNorm;

    @Option(names = "--patience", paramLabel = "N", description = "Stop early when the validation loss has not improved for N epochs, and keep (report, save) the best epoch's weights. Without --val-split or --val-data (image models) it watches the test loss only to save time: the last epoch is kept, never one chosen by the test set.")
    Integer patience;

    @Option(names = "--val-split", paramLabel = "FRACTION", description = "Image models and tables: hold out this share of the training set (stratified by class, at random for a regression; seeded by --seed) as a validation set: the per-epoch report, --patience and the best-epoch choice use it; the test set is evaluated once, at the end.")
    Double valSplit;

    @Option(names = "--val-data", paramLabel = "DIR|FILE.csv", description = "A separate validation set, used as --val-split's: for image models a directory with one images and one labels IDX file (or the four files of --data: its t10k pair); for a table (--target) a CSV file with its columns.")
    Path valData;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of initialisation and shuffling; default ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--threads", description = "Worker threads; default: all cores.")
    Integer threads;

    @Option(names = "--limit", paramLabel = "N", description = "Use only the first N training examples.")
    Integer limit;

    @Option(names = "--json", description = "Print one JSON object per epoch on standard output (epoch, train_loss, train_accuracy, test_loss, test_accuracy, test_macro_f1, lr, epoch_seconds, eval_seconds, samples_per_second; validation_loss, validation_accuracy, validation_macro_f1 instead of the test_ keys with --val-split/--val-data, then one {\"set\":\"test\", ...} object of the final test evaluation; lstm/transformer: validation_loss, bits per character, chars_per_second; a table's regression: _mae, _rmse, _r2 instead of the accuracy keys); other messages go to standard error.")
    boolean json;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "Write training curves (loss and accuracy per epoch, train and test, or train and validation with --val-split/--val-data) to FILE.png and the test confusion matrix (of the model kept) to FILE-confusion.png; for lstm/transformer, loss and bits per character per epoch (train, validation) to FILE.png; for a table's regression, the loss curve.")
    Path plot;

    @Option(names = "--no-progress", description = "No progress bar (it is drawn only on an interactive terminal anyway).")
    boolean noProgress;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR", description = "Save a checkpoint (weights, optimizer, schedule, random generators, metrics, position) into DIR after every epoch and every --checkpoint-every steps; DIR/latest names the newest. A crash or kill at any moment leaves a complete one.")
    Path checkpointDir;

    @Option(names = "--checkpoint-every", paramLabel = "STEPS", description = "Also save a checkpoint every STEPS optimizer steps (needs --checkpoint-dir or --resume).")
    Integer checkpointEvery;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run checkpointed in DIR (its latest checkpoint, or DIR itself if it is one) exactly where it stopped, with the run's saved settings; it keeps saving checkpoints there unless --checkpoint-dir says otherwise. Flags that would change the run are refused; --data (the same data, moved), --checkpoint-every and, with a constant learning rate, --epochs may differ.")
    Path resume;

    @Option(names = "--weights", paramLabel = "FILE.safetensors", description = "Zoo models: start from this state dict (torchvision's names, e.g. a torchvision model saved as safetensors, or --save of an earlier run); a head with another number of classes is replaced by a fresh one.")
    Path weights;

    @Option(names = "--freeze", paramLabel = "PREFIX", split = ",", description = "Zoo models: freeze the parameters named PREFIX or PREFIX.* (repeatable or comma-separated, e.g. --freeze conv1,bn1,layer1); their BatchNorms stay in evaluation mode.")
    List<String> freeze;

    @Option(names = "--on-bad-image", paramLabel = "skip|fail", defaultValue = "fail", description = "Image folders: a file that does not decode (unreadable, truncated, not an image) is skipped with a warning naming it, or stops the run; default ${DEFAULT-VALUE}.")
    String onBadImage;

    @Option(names = "--image-size", paramLabel = "N", description = "Image folders: resize (shorter side) and centre-crop to N x N; default 32.")
    Integer imageSize;

    @Option(names = "--channels", paramLabel = "1|3", description = "Image folders: 1 (grey) or 3 (RGB) input channels; default 3.")
    Integer channels;

    @Option(names = "--stem", paramLabel = "small|imagenet", description = "Zoo models: the small-input stem (ResNet: 3x3 stride-1 first conv, no max-pool; MobileNet/EfficientNet: stride-1 first conv) or torchvision's ImageNet stem; default small for images up to 64x64.")
    String stem;

    @Option(names = "--width-mult", paramLabel = "X", defaultValue = "1", description = "Zoo models: channel multiplier (torchvision's width_mult; ResNet base width 64·X; ViT width 3·round(64·X)); default ${DEFAULT-VALUE}.")
    double widthMult;

    @CommandLine.Mixin
    DashboardOptions dashboard = new DashboardOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    SparkOptions sparkOptions = new SparkOptions();

    /** The checkpoint directory {@code --resume} loaded (set by {@link RunSettings#resume}). */
    Path resumedFrom;

    @Override
    public Integer call() throws IOException {
        model = Zoo.has(model) ? model.toLowerCase(Locale.ROOT) : CliModels.canonical("--model", model, CliModels.TRAIN_OWN);
        if (sparkOptions.master != null) return sparkOptions.start(this);
        if (sparkOptions.workers != null || sparkOptions.uneven != null || sparkOptions.averageEvery != null) {
            throw new IllegalArgumentException("--workers, --uneven and --average-every need --spark MASTER");
        }
        Path saveTo = checkpointDir != null ? checkpointDir : resume != null ? RunSettings.checkpointRoot(resume) : null;
        if (checkpointDir != null) OutputPaths.prepareDirectory("--checkpoint-dir", checkpointDir);
        try (RunGuard guard = RunGuard.start(saveTo, spec.commandLine().getParseResult().originalArgs())) {
            return train(saveTo);
        } finally {
            dashboard.finish(json ? System.err : System.out);
        }
    }

    private Integer train(Path saveTo) throws IOException {
        Checkpoint checkpoint = resume == null ? null : RunSettings.resume(this, spec.commandLine().getParseResult());
        if (checkpointEvery != null && checkpointEvery <= 0) throw new IllegalArgumentException("--checkpoint-every must be positive, got " + checkpointEvery);
        if (checkpointEvery != null && checkpointDir == null && resume == null) throw new IllegalArgumentException("--checkpoint-every needs --checkpoint-dir");
        FlagChecks.check(this);
        if (threads != null) Parallel.setThreads(threads);
        OutputPaths.prepareFile("--save", save);
        if (plot != null) {
            OutputPaths.prepareFile("--plot", plot);
            OutputPaths.prepareFile("--plot", Charts.confusionPath(plot));
        }
        if (Zoo.has(model) && modelFile == null) return new ZooTraining(this).run();
        if (target != null) return new TabularTraining(this).run(checkpoint, saveTo);
        if (CliModels.isLanguageModel(model) && modelFile == null) return new TextTraining(this).run(checkpoint, saveTo);
        PrintStream out = System.out;
        PrintStream human = json ? System.err : System.out; // --json keeps standard output pure JSON lines

        Rng rng = new Rng(seed);
        ModelSpec spec = modelFile != null ? ModelSpec.read(modelFile) : null;
        Sequential net = spec != null ? spec.build(rng) : Models.create(model, rng);
        Path dir = data != null ? data : defaultData();
        FashionMnist.Split split = FashionMnist.load(dir);
        ValidationSet held = ValidationSet.of(valSplit, valData, seed, limit != null ? split.train().head(limit) : split.train());
        Dataset train = held.train(), validation = held.validation();
        Dataset test = split.test();
        String watched = heldOut();
        if (spec != null) {
            train = ModelFiles.fit(train, spec);
            if (validation != null) validation = ModelFiles.fit(validation, spec);
            test = ModelFiles.fit(test, spec);
        }
        Optimizer opt = optimizer(net.parameters());

        human.printf(Locale.ROOT, "model %s (%,d parameters), data %s: %,d train / %,d test%s, %d threads%n",
                spec != null ? modelFile : model, net.parameterCount(), dir, train.size(), split.test().size(), validation != null ? " / " + held.description() : "", Parallel.threads());

        List<EpochResult> results = new ArrayList<>();
        Trainer trainer = new Trainer(net, new CrossEntropyLoss(), opt).verbose(false);
        // the bar first: it must close (and clear its line) before the epoch's summary line is printed
        if (!noProgress && Progress.interactive()) trainer.callback(new Progress(epochs));
        trainer.callback(new Callback() {
            @Override
            public void onEpochEnd(EpochResult r) {
                results.add(r);
                if (json) {
                    out.println(jsonLine(r, epochs, watched));
                    out.flush();
                } else {
                    human.println(summaryLine(r, epochs, watched));
                }
            }
        });
        if (clipNorm != null) trainer.clipGradNorm(clipNorm);
        if (patience != null) trainer.earlyStopping(new EarlyStopping(EarlyStopping.Monitor.VAL_LOSS, patience).restoreBestWeights(validation != null));

        DataLoader loader = new DataLoader(train, batchSize != null ? batchSize : 64, true, false, rng.split()).prefetch(2);
        Scheduler lrScheduler = scheduler(opt, loader.batches());
        if (lrScheduler != null) trainer.scheduler(lrScheduler);
        checkpointing(trainer, rng, checkpoint, saveTo, results, human);
        recordRun(trainer, spec != null ? modelFile.getFileName().toString() : model, train, FashionMnist.CLASSES, human);
        History history;
        try {
            history = trainer.fit(loader, validation != null ? validation : test, epochs);
        } catch (NonFiniteLossException e) {
            if (plot != null && !results.isEmpty()) writePlots(results, null, human);
            throw e;
        }
        FinalReport report = FinalReport.of(history, validation != null ? trainer.evaluate(test) : null, patience);
        report.print(human, FashionMnist.CLASSES);
        if (json && validation != null) {
            out.println(report.testJson());
            out.flush();
        }
        if (plot != null) writePlots(results, report, human);
        if (save != null) {
            if (spec != null) spec.save(net, save, java.util.Map.of());
            else Models.save(net, model, save);
            human.printf(Locale.ROOT, "wrote %s (the weights of epoch %d)%n", save, history.modelEpoch());
        }
        return 0;
    }

    /** Saves checkpoints into {@code saveTo} (if any) and continues from {@code checkpoint} (if any). */
    void checkpointing(Trainer trainer, Rng rng, Checkpoint checkpoint, Path saveTo, List<EpochResult> results, PrintStream human) throws IOException {
        trainer.trackRng("init", rng);
        if (saveTo != null) {
            trainer.checkpoints(saveTo, checkpointEvery == null ? 0 : checkpointEvery, true).checkpointConfig(RunSettings.of(this));
        }
        if (checkpoint != null) {
            trainer.resume(checkpoint);
            if (results != null) results.addAll(checkpoint.history());
            Checkpoint.Progress p = checkpoint.progress();
            dashboard.resumedAfter(p.globalStep());
            human.printf(Locale.ROOT, "resuming %s: %s (step %d)%n", resumedFrom,
                    p.epoch() > epochs || p.stop().equals("EARLY_STOPPING") ? "the run had finished"
                            : p.batch() == 0 ? "epoch " + p.epoch() + " from its start" : "epoch " + p.epoch() + " after batch " + p.batch() + " of " + p.batchesPerEpoch(),
                    p.globalStep());
        }
    }

    /**
     * With --dashboard or --run-dir: records the run (activation histograms and the explain page on the first 32
     * training examples, or on {@code train} when it is the probe batch itself) and serves it.
     */
    void recordRun(Trainer trainer, String name, Dataset train, String[] classes, PrintStream human) throws IOException {
        dashboard.attach(trainer, name, train.head(Math.min(32, train.size())), classes, RunSettings.of(this),
                spec.commandLine().getParseResult().originalArgs(), human);
    }

    /** The optimizer --optimizer names, over {@code params}. */
    Optimizer optimizer(List<Tensor> params) {
        return Optimizers.of("--optimizer", optimizer, params, lr);
    }

    /** The scheduler --lr-schedule and --warmup-steps name over --epochs of {@code stepsPerEpoch} steps; null for a constant rate. */
    Scheduler scheduler(Optimizer opt, int stepsPerEpoch) {
        return Schedules.of(schedule, warmupSteps, opt, epochs, stepsPerEpoch);
    }

    /** The curves, and the confusion matrix of the test set: the final one of {@code report}, else the last epoch's. */
    private void writePlots(List<EpochResult> results, FinalReport report, PrintStream human) throws IOException {
        String title = model + " on " + (data != null ? data.getFileName() : "fashion-mnist-subset");
        Charts.writeCurves(results, heldOut(), title, plot);
        Path confusion = Charts.confusionPath(plot);
        EpochResult last = results.getLast();
        boolean lastIsTest = last.validation() != null && heldOut().equals("test");
        if (report != null) {
            Charts.writeConfusion(report.test().confusion(), FashionMnist.CLASSES, title + ", epoch " + report.epoch() + ", test set", confusion);
        } else if (lastIsTest) {
            Charts.writeConfusion(last.validation().confusion(), FashionMnist.CLASSES, title + ", epoch " + last.epoch() + ", test set", confusion);
        }
        human.println("wrote " + plot + (report != null || lastIsTest ? " and " + confusion : ""));
    }

    /** The set each epoch is evaluated on: "validation" with --val-split or --val-data, else "test". */
    private String heldOut() {
        return valSplit != null || valData != null ? "validation" : "test";
    }

    /** @param set what the epoch was evaluated on: "test", or "validation" with --val-split/--val-data */
    static String summaryLine(EpochResult r, int epochs, String set) {
        return String.format(Locale.ROOT, "epoch %d/%d  train loss %.4f  train accuracy %.2f%%  %s loss %.4f  %s accuracy %.2f%%  %.1f s  %,.0f samples/s",
                r.epoch(), epochs, r.trainLoss(), 100 * r.trainAccuracy(), set, r.valLoss(), set, 100 * r.valAccuracy(), r.epochSeconds(), r.samplesPerSecond());
    }

    static String jsonLine(EpochResult r, int epochs, String set) {
        return new Json()
                .put("epoch", r.epoch())
                .put("epochs", epochs)
                .put("train_loss", r.trainLoss())
                .put("train_accuracy", r.trainAccuracy())
                .put(set + "_loss", r.valLoss())
                .put(set + "_accuracy", r.valAccuracy())
                .put(set + "_macro_f1", r.valMacroF1())
                .put("lr", r.lr())
                .put("epoch_seconds", r.epochSeconds())
                .put("eval_seconds", r.evalSeconds())
                .put("samples_per_second", r.samplesPerSecond())
                .toString();
    }

    /** The bundled subset: {@code $LAMINA_HOME/data/fashion-mnist-subset} (the launcher sets lamina.home). */
    static Path defaultData() {
        String home = System.getProperty("lamina.home", System.getenv().getOrDefault("LAMINA_HOME", "."));
        return Path.of(home, "data", "fashion-mnist-subset");
    }
}
