package dev.lamina.nn;

import dev.lamina.nn.functional.GruOp;
import dev.lamina.nn.functional.RnnInput;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * Multi-layer gated recurrent unit, PyTorch's {@code nn.GRU}: gates (r, z, n) stacked in that order in
 * {@code weight_ih_l<k>} [3H, in], {@code weight_hh_l<k>} [3H, H] and the biases [3H], {@code _reverse} for the
 * backward direction, all initialised uniform in ±1/√H; n = tanh(W_in x + b_in + r·(W_hn h + b_hn)),
 * h' = (1 − z)·n + z·h. Each layer and direction runs as one fused {@link GruOp}. The state has no cell part
 * ({@link RnnOutput#cN()} is null).
 *
 * <pre>{@code
 * GRU gru = new GRU(64, 256);                                    // [seq, batch, 64] → [seq, batch, 256]
 * GRU deep = new GRU(64, 128, 2, true, true, rng);               // 2 layers, bidirectional
 * deep.batchFirst(true).dropout(0.2);
 * RnnOutput r = deep.forward(x, RnnState.of(h0), lengths);      // r.output(), r.hN()
 * }</pre>
 */
public final class GRU extends RNNBase {
    /** What a GRU is built from: see {@link RNNBase.Config}. */
    public record Config(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean bidirectional, boolean batchFirst, double dropout)
            implements RNNBase.Config {
        @Override
        public GRU build(Rng rng) {
            return configured(new GRU(inputSize, hiddenSize, numLayers, bias, bidirectional, rng), this, rng);
        }
    }

    public GRU(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, 1, true, false, Rng.global());
    }

    public GRU(int inputSize, int hiddenSize, int numLayers) {
        this(inputSize, hiddenSize, numLayers, true, false, Rng.global());
    }

    public GRU(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean bidirectional, Rng rng) {
        super(3, inputSize, hiddenSize, numLayers, bias, bidirectional, rng);
    }

    @Override
    public GRU batchFirst(boolean value) {
        super.batchFirst(value);
        return this;
    }

    @Override
    public GRU dropout(double p) {
        super.dropout(p);
        return this;
    }

    @Override
    public GRU dropout(double p, Rng rng) {
        super.dropout(p, rng);
        return this;
    }

    @Override
    public Config config() {
        return new Config(inputSize(), hiddenSize(), numLayers(), hasBias(), bidirectional(), isBatchFirst(), dropoutProbability());
    }

    @Override
    Tensor[] runDirection(RnnInput x, Tensor h0, Tensor c0, Tensor[] w, float[] mask, boolean reverse) {
        GruOp.Result r = GruOp.gru(x, h0, w[0], w[1], w[2], w[3], mask, reverse);
        return new Tensor[] {r.output(), r.hN(), null};
    }

    @Override
    boolean hasCellState() {
        return false;
    }
}
