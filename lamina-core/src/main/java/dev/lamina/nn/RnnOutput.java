package dev.lamina.nn;

import dev.lamina.tensor.Tensor;

/**
 * What {@link LSTM} and {@link GRU} return: {@code output} [seq, batch, directions·H] ([batch, seq, ...] with
 * batchFirst, [seq, directions·H] for unbatched input), zero past each sequence's length; {@code hN} (and for
 * LSTMs {@code cN}, else null) [layers·directions, batch, H], the state after each sequence's last valid step.
 * All are on the tape: gradients flow from any of them to the input, the initial state and every parameter.
 */
public record RnnOutput(Tensor output, Tensor hN, Tensor cN) {
    /** The final state (hN, cN), e.g. to continue with the next chunk of a sequence. */
    public RnnState state() {
        return new RnnState(hN, cN);
    }
}
