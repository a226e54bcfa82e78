package dev.lamina.nn;

import dev.lamina.nn.functional.GruOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * One GRU step, PyTorch's {@code nn.GRUCell}, for hand-written loops: {@code weight_ih} [3H, in],
 * {@code weight_hh} [3H, H], {@code bias_ih}, {@code bias_hh} [3H] (gates r, z, n), uniform in ±1/√H.
 * Runs as a one-step {@link GruOp}.
 */
public final class GRUCell extends RNNCellBase {
    public GRUCell(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, true, Rng.global());
    }

    public GRUCell(int inputSize, int hiddenSize, boolean bias, Rng rng) {
        super(3, inputSize, hiddenSize, bias, rng);
    }

    /** [batch, in] (or [in]) → the next h [batch, H] (or [H]) from a zero state. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null);
    }

    /**
     * @param x [batch, in], or unbatched [in]
     * @param h [batch, H] ([H] unbatched), or null for zeros
     * @return the next h, shaped like the state
     */
    public Tensor forward(Tensor x, Tensor h) {
        Tensor x3 = asOneStep(x);
        Tensor h0 = state(x, "h", h);
        return like(GruOp.gru(x3, h0, weightIh, weightHh, biasIh, biasHh, null, false).hN(), x);
    }
}
