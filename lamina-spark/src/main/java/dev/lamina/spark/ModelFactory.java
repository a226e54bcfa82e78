package dev.lamina.spark;

import dev.lamina.models.Models;
import dev.lamina.nn.Module;
import dev.lamina.tensor.Rng;

import java.io.Serializable;

/**
 * Builds a fresh model replica inside each Spark task (only this recipe travels to the executors; weights travel as
 * float arrays or safetensors). Every rank calls it with a generator seeded by the run's seed, so all replicas start
 * from the same weights.
 */
@FunctionalInterface
public interface ModelFactory extends Serializable {
    /** A new model initialised from {@code rng}. */
    Module create(Rng rng);

    /** One of Lamina's named image models ({@link Models#NAMES}: input [N, 784], 10 classes). */
    static ModelFactory named(String name) {
        if (!Models.NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown model '" + name + "' for Spark training; available: " + String.join(", ", Models.NAMES));
        }
        return new Named(name);
    }

    /** A named model (a record, so that it prints and compares by name). */
    record Named(String name) implements ModelFactory {
        @Override
        public Module create(Rng rng) {
            return Models.create(name, rng);
        }
    }
}
