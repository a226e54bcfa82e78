package dev.lamina.nn;

import dev.lamina.nn.functional.LstmOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * One LSTM step, PyTorch's {@code nn.LSTMCell}, for hand-written loops: {@code weight_ih} [4H, in],
 * {@code weight_hh} [4H, H], {@code bias_ih}, {@code bias_hh} [4H] (gates i, f, g, o), uniform in ±1/√H.
 * Runs as a one-step {@link LstmOp}.
 */
public final class LSTMCell extends Module {
    private final int inputSize;
    private final int hiddenSize;
    private final Tensor weightIh, weightHh, biasIh, biasHh;

    public LSTMCell(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, true, Rng.global());
    }

    public LSTMCell(int inputSize, int hiddenSize, boolean bias, Rng rng) {
        if (inputSize <= 0 || hiddenSize <= 0) throw new IllegalArgumentException(describe() + ": sizes must be positive, got inputSize=" + inputSize + ", hiddenSize=" + hiddenSize);
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        double bound = 1 / Math.sqrt(hiddenSize);
        weightIh = registerParameter("weight_ih", Tensor.uniform(rng, -bound, bound, 4 * hiddenSize, inputSize));
        weightHh = registerParameter("weight_hh", Tensor.uniform(rng, -bound, bound, 4 * hiddenSize, hiddenSize));
        biasIh = bias ? registerParameter("bias_ih", Tensor.uniform(rng, -bound, bound, 4 * hiddenSize)) : null;
        biasHh = bias ? registerParameter("bias_hh", Tensor.uniform(rng, -bound, bound, 4 * hiddenSize)) : null;
    }

    public int inputSize() {
        return inputSize;
    }

    public int hiddenSize() {
        return hiddenSize;
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
        if ((x.dim() != 2 && x.dim() != 1) || x.size(-1) != inputSize) throw shapeError("[batch, " + inputSize + "] or [" + inputSize + "]", x);
        boolean unbatched = x.dim() == 1;
        int batch = unbatched ? 1 : x.size(0);
        Tensor h = CellStates.check(this, "h", state == null ? null : state.h(), unbatched, batch, hiddenSize);
        Tensor c = CellStates.check(this, "c", state == null ? null : state.c(), unbatched, batch, hiddenSize);
        Tensor x3 = unbatched ? x.reshape(1, 1, inputSize) : x.unsqueeze(0);
        LstmOp.Result r = LstmOp.lstm(x3, h, c, weightIh, weightHh, biasIh, biasHh, null, false);
        return unbatched ? new RnnState(r.hN().reshape(hiddenSize), r.cN().reshape(hiddenSize)) : new RnnState(r.hN(), r.cN());
    }

    @Override
    protected String extraRepr() {
        return "inputSize=" + inputSize + ", hiddenSize=" + hiddenSize + ", bias=" + (biasIh != null);
    }
}
