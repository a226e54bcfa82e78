package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * Keeps only the last time step of a batch-first sequence, like Keras's {@code return_sequences=False}: what a
 * sequence classifier reads after an LSTM or GRU.
 */
public final class LastStep extends Module {
    /** What a LastStep is built from: nothing (it has no hyper-parameters). */
    public record Config() implements LayerConfig {
        @Override
        public LastStep build(Rng rng) {
            return new LastStep();
        }
    }

    /** [N, T, F] → [N, F], the features at t = T − 1. */
    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 3 || x.size(1) == 0) throw shapeError("[batch, time ≥ 1, features]", x);
        return x.select(1, x.size(1) - 1);
    }

    @Override
    public Config config() {
        return new Config();
    }
}
