package dev.lamina.cli;

import dev.lamina.autograd.Autograd;
import dev.lamina.data.DataLoader;
import dev.lamina.data.Dataset;
import dev.lamina.data.FashionMnist;
import dev.lamina.kernels.Parallel;
import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.loss.Reduction;
import dev.lamina.nn.Sequential;
import dev.lamina.optim.Adam;
import dev.lamina.optim.AdamW;
import dev.lamina.optim.Optimizer;
import dev.lamina.optim.RMSprop;
import dev.lamina.optim.SGD;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code lamina train}: trains a named model on Fashion-MNIST-format data and evaluates it after every epoch. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train and evaluate a model on Fashion-MNIST (the bundled subset by default).")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "mlp", description = "Model to train: ${COMPLETION-CANDIDATES}; default ${DEFAULT-VALUE}.", completionCandidates = ModelNames.class)
    String model;

    @Option(names = "--data", description = "Directory with the four IDX files (raw or .gz); default: the subset shipped in the repository.")
    Path data;

    @Option(names = "--epochs", defaultValue = "5", description = "Epochs; default ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "64", description = "Mini-batch size; default ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--lr", defaultValue = "1e-3", description = "Learning rate; default ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--optimizer", defaultValue = "adam", description = "adam, adamw, sgd (momentum 0.9) or rmsprop; default ${DEFAULT-VALUE}.")
    String optimizer;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of initialisation and shuffling; default ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--threads", description = "Worker threads; default: all cores.")
    Integer threads;

    @Option(names = "--limit", description = "Use only the first N training examples.")
    Integer limit;

    static final class ModelNames extends java.util.ArrayList<String> {
        private static final long serialVersionUID = 1L;

        ModelNames() {
            super(Models.NAMES);
        }
    }

    @Override
    public Integer call() throws IOException {
        if (epochs <= 0 || batchSize <= 0) throw new IllegalArgumentException("--epochs and --batch-size must be positive");
        if (threads != null) Parallel.setThreads(threads);
        Rng rng = new Rng(seed);
        Sequential net = Models.create(model, rng);
        Path dir = data != null ? data : defaultData();
        FashionMnist.Split split = FashionMnist.load(dir);
        Dataset train = limit != null ? split.train().head(limit) : split.train();
        Optimizer opt = switch (optimizer.toLowerCase(Locale.ROOT)) {
            case "adam" -> new Adam(net.parameters(), lr);
            case "adamw" -> new AdamW(net.parameters(), lr);
            case "sgd" -> new SGD(net.parameters(), lr).momentum(0.9);
            case "rmsprop" -> new RMSprop(net.parameters(), lr);
            default -> throw new IllegalArgumentException("unknown optimizer '" + optimizer + "'; available: adam, adamw, sgd, rmsprop");
        };
        System.out.printf(Locale.ROOT, "model %s (%,d parameters), data %s: %,d train / %,d test, %d threads%n",
                model, net.parameterCount(), dir, train.size(), split.test().size(), Parallel.threads());
        DataLoader loader = new DataLoader(train, batchSize, true, false, rng.split());
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        for (int epoch = 1; epoch <= epochs; epoch++) {
            long start = System.nanoTime();
            net.train();
            double lossSum = 0;
            int seen = 0;
            for (Dataset batch : loader) {
                opt.zeroGrad();
                Tensor loss = lossFn.forward(net.forward(batch.features()), batch.targets());
                float value = loss.item();
                if (!Float.isFinite(value)) throw new IllegalStateException("loss became " + value + " in epoch " + epoch + "; training stopped (try a lower --lr)");
                loss.backward();
                opt.step();
                lossSum += value * batch.size();
                seen += batch.size();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double[] test = evaluate(net, split.test());
            System.out.printf(Locale.ROOT, "epoch %d/%d  train loss %.4f  test loss %.4f  test accuracy %.2f%%  %.1f s  %,.0f samples/s%n",
                    epoch, epochs, lossSum / seen, test[0], 100 * test[1], seconds, seen / seconds);
        }
        return 0;
    }

    /** Mean loss and accuracy in evaluation mode, without a tape. */
    static double[] evaluate(Sequential net, Dataset data) {
        net.eval();
        CrossEntropyLoss sum = new CrossEntropyLoss(Reduction.SUM, 0, -100);
        double loss = 0;
        long correct = 0;
        try (var scope = Autograd.noGrad()) {
            for (Dataset batch : new DataLoader(data, 1000, false, false, null)) {
                Tensor logits = net.forward(batch.features());
                loss += sum.forward(logits, batch.targets()).item();
                float[] predicted = logits.argmax(1, false).toArray(), actual = batch.targets().toArray();
                for (int i = 0; i < predicted.length; i++) if (predicted[i] == actual[i]) correct++;
            }
        }
        return new double[] {loss / data.size(), (double) correct / data.size()};
    }

    /** The bundled subset: {@code $LAMINA_HOME/data/fashion-mnist-subset} (the launcher sets lamina.home). */
    static Path defaultData() {
        String home = System.getProperty("lamina.home", System.getenv().getOrDefault("LAMINA_HOME", "."));
        return Path.of(home, "data", "fashion-mnist-subset");
    }
}
