package dev.lamina.explain;

import dev.lamina.nn.GRU;
import dev.lamina.nn.LSTM;
import dev.lamina.nn.RNNBase;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

/**
 * A recurrent layer's gates and hidden states on a batch, recomputed from its weights in plain loops (forward
 * direction of every layer): how saturated the gates are and what the hidden units do over time.
 *
 * @param layer          path of the LSTM or GRU
 * @param kind           "LSTM" or "GRU"
 * @param gates          the gate names in PyTorch's order: input, forget, cell, output (LSTM); reset, update, new (GRU)
 * @param gateSaturation per layer and gate, the share of saturated values: sigmoid gates within 0.01 of 0 or 1, tanh
 *                       ones (the LSTM's cell candidate, the GRU's new state) with |g| > 0.99 ([layers][gates])
 * @param hidden         the top layer's hidden states of the first example, [T][H]
 * @param output         the top layer's hidden states of every example, [B][T][H] (forward direction), to check
 *                       against the layer's own output
 */
public record RecurrentActivity(String layer, String kind, String[] gates, double[][] gateSaturation, float[][] hidden, float[][][] output) {

    /** The LSTM's gate names in PyTorch's order. */
    public static final String[] LSTM_GATES = {"input", "forget", "cell", "output"};
    /** The GRU's gate names in PyTorch's order. */
    public static final String[] GRU_GATES = {"reset", "update", "new"};

    /** Runs {@code rnn}'s recurrence (an LSTM or a GRU) on {@code input} ([B, T, I] batch-first, else [T, B, I]). */
    static RecurrentActivity of(RNNBase rnn, Tensor input) {
        if (!(rnn instanceof LSTM) && !(rnn instanceof GRU)) throw new IllegalArgumentException(rnn.describe() + ": gates are recomputed for LSTM and GRU layers");
        if (input.dim() != 3) throw new IllegalArgumentException(rnn.describe() + ": gate statistics need a batched input [B, T, I] or [T, B, I], got " + Shape.str(input.shape()));
        boolean lstm = rnn instanceof LSTM;
        int g = lstm ? 4 : 3;
        Tensor x = rnn.isBatchFirst() ? input : input.transpose(0, 1);
        int b = x.size(0), t = x.size(1);
        float[] seq = x.contiguous().toArray();
        int in = x.size(2), h = rnn.hiddenSize();
        double[][] saturation = new double[rnn.numLayers()][g];
        float[][][] layerOut = null;
        for (int l = 0; l < rnn.numLayers(); l++) {
            Tensor[] w = rnn.weights(l, 0);
            float[] wih = w[0].toArray(), whh = w[1].toArray();
            float[] bih = w[2] == null ? new float[g * h] : w[2].toArray(), bhh = w[3] == null ? new float[g * h] : w[3].toArray();
            long[] saturated = new long[g];
            layerOut = new float[b][t][h];
            float[] next = new float[b * t * h];
            for (int n = 0; n < b; n++) {
                float[] hs = new float[h], cs = new float[h];
                float[] fromInput = new float[g * h], fromHidden = new float[g * h];
                for (int s = 0; s < t; s++) {
                    int xo = (n * t + s) * in;
                    for (int r = 0; r < g * h; r++) {
                        double ai = bih[r], ah = bhh[r];
                        int wo = r * in, ho = r * h;
                        for (int k = 0; k < in; k++) ai += wih[wo + k] * seq[xo + k];
                        for (int k = 0; k < h; k++) ah += whh[ho + k] * hs[k];
                        fromInput[r] = (float) ai;
                        fromHidden[r] = (float) ah;
                    }
                    for (int j = 0; j < h; j++) {
                        if (lstm) {
                            float i = sigmoid(fromInput[j] + fromHidden[j]), f = sigmoid(fromInput[h + j] + fromHidden[h + j]);
                            float c = (float) Math.tanh(fromInput[2 * h + j] + fromHidden[2 * h + j]), o = sigmoid(fromInput[3 * h + j] + fromHidden[3 * h + j]);
                            count(saturated, 0, i, false);
                            count(saturated, 1, f, false);
                            count(saturated, 2, c, true);
                            count(saturated, 3, o, false);
                            cs[j] = f * cs[j] + i * c;
                            hs[j] = o * (float) Math.tanh(cs[j]);
                        } else {
                            float r = sigmoid(fromInput[j] + fromHidden[j]), z = sigmoid(fromInput[h + j] + fromHidden[h + j]);
                            float nw = (float) Math.tanh(fromInput[2 * h + j] + r * fromHidden[2 * h + j]);
                            count(saturated, 0, r, false);
                            count(saturated, 1, z, false);
                            count(saturated, 2, nw, true);
                            cs[j] = (1 - z) * nw + z * hs[j];
                        }
                    }
                    if (!lstm) System.arraycopy(cs, 0, hs, 0, h);
                    System.arraycopy(hs, 0, layerOut[n][s], 0, h);
                    System.arraycopy(hs, 0, next, (n * t + s) * h, h);
                }
            }
            double total = (double) b * t * h;
            for (int k = 0; k < g; k++) saturation[l][k] = saturated[k] / total;
            if (rnn.bidirectional()) break;   // later layers read both directions; only the first layer's forward pass is recomputed
            seq = next;
            in = h;
        }
        return new RecurrentActivity(rnn.path(), lstm ? "LSTM" : "GRU", lstm ? LSTM_GATES : GRU_GATES, saturation, layerOut[0], layerOut);
    }

    private static void count(long[] saturated, int gate, float v, boolean tanh) {
        if (tanh ? Math.abs(v) > 0.99f : v < 0.01f || v > 0.99f) saturated[gate]++;
    }

    private static float sigmoid(float v) {
        return (float) (1 / (1 + Math.exp(-v)));
    }

    /** Share of saturated values over every gate of every layer recomputed. */
    public double meanSaturation() {
        double s = 0;
        int n = 0;
        for (double[] layer : gateSaturation) {
            for (double v : layer) {
                s += v;
                n++;
            }
        }
        return n == 0 ? 0 : s / n;
    }
}
