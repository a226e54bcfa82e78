package dev.lamina.nn;

import dev.lamina.nn.functional.RnnInput;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@link LSTM} and {@link GRU} share: PyTorch's parameters ({@code weight_ih_l<k>[_reverse]} [gates·H, in],
 * {@code weight_hh_l<k>[_reverse]} [gates·H, H], {@code bias_ih_l<k>...}, {@code bias_hh_l<k>...}, all uniform
 * in ±1/√H), stacked layers, both directions, dropout between layers, batch-first layout, unbatched input, and
 * variable lengths (per-row lengths, or a [batch, seq] 0/1 mask). Each layer and direction runs as one fused op.
 */
public abstract class RNNBase extends Module {
    /**
     * What an LSTM or GRU is built from ({@link LSTM.Config}, {@link GRU.Config}): sizes, layers, bias, directions,
     * batch-first layout and the dropout between layers; {@link #build} makes that subclass. With dropout, the
     * built layer's dropout generator is {@code rng.split()}, drawn after the weights.
     */
    public sealed interface Config extends LayerConfig permits LSTM.Config, GRU.Config {
        int inputSize();

        int hiddenSize();

        int numLayers();

        boolean bias();

        boolean bidirectional();

        boolean batchFirst();

        /** The dropout probability on the output of every layer but the last (0 for none). */
        double dropout();

        @Override
        RNNBase build(Rng rng);

        default int directions() {
            return bidirectional() ? 2 : 1;
        }
    }

    private final int inputSize;
    private final int hiddenSize;
    private final int numLayers;
    private final boolean bias;
    private final boolean bidirectional;
    /** Per layer·direction: weight_ih, weight_hh, bias_ih, bias_hh (the biases null without bias). */
    private final Tensor[][] weights;
    private boolean batchFirst;
    private double dropout;
    private Rng dropoutRng;

    RNNBase(int gateCount, int inputSize, int hiddenSize, int numLayers, boolean bias, boolean bidirectional, Rng rng) {
        if (inputSize <= 0 || hiddenSize <= 0 || numLayers <= 0) {
            throw new IllegalArgumentException(describe() + ": sizes must be positive, got inputSize=" + inputSize + ", hiddenSize=" + hiddenSize + ", numLayers=" + numLayers);
        }
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.bias = bias;
        this.bidirectional = bidirectional;
        int dirs = directions();
        this.weights = new Tensor[numLayers * dirs][];
        double bound = 1 / Math.sqrt(hiddenSize);
        int g = gateCount * hiddenSize;
        for (int l = 0; l < numLayers; l++) {
            int in = l == 0 ? inputSize : hiddenSize * dirs;
            for (int d = 0; d < dirs; d++) {
                String sfx = "_l" + l + (d == 1 ? "_reverse" : "");
                Tensor[] w = new Tensor[4];
                w[0] = registerParameter("weight_ih" + sfx, Tensor.uniform(rng, -bound, bound, g, in));
                w[1] = registerParameter("weight_hh" + sfx, Tensor.uniform(rng, -bound, bound, g, hiddenSize));
                if (bias) {
                    w[2] = registerParameter("bias_ih" + sfx, Tensor.uniform(rng, -bound, bound, g));
                    w[3] = registerParameter("bias_hh" + sfx, Tensor.uniform(rng, -bound, bound, g));
                }
                weights[l * dirs + d] = w;
            }
        }
    }

    /** Batch-first layout and dropout as {@code config} says, the dropout generator split from {@code rng}. */
    static <R extends RNNBase> R configured(R layer, Config config, Rng rng) {
        layer.batchFirst(config.batchFirst());
        if (config.dropout() != 0) layer.dropout(config.dropout(), rng.split());
        return layer;
    }

    @Override
    public abstract Config config();

    boolean hasBias() {
        return bias;
    }

    double dropoutProbability() {
        return dropout;
    }

    /** Input laid out [batch, seq, feature] instead of [seq, batch, feature] (states keep their layout). */
    public RNNBase batchFirst(boolean value) {
        this.batchFirst = value;
        return this;
    }

    /** Dropout with probability p on the output of every layer but the last, in training mode only. */
    public RNNBase dropout(double p) {
        return dropout(p, Rng.global().split());
    }

    public RNNBase dropout(double p, Rng rng) {
        if (p < 0 || p > 1) throw new IllegalArgumentException(describe() + ": dropout must be in [0, 1], got " + p);
        this.dropout = p;
        // registered once, so a checkpoint saves its state; a later call restarts it from the given generator's state
        if (dropoutRng == null) dropoutRng = registerRng("dropout_rng", rng);
        else dropoutRng.setState(rng.state());
        return this;
    }

    public int inputSize() {
        return inputSize;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    public int numLayers() {
        return numLayers;
    }

    public boolean bidirectional() {
        return bidirectional;
    }

    public boolean isBatchFirst() {
        return batchFirst;
    }

    public int directions() {
        return bidirectional ? 2 : 1;
    }

    /** weight_ih, weight_hh, bias_ih, bias_hh of one layer and direction (biases null without bias). */
    public Tensor[] weights(int layer, int direction) {
        return weights[layer * directions() + direction].clone();
    }

    /** The output sequence from a zero initial state; see {@link #forward(Tensor, RnnState, Tensor)}. */
    @Override
    public Tensor forward(Tensor x) {
        return run(x, null, null, null).output();
    }

    /** As {@link #forward(Tensor, RnnState, Tensor)} with every sequence at full length. */
    public RnnOutput forward(Tensor x, RnnState initial) {
        return run(x, initial, null, null);
    }

    /**
     * @param x [seq, batch, in] ([batch, seq, in] with batchFirst), or unbatched [seq, in]
     * @param initial null (zeros), or h (and c for LSTMs) [layers·directions, batch, H] ([layers·directions, H]
     *                unbatched); either part may be null
     * @param lengths null, or [batch] valid lengths (integers in 0..seq): steps past a row's length are skipped as
     *                PyTorch's pack_padded_sequence does (output 0 there, the state of the last valid step)
     * @return output [seq, batch, directions·H] (batch-first or unbatched like x), hN (cN) [layers·directions, batch, H]
     */
    public RnnOutput forward(Tensor x, RnnState initial, Tensor lengths) {
        return run(x, initial, lengths, null);
    }

    /** As {@link #forward(Tensor, RnnState, Tensor)} with the valid steps given by a [batch, seq] 0/1 mask. */
    public RnnOutput forwardMasked(Tensor x, RnnState initial, Tensor mask) {
        return run(x, initial, null, mask);
    }

    /**
     * The first layer fed by an embedding lookup: the same as {@code forward(embedding.forward(ids), initial)}, but
     * the lookup is fused into the first layer's input projection ({@link RnnInput#embedded}): the embedding's rows
     * are projected once instead of every position, and its gradient comes from the per-token sums. For a
     * character model (65 tokens, 2048 positions a batch) that removes three of the layer's largest products.
     * With fewer positions than embedding rows it runs the lookup and the layer one after the other.
     *
     * @param ids token ids [batch, seq] with batchFirst, [seq, batch] without, or unbatched [seq]
     */
    public RnnOutput forward(Embedding embedding, Tensor ids, RnnState initial) {
        if (embedding.dim() != inputSize) {
            throw new ShapeException(describe() + ": expects inputs of " + inputSize + " features, but " + embedding.describe() + " gives " + embedding.dim());
        }
        if (ids.dim() != 1 && ids.dim() != 2) {
            throw new ShapeException(describe() + ": expected token ids " + (batchFirst ? "[batch, seq]" : "[seq, batch]") + " or unbatched [seq], got " + Shape.str(ids.shape()));
        }
        // The fusion pays when there are more positions than table rows; a decoder feeding a token a step has fewer.
        if (ids.numel() < embedding.numEmbeddings()) return run(embedding.forward(ids), initial, null, null);
        boolean unbatched = ids.dim() == 1;
        Tensor idt = unbatched ? ids.unsqueeze(1) : batchFirst ? ids.transpose(0, 1) : ids;
        RnnInput first = RnnInput.embedded(embedding.describe(), embedding.weight(), idt, embedding.paddingIdx());
        return run(null, first, idt.size(0), idt.size(1), unbatched, initial, null, null);
    }

    /** Runs one layer in one direction; returns output [seq, batch, H], hN [batch, H] and cN (null without one). */
    abstract Tensor[] runDirection(RnnInput x, Tensor h0, Tensor c0, Tensor[] w, float[] mask, boolean reverse);

    abstract boolean hasCellState();

    private RnnOutput run(Tensor x, RnnState initial, Tensor lengths, Tensor maskTensor) {
        int in = inputSize;
        String expected = (batchFirst ? "[batch, seq, " : "[seq, batch, ") + in + "] or unbatched [seq, " + in + "]";
        if ((x.dim() != 3 && x.dim() != 2) || x.size(-1) != in) throw shapeError(expected, x);
        boolean unbatched = x.dim() == 2;
        Tensor xt = unbatched ? x.unsqueeze(1) : batchFirst ? x.transpose(0, 1) : x;
        return run(xt, null, xt.size(0), xt.size(1), unbatched, initial, lengths, maskTensor);
    }

    /** xt [seq, batch, in] time-major, or null when {@code first} gives the first layer's input. */
    private RnnOutput run(Tensor xt, RnnInput first, int steps, int batch, boolean unbatched, RnnState initial, Tensor lengths, Tensor maskTensor) {
        int dirs = directions();
        Tensor h = initial == null ? null : initial.h(), c = initial == null ? null : initial.c();
        if (c != null && !hasCellState()) throw new IllegalArgumentException(describe() + ": has no cell state, but the initial state has one");
        h = checkState("h0", h, unbatched, batch);
        c = checkState("c0", c, unbatched, batch);
        float[] mask = lengths != null ? lengthMask(lengths, steps, batch) : maskTensor != null ? maskFromTensor(maskTensor, steps, batch, unbatched) : null;

        Tensor layerIn = xt;
        List<Tensor> hs = new ArrayList<>(), cs = new ArrayList<>();
        for (int l = 0; l < numLayers; l++) {
            Tensor[] outs = new Tensor[dirs];
            RnnInput input = l == 0 && first != null ? first : RnnInput.dense(layerIn);
            for (int d = 0; d < dirs; d++) {
                int k = l * dirs + d;
                Tensor[] r = runDirection(input, h == null ? null : h.select(0, k), c == null ? null : c.select(0, k), weights[k], mask, d == 1);
                outs[d] = r[0];
                hs.add(r[1]);
                if (r[2] != null) cs.add(r[2]);
            }
            Tensor out = dirs == 1 ? outs[0] : Tensor.cat(List.of(outs), 2);
            if (l < numLayers - 1 && isTraining() && dropout > 0) out = applyDropout(out);
            layerIn = out;
        }
        Tensor output = unbatched ? layerIn.squeeze(1) : batchFirst ? layerIn.transpose(0, 1) : layerIn;
        Tensor hN = Tensor.stack(hs, 0), cN = cs.isEmpty() ? null : Tensor.stack(cs, 0);
        if (unbatched) {
            hN = hN.squeeze(1);
            if (cN != null) cN = cN.squeeze(1);
        }
        return new RnnOutput(output, hN, cN);
    }

    /** The state as [layers·dirs, batch, H] (unbatched input: given as [layers·dirs, H]), or null. */
    private Tensor checkState(String name, Tensor s, boolean unbatched, int batch) {
        if (s == null) return null;
        int ld = numLayers * directions();
        boolean ok = unbatched ? s.dim() == 2 && s.size(0) == ld && s.size(1) == hiddenSize
                : s.dim() == 3 && s.size(0) == ld && s.size(1) == batch && s.size(2) == hiddenSize;
        if (!ok) {
            String exp = unbatched ? "[" + ld + ", " + hiddenSize + "]" : "[" + ld + ", " + batch + ", " + hiddenSize + "]";
            throw new ShapeException(describe() + ": expected initial state " + name + " of shape " + exp + " (layers·directions, batch, hidden), got " + Shape.str(s.shape()));
        }
        return unbatched ? s.unsqueeze(1) : s;
    }

    private float[] lengthMask(Tensor lengths, int steps, int batch) {
        if (lengths.dim() != 1 || lengths.size(0) != batch) {
            throw new ShapeException(describe() + ": expected lengths of shape [" + batch + "] (one per batch row), got " + Shape.str(lengths.shape()));
        }
        float[] v = lengths.toArray();
        float[] mask = new float[steps * batch];
        for (int b = 0; b < batch; b++) {
            float len = v[b];
            if (len != Math.rint(len) || len < 0 || len > steps) {
                throw new IllegalArgumentException(describe() + ": length " + len + " of batch row " + b + " is not an integer in [0, " + steps + "] (the sequence length of the input)");
            }
            for (int t = 0; t < (int) len; t++) mask[t * batch + b] = 1f;
        }
        return mask;
    }

    private float[] maskFromTensor(Tensor m, int steps, int batch, boolean unbatched) {
        boolean ok = unbatched ? (m.dim() == 1 && m.size(0) == steps) : (m.dim() == 2 && m.size(0) == batch && m.size(1) == steps);
        if (!ok) {
            throw new ShapeException(describe() + ": expected mask of shape " + (unbatched ? "[" + steps + "]" : "[" + batch + ", " + steps + "]") + " (batch, seq), got " + Shape.str(m.shape()));
        }
        float[] v = m.toArray();
        float[] mask = new float[steps * batch];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) {
                float e = v[b * steps + t];
                if (e != 0f && e != 1f) throw new IllegalArgumentException(describe() + ": mask values must be 0 or 1, got " + e + " at [" + b + ", " + t + "]");
                mask[t * batch + b] = e;
            }
        }
        return mask;
    }

    /** Inverted dropout with this layer's probability and generator (package-private for the statistical test). */
    Tensor applyDropout(Tensor x) {
        if (dropout == 1) return x.mul(0f);
        float[] keep = new float[x.numel()];
        float scale = (float) (1 / (1 - dropout));
        synchronized (dropoutRng) {
            dropoutRng.dropoutMask(keep, 0, keep.length, dropout, scale);
        }
        return x.mul(Tensor.of(keep, x.shape()));
    }

    @Override
    protected String extraRepr() {
        return "inputSize=" + inputSize + ", hiddenSize=" + hiddenSize + ", numLayers=" + numLayers + ", bias=" + bias
                + ", batchFirst=" + batchFirst + ", dropout=" + dropout + ", bidirectional=" + bidirectional;
    }
}
