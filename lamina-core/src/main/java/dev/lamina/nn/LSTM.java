package dev.lamina.nn;

import dev.lamina.nn.functional.LstmOp;
import dev.lamina.nn.functional.RnnInput;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * Multi-layer long short-term memory, PyTorch's {@code nn.LSTM}: gates (i, f, g, o) stacked in that order in
 * {@code weight_ih_l<k>} [4H, in], {@code weight_hh_l<k>} [4H, H] and the biases [4H], {@code _reverse} for the
 * backward direction, all initialised uniform in ±1/√H. Each layer and direction runs as one fused {@link LstmOp}.
 *
 * <pre>{@code
 * LSTM lstm = new LSTM(64, 256);                                  // [seq, batch, 64] → [seq, batch, 256]
 * LSTM deep = new LSTM(64, 128, 2, true, true, rng);              // 2 layers, bidirectional
 * deep.batchFirst(true).dropout(0.2);
 * RnnOutput r = deep.forward(x, null, lengths);                   // r.output(), r.hN(), r.cN()
 * }</pre>
 */
public final class LSTM extends RNNBase {
    /** What an LSTM is built from: see {@link RNNBase.Config}. */
    public record Config(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean bidirectional, boolean batchFirst, double dropout)
            implements RNNBase.Config {
        @Override
        public LSTM build(Rng rng) {
            return configured(new LSTM(inputSize, hiddenSize, numLayers, bias, bidirectional, rng), this, rng);
        }
    }

    public LSTM(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, 1, true, false, Rng.global());
    }

    public LSTM(int inputSize, int hiddenSize, int numLayers) {
        this(inputSize, hiddenSize, numLayers, true, false, Rng.global());
    }

    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean bidirectional, Rng rng) {
        super(4, inputSize, hiddenSize, numLayers, bias, bidirectional, rng);
    }

    @Override
    public LSTM batchFirst(boolean value) {
        super.batchFirst(value);
        return this;
    }

    @Override
    public LSTM dropout(double p) {
        super.dropout(p);
        return this;
    }

    @Override
    public LSTM dropout(double p, Rng rng) {
        super.dropout(p, rng);
        return this;
    }

    @Override
    public Config config() {
        return new Config(inputSize(), hiddenSize(), numLayers(), hasBias(), bidirectional(), isBatchFirst(), dropoutProbability());
    }

    @Override
    Tensor[] runDirection(RnnInput x, Tensor h0, Tensor c0, Tensor[] w, float[] mask, boolean reverse) {
        LstmOp.Result r = LstmOp.lstm(x, h0, c0, w[0], w[1], w[2], w[3], mask, reverse);
        return new Tensor[] {r.output(), r.hN(), r.cN()};
    }

    @Override
    boolean hasCellState() {
        return true;
    }
}
