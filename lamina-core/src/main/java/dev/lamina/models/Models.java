package dev.lamina.models;

import dev.lamina.nn.BatchNorm2d;
import dev.lamina.nn.Conv2d;
import dev.lamina.nn.Dropout;
import dev.lamina.nn.Flatten;
import dev.lamina.nn.Input;
import dev.lamina.nn.LSTM;
import dev.lamina.nn.LastStep;
import dev.lamina.nn.Linear;
import dev.lamina.nn.MaxPool2d;
import dev.lamina.nn.ReLU;
import dev.lamina.nn.Reshape;
import dev.lamina.nn.Sequential;
import dev.lamina.io.Safetensors;
import dev.lamina.tensor.Rng;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Named models for 28×28 grey-scale images given as 784 values per sample (Fashion-MNIST, MNIST) and 10 classes:
 * the ones {@code lamina train --model NAME} trains and the benchmarks time.
 */
public final class Models {
    private Models() {}

    public static final List<String> NAMES = List.of("mlp", "cnn", "rowlstm");

    /** A fresh model with seeded initialisation; input [N, 784], output logits [N, 10]. */
    public static Sequential create(String name, Rng rng) {
        return switch (name) {
            case "mlp" -> mlp(rng);
            case "cnn" -> cnn(rng);
            case "rowlstm" -> rowLstm(rng);
            default -> throw new IllegalArgumentException("unknown model '" + name + "'; available: " + String.join(", ", NAMES));
        };
    }

    /** 784-256-128-10 with ReLU. */
    public static Sequential mlp(Rng rng) {
        return new Sequential(new Input(784),
                new Linear(784, 256, true, rng), new ReLU(),
                new Linear(256, 128, true, rng), new ReLU(),
                new Linear(128, 10, true, rng));
    }

    /**
     * conv(1→32, 3×3, pad 1)-BN-ReLU-maxpool 2 → conv(32→64, 3×3, pad 1)-BN-ReLU-maxpool 2 → flatten →
     * dropout 0.25 → linear(3136→128)-ReLU → linear(128→10).
     */
    public static Sequential cnn(Rng rng) {
        return new Sequential(new Input(784), new Reshape(1, 28, 28),
                new Conv2d(1, 32, 3, 1, true, rng).padding(1), new BatchNorm2d(32), new ReLU(), new MaxPool2d(2),
                new Conv2d(32, 64, 3, 1, true, rng).padding(1), new BatchNorm2d(64), new ReLU(), new MaxPool2d(2),
                new Flatten(), new Dropout(0.25, rng.split()),
                new Linear(3136, 128, true, rng), new ReLU(),
                new Linear(128, 10, true, rng));
    }

    /**
     * The image as a sequence: its 28 rows are 28 time steps of 28 pixels through an LSTM (hidden 128, batch-first);
     * the last step's output → linear(128→10).
     */
    public static Sequential rowLstm(Rng rng) {
        return new Sequential(new Input(784), new Reshape(28, 28),
                new LSTM(28, 128, 1, true, false, rng).batchFirst(true), new LastStep(),
                new Linear(128, 10, true, rng));
    }

    /** Metadata key naming the model in files written by {@link #save}. */
    public static final String MODEL_KEY = "lamina.model";

    /** Writes the model's state dict as safetensors, atomically, with its name in the metadata. */
    public static void save(Sequential net, String name, Path file) throws IOException {
        Safetensors.write(file, net.stateDict(), Map.of(MODEL_KEY, name));
    }

    /** Rebuilds a model written by {@link #save}: the name from the metadata, then every weight, strictly. */
    public static Sequential load(Path file) throws IOException {
        Safetensors.Contents c = Safetensors.readAll(file);
        String name = c.metadata().get(MODEL_KEY);
        if (name == null || !NAMES.contains(name)) {
            throw new IOException(file + ": not an image model saved by Lamina (metadata \"" + MODEL_KEY + "\" is " + (name == null ? "missing" : "'" + name + "'") + "; expected one of " + NAMES + ")");
        }
        Sequential net = create(name, new Rng(0));
        net.loadStateDict(c.tensors(), true);
        net.eval();
        return net;
    }
}
