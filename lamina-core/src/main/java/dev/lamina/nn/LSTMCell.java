package dev.lamina.nn;

import dev.lamina.nn.functional.LstmOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * One LSTM step, PyTorch's {@code nn.LSTMCell}, for hand-written loops: {@code weight_ih} [4H, in],
 * {@code weight_hh} [4H, H], {@code bias_ih}, {@code bias_hh} [4H] (gates i, f, g, o), uniform in ±1/√H.
 * Runs as a one-step {@link LstmOp}.
 */
public final class LSTMCell extends RNNCellBase {
    public LSTMCell(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, true, Rng.global());
    }

    public LSTMCell(int inputSize, int hiddenSize, boolean bias, Rng rng) {
        super(4, inputSize, hiddenSize, bias, rng);
    }

    /** [batch, in] (or [in]) → the next h [batch, H] (or [H]) from a zero state. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null).h();
    }

    /**
     * @param x [batch, in], or unbatched [in]
     * @param state h and c [batch, H] ([H] unbatched), either may be null (zeros); null for both zero
     * @return the next (h, c), shaped like the state
     */
    public RnnState forward(Tensor x, RnnState state) {
        Tensor x3 = asOneStep(x);
        Tensor h = state(x, "h", state == null ? null : state.h());
        Tensor c = state(x, "c", state == null ? null : state.c());
        LstmOp.Result r = LstmOp.lstm(x3, h, c, weightIh, weightHh, biasIh, biasHh, null, false);
        return new RnnState(like(r.hN(), x), like(r.cN(), x));
    }
}
