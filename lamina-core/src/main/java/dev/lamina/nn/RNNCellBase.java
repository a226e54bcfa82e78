package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * What {@link LSTMCell} and {@link GRUCell} share, like PyTorch's {@code RNNCellBase}: {@code weight_ih}
 * [gates·H, in], {@code weight_hh} [gates·H, H], {@code bias_ih}, {@code bias_hh} [gates·H], uniform in ±1/√H, and
 * the checks of the input and the states.
 */
abstract class RNNCellBase extends Module {
    final int inputSize;
    final int hiddenSize;
    final Tensor weightIh, weightHh, biasIh, biasHh;

    RNNCellBase(int gates, int inputSize, int hiddenSize, boolean bias, Rng rng) {
        if (inputSize <= 0 || hiddenSize <= 0) throw new IllegalArgumentException(describe() + ": sizes must be positive, got inputSize=" + inputSize + ", hiddenSize=" + hiddenSize);
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        double bound = 1 / Math.sqrt(hiddenSize);
        weightIh = registerParameter("weight_ih", Tensor.uniform(rng, -bound, bound, gates * hiddenSize, inputSize));
        weightHh = registerParameter("weight_hh", Tensor.uniform(rng, -bound, bound, gates * hiddenSize, hiddenSize));
        biasIh = bias ? registerParameter("bias_ih", Tensor.uniform(rng, -bound, bound, gates * hiddenSize)) : null;
        biasHh = bias ? registerParameter("bias_hh", Tensor.uniform(rng, -bound, bound, gates * hiddenSize)) : null;
    }

    public int inputSize() {
        return inputSize;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    /** x [batch, in] or unbatched [in] as a one-step sequence [1, batch, in]; a wrong shape names the cell. */
    Tensor asOneStep(Tensor x) {
        if ((x.dim() != 2 && x.dim() != 1) || x.size(-1) != inputSize) throw shapeError("[batch, " + inputSize + "] or [" + inputSize + "]", x);
        return x.dim() == 1 ? x.reshape(1, 1, inputSize) : x.unsqueeze(0);
    }

    /** The state {@code s} as [batch, H] (given as [H] for unbatched input x), or null. */
    Tensor state(Tensor x, String name, Tensor s) {
        if (s == null) return null;
        boolean unbatched = x.dim() == 1;
        int batch = unbatched ? 1 : x.size(0);
        boolean ok = unbatched ? s.dim() == 1 && s.size(0) == hiddenSize : s.dim() == 2 && s.size(0) == batch && s.size(1) == hiddenSize;
        if (!ok) {
            String exp = unbatched ? "[" + hiddenSize + "]" : "[" + batch + ", " + hiddenSize + "]";
            throw new ShapeException(describe() + ": expected state " + name + " of shape " + exp + " (batch, hidden), got " + Shape.str(s.shape()));
        }
        return unbatched ? s.reshape(1, hiddenSize) : s;
    }

    /** A [batch, H] result shaped like x's batch: [H] for unbatched input. */
    Tensor like(Tensor result, Tensor x) {
        return x.dim() == 1 ? result.reshape(hiddenSize) : result;
    }

    @Override
    protected String extraRepr() {
        return "inputSize=" + inputSize + ", hiddenSize=" + hiddenSize + ", bias=" + (biasIh != null);
    }
}
