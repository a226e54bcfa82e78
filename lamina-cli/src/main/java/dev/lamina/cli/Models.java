package dev.lamina.cli;

import dev.lamina.nn.Input;
import dev.lamina.nn.Linear;
import dev.lamina.nn.ReLU;
import dev.lamina.nn.Sequential;
import dev.lamina.tensor.Rng;

import java.util.List;

/** The named models the command line can train. */
final class Models {
    private Models() {}

    static final List<String> NAMES = List.of("mlp");

    /** A fresh, seeded model for 28×28 images flattened to 784 values and 10 classes. */
    static Sequential create(String name, Rng rng) {
        return switch (name) {
            case "mlp" -> new Sequential(new Input(784),
                    new Linear(784, 256, true, rng), new ReLU(),
                    new Linear(256, 128, true, rng), new ReLU(),
                    new Linear(128, 10, true, rng));
            default -> throw new IllegalArgumentException("unknown model '" + name + "'; available: " + String.join(", ", NAMES));
        };
    }
}
