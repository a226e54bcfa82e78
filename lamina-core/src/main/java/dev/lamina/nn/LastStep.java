package dev.lamina.nn;

import dev.lamina.tensor.Tensor;

/**
 * Keeps only the last time step of a batch-first sequence, like Keras's {@code return_sequences=False}: what a
 * sequence classifier reads after an LSTM or GRU.
 */
public final class LastStep extends Module {
    /** [N, T, F] → [N, F], the features at t = T − 1. */
    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 3 || x.size(1) == 0) throw shapeError("[batch, time ≥ 1, features]", x);
        return x.select(1, x.size(1) - 1);
    }
}
