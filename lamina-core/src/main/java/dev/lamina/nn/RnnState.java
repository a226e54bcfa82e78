package dev.lamina.nn;

import dev.lamina.tensor.Tensor;

/**
 * Hidden state of a recurrent layer or cell: {@code h} and, for LSTMs, the cell state {@code c} (null for GRUs).
 * For the layers both are [layers·directions, batch, H] ([layers·directions, H] for unbatched input); for the cells
 * [batch, H]. Either may be null in an initial state, meaning zeros.
 */
public record RnnState(Tensor h, Tensor c) {
    /** A GRU state (no cell state). */
    public static RnnState of(Tensor h) {
        return new RnnState(h, null);
    }
}
