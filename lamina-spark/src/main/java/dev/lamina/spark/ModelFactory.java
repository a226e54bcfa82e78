package dev.lamina.spark;

import dev.lamina.models.ModelSpec;
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

    /**
     * A model definition ({@link ModelSpec} JSON, as {@code lamina train --model-file} takes).
     *
     * @throws IllegalArgumentException when the JSON is not a valid definition, with the parser's message
     */
    static ModelFactory spec(String json) {
        try {
            ModelSpec.parse(json, "model definition");
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return new Spec(json);
    }

    /** An MLP for tables of {@code features} columns and {@code outputs} outputs ({@link ModelSpec#tabularMlp}). */
    static ModelFactory tabularMlp(int features, int outputs) {
        return new Spec(ModelSpec.tabularMlp(features, outputs).toJson());
    }

    /** A model built from a definition. */
    record Spec(String json) implements ModelFactory {
        @Override
        public Module create(Rng rng) {
            try {
                return ModelSpec.parse(json, "model definition").build(rng);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
    }

    /** A named model (a record, so that it prints and compares by name). */
    record Named(String name) implements ModelFactory {
        @Override
        public Module create(Rng rng) {
            return Models.create(name, rng);
        }
    }
}
