package dev.lamina.explain;

import dev.lamina.nn.LSTM;
import dev.lamina.tensor.Tensor;

/**
 * An LSTM's gates and hidden states on a batch, recomputed from its weights in plain loops (forward direction of
 * every layer): how saturated the gates are and what the hidden units do over time.
 *
 * @param layer          path of the LSTM
 * @param gateSaturation per layer, the share of gate values that are saturated: input, forget and output gates
 *                       within 0.01 of 0 or 1, the cell candidate with |g| > 0.99 ([layers][4], order i, f, g, o)
 * @param hidden         the top layer's hidden states of the first example, [T][H]
 * @param output         the top layer's hidden states of every example, [B][T][H] (forward direction), to check
 *                       against the LSTM's own output
 */
public record LstmActivity(String layer, double[][] gateSaturation, float[][] hidden, float[][][] output) {

    /** Gate names in PyTorch's order. */
    public static final String[] GATES = {"input", "forget", "cell", "output"};

    /** Runs {@code lstm}'s recurrence on {@code input} ([B, T, I] batch-first, else [T, B, I]). */
    static LstmActivity of(LSTM lstm, Tensor input) {
        int dims = input.dim();
        if (dims != 3) throw new IllegalArgumentException(lstm.describe() + ": gate statistics need a batched input [B, T, I] or [T, B, I], got " + dev.lamina.tensor.Shape.str(input.shape()));
        Tensor x = lstm.isBatchFirst() ? input : input.transpose(0, 1);
        int b = x.size(0), t = x.size(1);
        float[] seq = x.contiguous().toArray();
        int in = x.size(2), h = lstm.hiddenSize();
        double[][] saturation = new double[lstm.numLayers()][4];
        float[][][] layerOut = null;
        for (int l = 0; l < lstm.numLayers(); l++) {
            Tensor[] w = lstm.weights(l, 0);
            float[] wih = w[0].toArray(), whh = w[1].toArray();
            float[] bih = w[2] == null ? null : w[2].toArray(), bhh = w[3] == null ? null : w[3].toArray();
            long[] saturated = new long[4];
            layerOut = new float[b][t][h];
            float[] next = new float[b * t * h];
            for (int n = 0; n < b; n++) {
                float[] hs = new float[h], cs = new float[h];
                float[] gates = new float[4 * h];
                for (int s = 0; s < t; s++) {
                    int xo = (n * t + s) * in;
                    for (int r = 0; r < 4 * h; r++) {
                        double acc = (bih == null ? 0 : bih[r]) + (bhh == null ? 0 : bhh[r]);
                        int wo = r * in;
                        for (int k = 0; k < in; k++) acc += wih[wo + k] * seq[xo + k];
                        int ho = r * h;
                        for (int k = 0; k < h; k++) acc += whh[ho + k] * hs[k];
                        gates[r] = (float) acc;
                    }
                    for (int j = 0; j < h; j++) {
                        float i = sigmoid(gates[j]), f = sigmoid(gates[h + j]), g = (float) Math.tanh(gates[2 * h + j]), o = sigmoid(gates[3 * h + j]);
                        if (i < 0.01f || i > 0.99f) saturated[0]++;
                        if (f < 0.01f || f > 0.99f) saturated[1]++;
                        if (Math.abs(g) > 0.99f) saturated[2]++;
                        if (o < 0.01f || o > 0.99f) saturated[3]++;
                        cs[j] = f * cs[j] + i * g;
                        hs[j] = o * (float) Math.tanh(cs[j]);
                    }
                    System.arraycopy(hs, 0, layerOut[n][s], 0, h);
                    System.arraycopy(hs, 0, next, (n * t + s) * h, h);
                }
            }
            double count = (double) b * t * h;
            for (int g = 0; g < 4; g++) saturation[l][g] = saturated[g] / count;
            if (lstm.bidirectional()) break;   // later layers read both directions; only the first layer's forward pass is recomputed
            seq = next;
            in = h;
        }
        return new LstmActivity(lstm.path(), saturation, layerOut[0], layerOut);
    }

    private static float sigmoid(float v) {
        return (float) (1 / (1 + Math.exp(-v)));
    }

    /** Share of saturated values over every gate of every layer recomputed. */
    public double meanSaturation() {
        double s = 0;
        int n = 0;
        for (double[] layer : gateSaturation) {
            for (double g : layer) {
                s += g;
                n++;
            }
        }
        return n == 0 ? 0 : s / n;
    }
}
