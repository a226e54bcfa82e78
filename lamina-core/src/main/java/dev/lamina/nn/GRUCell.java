package dev.lamina.nn;

import dev.lamina.nn.functional.GruOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * One GRU step, PyTorch's {@code nn.GRUCell}, for hand-written loops: {@code weight_ih} [3H, in],
 * {@code weight_hh} [3H, H], {@code bias_ih}, {@code bias_hh} [3H] (gates r, z, n), uniform in ±1/√H.
 * Runs as a one-step {@link GruOp}.
 */
public final class GRUCell extends Module {
    private final int inputSize;
    private final int hiddenSize;
    private final Tensor weightIh, weightHh, biasIh, biasHh;

    public GRUCell(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, true, Rng.global());
    }

    public GRUCell(int inputSize, int hiddenSize, boolean bias, Rng rng) {
        if (inputSize <= 0 || hiddenSize <= 0) throw new IllegalArgumentException(describe() + ": sizes must be positive, got inputSize=" + inputSize + ", hiddenSize=" + hiddenSize);
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        double bound = 1 / Math.sqrt(hiddenSize);
        weightIh = registerParameter("weight_ih", Tensor.uniform(rng, -bound, bound, 3 * hiddenSize, inputSize));
        weightHh = registerParameter("weight_hh", Tensor.uniform(rng, -bound, bound, 3 * hiddenSize, hiddenSize));
        biasIh = bias ? registerParameter("bias_ih", Tensor.uniform(rng, -bound, bound, 3 * hiddenSize)) : null;
        biasHh = bias ? registerParameter("bias_hh", Tensor.uniform(rng, -bound, bound, 3 * hiddenSize)) : null;
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
        return forward(x, null);
    }

    /**
     * @param x [batch, in], or unbatched [in]
     * @param h [batch, H] ([H] unbatched), or null for zeros
     * @return the next h, shaped like the state
     */
    public Tensor forward(Tensor x, Tensor h) {
        if ((x.dim() != 2 && x.dim() != 1) || x.size(-1) != inputSize) throw shapeError("[batch, " + inputSize + "] or [" + inputSize + "]", x);
        boolean unbatched = x.dim() == 1;
        int batch = unbatched ? 1 : x.size(0);
        Tensor h0 = CellStates.check(this, "h", h, unbatched, batch, hiddenSize);
        Tensor x3 = unbatched ? x.reshape(1, 1, inputSize) : x.unsqueeze(0);
        Tensor next = GruOp.gru(x3, h0, weightIh, weightHh, biasIh, biasHh, null, false).hN();
        return unbatched ? next.reshape(hiddenSize) : next;
    }

    @Override
    protected String extraRepr() {
        return "inputSize=" + inputSize + ", hiddenSize=" + hiddenSize + ", bias=" + (biasIh != null);
    }
}
