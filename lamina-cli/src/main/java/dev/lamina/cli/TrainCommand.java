package dev.lamina.cli;

import dev.lamina.data.DataLoader;
import dev.lamina.data.Dataset;
import dev.lamina.data.FashionMnist;
import dev.lamina.io.Checkpoint;
import dev.lamina.kernels.Parallel;
import dev.lamina.models.LanguageModels;
import dev.lamina.models.ModelSpec;
import dev.lamina.models.Models;
import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.nn.Sequential;
import dev.lamina.optim.Adam;
import dev.lamina.optim.AdamW;
import dev.lamina.optim.Optimizer;
import dev.lamina.optim.RMSprop;
import dev.lamina.optim.SGD;
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
    @Option(names = "--model", defaultValue = "mlp", description = "Model to train: ${COMPLETION-CANDIDATES} (lstm and transformer are character-level language models on a text file); default ${DEFAULT-VALUE}.", completionCandidates = ModelNames.class)
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

    @Option(names = "--patience", paramLabel = "N", description = "Stop early when the test loss has not improved for N epochs (it monitors the test set: use it to save time, not to select models).")
    Integer patience;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of initialisation and shuffling; default ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--threads", description = "Worker threads; default: all cores.")
    Integer threads;

    @Option(names = "--limit", paramLabel = "N", description = "Use only the first N training examples.")
    Integer limit;

    @Option(names = "--json", description = "Print one JSON object per epoch on standard output (epoch, train_loss, train_accuracy, test_loss, test_accuracy, test_macro_f1, lr, epoch_seconds, eval_seconds, samples_per_second); other messages go to standard error.")
    boolean json;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "Write training curves (loss and accuracy per epoch, train and test) to FILE.png and the test confusion matrix to FILE-confusion.png.")
    Path plot;

    @Option(names = "--no-progress", description = "No progress bar (it is drawn only on an interactive terminal anyway).")
    boolean noProgress;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR", description = "Save a checkpoint (weights, optimizer, schedule, random generators, metrics, position) into DIR after every epoch and every --checkpoint-every steps; DIR/latest names the newest. A crash or kill at any moment leaves a complete one.")
    Path checkpointDir;

    @Option(names = "--checkpoint-every", paramLabel = "STEPS", description = "Also save a checkpoint every STEPS optimizer steps (needs --checkpoint-dir or --resume).")
    Integer checkpointEvery;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run checkpointed in DIR (its latest checkpoint, or DIR itself if it is one) exactly where it stopped, with the run's saved settings; it keeps saving checkpoints there unless --checkpoint-dir says otherwise. Flags that would change the run are refused; --data (the same data, moved), --checkpoint-every and, with a constant learning rate, --epochs may differ.")
    Path resume;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    static final class ModelNames extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        ModelNames() {
            super(Models.NAMES);
            addAll(LanguageModels.NAMES);
        }
    }

    @Override
    public Integer call() throws IOException {
        Checkpoint checkpoint = resume == null ? null : RunSettings.resume(this, spec.commandLine().getParseResult());
        if (checkpointEvery != null && checkpointEvery <= 0) throw new IllegalArgumentException("--checkpoint-every must be positive, got " + checkpointEvery);
        if (checkpointEvery != null && checkpointDir == null && resume == null) throw new IllegalArgumentException("--checkpoint-every needs --checkpoint-dir");
        Path saveTo = checkpointDir != null ? checkpointDir : resume != null ? RunSettings.checkpointRoot(resume) : null;
        if (epochs <= 0 || (batchSize != null && batchSize <= 0) || seqLen <= 0) throw new IllegalArgumentException("--epochs, --batch-size and --seq-len must be positive");
        if (lr < 0 || !Double.isFinite(lr)) throw new IllegalArgumentException("--lr must be a non-negative number, got " + lr);
        if (clipNorm != null && !(clipNorm > 0)) throw new IllegalArgumentException("--clip-norm must be positive, got " + clipNorm);
        if (patience != null && patience < 0) throw new IllegalArgumentException("--patience must be >= 0, got " + patience);
        if (limit != null && limit <= 0) throw new IllegalArgumentException("--limit must be positive, got " + limit);
        if (threads != null) {
            if (threads < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
            Parallel.setThreads(threads);
        }
        Schedules.check(schedule, warmupSteps);
        if (target == null && task != null) throw new IllegalArgumentException("--task needs --target COLUMN (tabular training on a CSV table)");
        if (target == null && data != null && data.toString().toLowerCase(Locale.ROOT).endsWith(".csv")) {
            throw new IllegalArgumentException("--data " + data + " is a CSV table: name the column to predict with --target COLUMN");
        }
        if (target != null) {
            if (data == null) throw new IllegalArgumentException("--target needs --data TABLE.csv");
            return new TabularTraining(this).run(checkpoint, saveTo);
        }
        if (LanguageModels.NAMES.contains(model) && modelFile == null) return new TextTraining(this).run(checkpoint, saveTo);
        PrintStream out = System.out;
        PrintStream human = json ? System.err : System.out; // --json keeps standard output pure JSON lines

        Rng rng = new Rng(seed);
        ModelSpec spec = modelFile != null ? ModelSpec.read(modelFile) : null;
        Sequential net = spec != null ? spec.build(rng) : Models.create(model, rng);
        Path dir = data != null ? data : defaultData();
        FashionMnist.Split split = FashionMnist.load(dir);
        Dataset train = limit != null ? split.train().head(limit) : split.train();
        Dataset test = split.test();
        if (spec != null) {
            train = ModelFiles.fit(train, spec);
            test = ModelFiles.fit(test, spec);
        }
        Optimizer opt = optimizer(net.parameters());

        human.printf(Locale.ROOT, "model %s (%,d parameters), data %s: %,d train / %,d test, %d threads%n",
                spec != null ? modelFile : model, net.parameterCount(), dir, train.size(), split.test().size(), Parallel.threads());

        List<EpochResult> results = new ArrayList<>();
        Trainer trainer = new Trainer(net, new CrossEntropyLoss(), opt).verbose(false);
        // the bar first: it must close (and clear its line) before the epoch's summary line is printed
        if (!noProgress && Progress.interactive()) trainer.callback(new Progress(epochs));
        trainer.callback(new Callback() {
            @Override
            public void onEpochEnd(EpochResult r) {
                results.add(r);
                if (json) {
                    out.println(jsonLine(r, epochs));
                    out.flush();
                } else {
                    human.println(summaryLine(r, epochs));
                }
            }
        });
        if (clipNorm != null) trainer.clipGradNorm(clipNorm);
        if (patience != null) trainer.earlyStopping(new EarlyStopping(EarlyStopping.Monitor.VAL_LOSS, patience));

        DataLoader loader = new DataLoader(train, batchSize != null ? batchSize : 64, true, false, rng.split()).prefetch(2);
        Scheduler lrScheduler = scheduler(opt, loader.batches());
        if (lrScheduler != null) trainer.scheduler(lrScheduler);
        checkpointing(trainer, rng, checkpoint, saveTo, results, human);
        History history;
        try {
            history = trainer.fit(loader, test, epochs);
        } catch (NonFiniteLossException e) {
            if (plot != null && !results.isEmpty()) writePlots(results, human);
            throw e;
        }
        if (history.stoppedEarly()) {
            human.printf(Locale.ROOT, "early stopping: the test loss has not improved for %d epochs; best in epoch %d%n", patience, history.bestEpoch());
        }
        EpochResult last = history.last();
        human.println();
        human.print(last.validation().confusion().report(FashionMnist.CLASSES));
        human.println();
        human.println("confusion matrix of the test set (rows: actual class, columns: predicted class)");
        human.print(last.validation().confusion().format(FashionMnist.CLASSES));
        if (plot != null) writePlots(results, human);
        if (save != null) {
            if (spec != null) spec.save(net, save, java.util.Map.of());
            else Models.save(net, model, save);
            human.println("wrote " + save);
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
            human.printf(Locale.ROOT, "resuming %s: %s (step %d)%n", Checkpoint.locate(resume),
                    p.epoch() > epochs || p.stop().equals("EARLY_STOPPING") ? "the run had finished"
                            : p.batch() == 0 ? "epoch " + p.epoch() + " from its start" : "epoch " + p.epoch() + " after batch " + p.batch() + " of " + p.batchesPerEpoch(),
                    p.globalStep());
        }
    }

    /** The optimizer --optimizer names, over {@code params}. */
    Optimizer optimizer(List<Tensor> params) {
        return switch (optimizer.toLowerCase(Locale.ROOT)) {
            case "adam" -> new Adam(params, lr);
            case "adamw" -> new AdamW(params, lr);
            case "sgd" -> new SGD(params, lr).momentum(0.9);
            case "rmsprop" -> new RMSprop(params, lr);
            default -> throw new IllegalArgumentException("unknown optimizer '" + optimizer + "'; available: adam, adamw, sgd, rmsprop");
        };
    }

    /** The scheduler --lr-schedule and --warmup-steps name over --epochs of {@code stepsPerEpoch} steps; null for a constant rate. */
    Scheduler scheduler(Optimizer opt, int stepsPerEpoch) {
        return Schedules.of(schedule, warmupSteps, opt, epochs, stepsPerEpoch);
    }

    private void writePlots(List<EpochResult> results, PrintStream human) throws IOException {
        String title = model + " on " + (data != null ? data.getFileName() : "fashion-mnist-subset");
        Charts.writeCurves(results, title, plot);
        Path confusion = Charts.confusionPath(plot);
        EpochResult last = results.getLast();
        Charts.writeConfusion(last.validation().confusion(), FashionMnist.CLASSES, title + ", epoch " + last.epoch() + ", test set", confusion);
        human.println("wrote " + plot + " and " + confusion);
    }

    static String summaryLine(EpochResult r, int epochs) {
        return String.format(Locale.ROOT, "epoch %d/%d  train loss %.4f  train accuracy %.2f%%  test loss %.4f  test accuracy %.2f%%  %.1f s  %,.0f samples/s",
                r.epoch(), epochs, r.trainLoss(), 100 * r.trainAccuracy(), r.valLoss(), 100 * r.valAccuracy(), r.epochSeconds(), r.samplesPerSecond());
    }

    static String jsonLine(EpochResult r, int epochs) {
        return new Json()
                .put("epoch", r.epoch())
                .put("epochs", epochs)
                .put("train_loss", r.trainLoss())
                .put("train_accuracy", r.trainAccuracy())
                .put("test_loss", r.valLoss())
                .put("test_accuracy", r.valAccuracy())
                .put("test_macro_f1", r.valMacroF1())
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
