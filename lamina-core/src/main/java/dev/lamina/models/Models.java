package dev.lamina.models;

import dev.lamina.nn.BatchNorm2d;
import dev.lamina.nn.Conv2d;
import dev.lamina.nn.Dropout;
import dev.lamina.nn.Flatten;
import dev.lamina.nn.Input;
import dev.lamina.nn.Linear;
import dev.lamina.nn.MaxPool2d;
import dev.lamina.nn.ReLU;
import dev.lamina.nn.Reshape;
import dev.lamina.nn.Sequential;
import dev.lamina.tensor.Rng;

import java.util.List;

/**
 * Named models for 28×28 grey-scale images given as 784 values per sample (Fashion-MNIST, MNIST) and 10 classes:
 * the ones {@code lamina train --model NAME} trains and the benchmarks time.
 */
public final class Models {
    private Models() {}

    public static final List<String> NAMES = List.of("mlp", "cnn");

    /** A fresh model with seeded initialisation; input [N, 784], output logits [N, 10]. */
    public static Sequential create(String name, Rng rng) {
        return switch (name) {
            case "mlp" -> mlp(rng);
            case "cnn" -> cnn(rng);
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
}
