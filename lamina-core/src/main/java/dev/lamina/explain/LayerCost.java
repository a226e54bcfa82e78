package dev.lamina.explain;

import dev.lamina.nn.AvgPool1d;
import dev.lamina.nn.AvgPool2d;
import dev.lamina.nn.Conv1d;
import dev.lamina.nn.Conv2d;
import dev.lamina.nn.ConvTranspose1d;
import dev.lamina.nn.ConvTranspose2d;
import dev.lamina.nn.Embedding;
import dev.lamina.nn.Flatten;
import dev.lamina.nn.GRU;
import dev.lamina.nn.GlobalAvgPool;
import dev.lamina.nn.GlobalMaxPool;
import dev.lamina.nn.LSTM;
import dev.lamina.nn.Linear;
import dev.lamina.nn.MaxPool1d;
import dev.lamina.nn.MaxPool2d;
import dev.lamina.nn.Module;
import dev.lamina.nn.MultiheadAttention;
import dev.lamina.nn.RNNBase;
import dev.lamina.nn.Sequential;
import dev.lamina.nn.TransformerEncoder;
import dev.lamina.nn.TransformerEncoderLayer;
import dev.lamina.nn.functional.PoolOps;

/**
 * What a layer costs and how far it sees: multiply-adds per example and the receptive field, the stretch of the
 * input (pixels of a side, or steps) one output value depends on.
 */
final class LayerCost {
    private LayerCost() {
    }

    /** Receptive field meaning "every value of the input" (after a dense layer, a recurrent layer or attention). */
    static final int WHOLE_INPUT = -1;

    /**
     * Multiply-adds of one forward pass per example; 0 for layers that only move, compare or normalise values.
     *
     * @param in  input shape, batch first
     * @param out output shape, batch first
     */
    static long macsPerExample(Module m, int[] in, int[] out) {
        long outEach = perExample(out), inEach = perExample(in);
        return switch (m) {
            case Linear l -> outEach / l.outFeatures() * l.inFeatures() * (long) l.outFeatures();
            case Conv2d c -> {
                int[] w = c.weight().shape();
                yield outEach * w[1] * w[2] * w[3];
            }
            case Conv1d c -> {
                int[] w = c.weight().shape();
                yield outEach * w[1] * w[2];
            }
            case ConvTranspose2d c -> {
                int[] w = c.weight().shape();   // [in, out/groups, kh, kw]
                yield inEach * w[1] * w[2] * w[3];
            }
            case ConvTranspose1d c -> {
                int[] w = c.weight().shape();
                yield inEach * w[1] * w[2];
            }
            case RNNBase r -> rnnMacs(r, in);
            case MultiheadAttention a -> attentionMacs(a.embedDim(), steps(in, a.batchFirst()), 0);
            case TransformerEncoderLayer t -> {
                long ff = t.children().get("linear1") instanceof Linear l ? l.outFeatures() : 0;
                yield attentionMacs(t.dModel(), steps(in, t.selfAttn().batchFirst()), ff);
            }
            case TransformerEncoder e -> {
                long sum = 0;
                for (int i = 0; i < e.numLayers(); i++) sum += macsPerExample(e.layer(i), in, out);
                yield sum;
            }
            case Embedding e -> 0;
            default -> 0;
        };
    }

    /** Per-example MACs of self-attention over {@code t} positions of width {@code e}, plus a feed-forward of {@code ff}. */
    private static long attentionMacs(long e, long t, long ff) {
        return 3 * t * e * e + 2 * t * t * e + t * e * e + 2 * t * e * ff;
    }

    private static long rnnMacs(RNNBase r, int[] in) {
        long t = steps(in, r.isBatchFirst());
        long gates = r instanceof LSTM ? 4 : r instanceof GRU ? 3 : 1;
        long h = r.hiddenSize(), sum = 0;
        long input = r.inputSize();
        for (int l = 0; l < r.numLayers(); l++) {
            sum += r.directions() * t * gates * h * (input + h);
            input = h * r.directions();
        }
        return sum;
    }

    /** Sequence length of an input [N, T, F] (batch-first) or [T, N, F]; 1 for anything else. */
    private static long steps(int[] in, boolean batchFirst) {
        if (in == null || in.length != 3) return in != null && in.length == 2 ? in[0] : 1;
        return batchFirst ? in[1] : in[0];
    }

    private static long perExample(int[] shape) {
        if (shape == null || shape.length == 0) return 0;
        long n = 1;
        for (int i = 1; i < shape.length; i++) n *= shape[i];
        return n;
    }

    /** Bytes of one example's output in float32. */
    static long activationBytesPerExample(int[] out) {
        return 4 * perExample(out);
    }

    /**
     * Follows the receptive field through a chain of layers: each spatial layer of kernel k, stride s and dilation d
     * widens it by (k − 1)·d·jump and multiplies the jump (the input distance between neighbouring outputs) by s.
     */
    static final class ReceptiveField {
        private int field = 1;
        private int jump = 1;

        /**
         * The field after {@code m} (which got inputs of shape {@code in}), in input values along one side;
         * {@link #WHOLE_INPUT} once everything is seen.
         */
        int after(Module m, int[] in) {
            if (field == WHOLE_INPUT || m instanceof Sequential) return field;
            switch (m) {
                case Conv2d c -> widen(c.weight().size(2), c.config().strideH(), c.config().dilationH());
                case Conv1d c -> widen(c.weight().size(2), c.config().stride(), c.config().dilation());
                case MaxPool2d p -> widen(p.window());
                case AvgPool2d p -> widen(p.window());
                case MaxPool1d p -> widen(p.window());
                case AvgPool1d p -> widen(p.window());
                case Linear l -> {
                    if (in.length == 2) field = WHOLE_INPUT;
                }
                case Flatten f -> { }
                case GlobalAvgPool p -> field = WHOLE_INPUT;
                case GlobalMaxPool p -> field = WHOLE_INPUT;
                case RNNBase r -> field = WHOLE_INPUT;
                case MultiheadAttention a -> field = WHOLE_INPUT;
                case TransformerEncoderLayer t -> field = WHOLE_INPUT;
                case TransformerEncoder t -> field = WHOLE_INPUT;
                default -> { }
            }
            return field;
        }

        private void widen(PoolOps.Window w) {
            widen(Math.max(w.kh(), w.kw()), Math.max(w.sh(), w.sw()), Math.max(w.dh(), w.dw()));
        }

        private void widen(int k, int s, int d) {
            field += (k - 1) * d * jump;
            jump *= s;
        }
    }
}
