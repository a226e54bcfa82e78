package dev.lamina.explain;

import dev.lamina.nn.AdaptiveAvgPool1d;
import dev.lamina.nn.AdaptiveAvgPool2d;
import dev.lamina.nn.AdaptiveMaxPool1d;
import dev.lamina.nn.AdaptiveMaxPool2d;
import dev.lamina.nn.AvgPool1d;
import dev.lamina.nn.AvgPool2d;
import dev.lamina.nn.BatchNormBase;
import dev.lamina.nn.Conv1d;
import dev.lamina.nn.Conv2d;
import dev.lamina.nn.ConvTranspose1d;
import dev.lamina.nn.ConvTranspose2d;
import dev.lamina.nn.Dropout;
import dev.lamina.nn.Dropout2d;
import dev.lamina.nn.ELU;
import dev.lamina.nn.Embedding;
import dev.lamina.nn.Flatten;
import dev.lamina.nn.GELU;
import dev.lamina.nn.GRU;
import dev.lamina.nn.GRUCell;
import dev.lamina.nn.GlobalAvgPool;
import dev.lamina.nn.GlobalMaxPool;
import dev.lamina.nn.GroupNorm;
import dev.lamina.nn.Input;
import dev.lamina.nn.InstanceNormBase;
import dev.lamina.nn.LSTM;
import dev.lamina.nn.LSTMCell;
import dev.lamina.nn.LastStep;
import dev.lamina.nn.LayerNorm;
import dev.lamina.nn.LeakyReLU;
import dev.lamina.nn.LearnedPositionalEncoding;
import dev.lamina.nn.Linear;
import dev.lamina.nn.LogSoftmax;
import dev.lamina.nn.MaxPool1d;
import dev.lamina.nn.MaxPool2d;
import dev.lamina.nn.Module;
import dev.lamina.nn.MultiheadAttention;
import dev.lamina.nn.RMSNorm;
import dev.lamina.nn.RNNBase;
import dev.lamina.nn.ReLU;
import dev.lamina.nn.Reshape;
import dev.lamina.nn.Sequential;
import dev.lamina.nn.SiLU;
import dev.lamina.nn.Sigmoid;
import dev.lamina.nn.SinusoidalPositionalEncoding;
import dev.lamina.nn.Softmax;
import dev.lamina.nn.Tanh;
import dev.lamina.nn.TransformerDecoder;
import dev.lamina.nn.TransformerDecoderLayer;
import dev.lamina.nn.TransformerEncoder;
import dev.lamina.nn.TransformerEncoderLayer;
import dev.lamina.nn.Upsample;
import dev.lamina.nn.functional.PoolOps;
import dev.lamina.tensor.Shape;

import java.util.Arrays;
import java.util.Locale;

/**
 * What a layer does, in plain words, written from its actual configuration and, where it matters, the shapes it
 * saw: "3x3 convolution, 32 -> 64 channels, stride 1: looks for 64 local patterns in each 3x3 window".
 */
final class LayerWords {
    private LayerWords() {
    }

    /**
     * @param in  the layer's input shape with the batch first, or null when unknown
     * @param out its output shape, or null
     */
    static String describe(Module m, int[] in, int[] out) {
        return switch (m) {
            case Input i -> "the input layer: takes examples of shape " + Shape.str(i.shape()) + " and passes them on unchanged";
            case Conv2d c -> conv2d(c);
            case Conv1d c -> conv1d(c);
            case ConvTranspose2d c -> {
                int[] w = c.weight().shape();
                yield String.format(Locale.ROOT, "%dx%d transposed convolution, %d -> %d channels, stride %d: learned up-sampling that paints a %dx%d patch of %d patterns for each input position, enlarging the maps about %dx",
                        w[2], w[3], w[0], w[1] * c.groups(), c.config().strideH(), w[2], w[3], w[1] * c.groups(), c.config().strideH());
            }
            case ConvTranspose1d c -> {
                int[] w = c.weight().shape();
                yield String.format(Locale.ROOT, "transposed 1-D convolution of width %d, %d -> %d channels, stride %d: learned up-sampling of a sequence, about %dx longer",
                        w[2], w[0], w[1] * c.groups(), c.config().stride(), c.config().stride());
            }
            case Linear l -> String.format(Locale.ROOT, "fully connected, %d -> %d: every output is a weighted sum of all %d inputs%s; it learns %d features of its whole input",
                    l.inFeatures(), l.outFeatures(), l.inFeatures(), l.bias() != null ? " plus a bias" : "", l.outFeatures());
            case MaxPool2d p -> pool2d("max", "keeps the strongest response", p.window(), in);
            case AvgPool2d p -> pool2d("average", "averages the responses", p.window(), in);
            case MaxPool1d p -> String.format(Locale.ROOT, "max pooling over %d steps, stride %d: keeps the strongest response in each window, shortening the sequence %dx; no parameters",
                    p.window().kw(), p.window().sw(), p.window().sw());
            case AvgPool1d p -> String.format(Locale.ROOT, "average pooling over %d steps, stride %d: smooths and shortens the sequence %dx; no parameters",
                    p.window().kw(), p.window().sw(), p.window().sw());
            case AdaptiveAvgPool2d p -> "adaptive average pooling to " + p.outputSize()[0] + "x" + p.outputSize()[1] + ": averages each channel over a grid of regions whatever the input size, so later layers see a fixed shape";
            case AdaptiveMaxPool2d p -> "adaptive max pooling" + sizeAfter(out) + ": keeps each channel's strongest response in a grid of regions whatever the input size";
            case AdaptiveAvgPool1d p -> "adaptive average pooling to " + p.outputSize() + " steps: averages each channel over equal stretches of the sequence";
            case AdaptiveMaxPool1d p -> "adaptive max pooling to " + p.outputSize() + " steps: keeps each channel's strongest response in equal stretches of the sequence";
            case GlobalAvgPool p -> "global average pooling: one number per channel, its mean over all positions (where a pattern is no longer matters, only how much of it there is)";
            case GlobalMaxPool p -> "global max pooling: one number per channel, its strongest response anywhere (was the pattern present at all?)";
            case BatchNormBase b -> String.format(Locale.ROOT, "batch normalization of %d %s: while training it rescales each to mean 0 and variance 1 over the batch (when evaluating, with running estimates), then applies a learned scale and shift; it steadies training and allows larger learning rates",
                    b.numFeatures(), in != null && in.length > 2 ? "channels" : "features");
            case LayerNorm l -> "layer normalization over the last " + Shape.str(l.normalizedShape()) + " values: rescales each example (each position) to mean 0 and variance 1, then a learned scale and shift; keeps activations in range independently of the batch";
            case RMSNorm l -> "RMS normalization over the last " + Shape.str(l.normalizedShape()) + " values: divides each position by its root mean square, then a learned scale; a cheaper layer norm without centring";
            case GroupNorm g -> String.format(Locale.ROOT, "group normalization: %d channels in %d groups of %d, each group rescaled to mean 0 and variance 1 per example; works with any batch size",
                    g.numChannels(), g.numGroups(), g.numChannels() / g.numGroups());
            case InstanceNormBase n -> "instance normalization of " + n.numFeatures() + " channels: each channel of each example rescaled to mean 0 and variance 1 (removes contrast and brightness per image)";
            case Dropout d -> String.format(Locale.ROOT, "dropout: while training, zeroes each value with probability %.2f (and scales the rest by %.2f) so later layers cannot rely on any single feature; fights over-fitting; does nothing when evaluating",
                    d.p(), d.p() < 1 ? 1 / (1 - d.p()) : 0);
            case Dropout2d d -> String.format(Locale.ROOT, "channel dropout: while training, zeroes whole channels with probability %.2f, so the network cannot rely on any one feature map; does nothing when evaluating", d.p());
            case ReLU r -> "ReLU: keeps positive values and zeroes the rest, which lets the network bend; a unit that is never positive is dead and learns nothing";
            case LeakyReLU r -> String.format(Locale.ROOT, "leaky ReLU: keeps positive values, multiplies negative ones by %s, so no unit dies completely", r.negativeSlope());
            case ELU e -> "ELU: identity for positive values, a smooth curve down to -" + e.alpha() + " for negative ones (no dead units, mean closer to 0)";
            case GELU g -> "GELU: weighs each value by how likely it is to be positive (a smooth ReLU)" + (g.tanhApproximation() ? ", tanh approximation" : "");
            case SiLU s -> "SiLU (swish): x times sigmoid(x), a smooth ReLU that lets a little negative signal through";
            case Sigmoid s -> "sigmoid: squashes each value into (0, 1); beyond |x| > 5 it saturates and its gradient all but vanishes";
            case Tanh t -> "tanh: squashes each value into (-1, 1), centred on 0; beyond |x| > 3 it saturates and its gradient all but vanishes";
            case Softmax s -> "softmax over dim " + s.dim() + ": turns scores into probabilities that sum to 1";
            case LogSoftmax s -> "log-softmax over dim " + s.dim() + ": log-probabilities, for a negative log-likelihood loss";
            case Flatten f -> in != null && out != null
                    ? "flatten: lays each example's " + Shape.str(tail(in)) + " out as one vector of " + Shape.str(tail(out)) + " values; no parameters"
                    : "flatten: lays each example out as one vector; no parameters";
            case Reshape r -> "reshape: reads each example's values as " + Shape.str(r.shape()) + (in != null ? " (they came as " + Shape.str(tail(in)) + ")" : "") + "; no parameters";
            case LastStep l -> "last step: keeps only the output of the last time step, the recurrent layer's summary of the whole sequence";
            case Upsample u -> "up-sampling (" + u.mode().toString().toLowerCase(Locale.ROOT) + ")" + sizeAfter(out) + ": enlarges each map by repeating or interpolating values; no parameters";
            case Embedding e -> String.format(Locale.ROOT, "embedding: looks up a learned vector of %d numbers for each of %d token ids; similar tokens end up with similar vectors",
                    e.dim(), e.numEmbeddings());
            case LearnedPositionalEncoding p -> "learned positional encoding: adds a learned vector per position (" + p.weight().size(0) + " positions), so later layers know where each token is";
            case SinusoidalPositionalEncoding p -> "sinusoidal positional encoding: adds fixed waves of many frequencies per position, so later layers know where each token is; no parameters";
            case LSTM l -> rnn(l, "LSTM", "a memory cell that input, forget and output gates write, erase and read");
            case GRU g -> rnn(g, "GRU", "a hidden state that update and reset gates blend with each new input");
            case LSTMCell c -> cell(c.toString(), "LSTM cell", "a memory cell written, erased and read by input, forget and output gates");
            case GRUCell c -> cell(c.toString(), "GRU cell", "a hidden state blended with each input by update and reset gates");
            case MultiheadAttention a -> String.format(Locale.ROOT, "multi-head attention, %d heads of %d dims over %d features: every position weighs every other position it may see, and each head mixes in the values it finds relevant; carries context across the sequence",
                    a.numHeads(), a.embedDim() / a.numHeads(), a.embedDim());
            case TransformerEncoderLayer t -> transformerLayer(t);
            case TransformerEncoder e -> "transformer encoder: " + e.numLayers() + " transformer blocks in a row, each refining every position's vector with what the others hold";
            case TransformerDecoderLayer t -> String.format(Locale.ROOT, "transformer decoder block, d_model %d: masked self-attention, attention over the encoder's output (%d heads), then a feed-forward network, each with a residual connection",
                    t.dModel(), t.selfAttn().numHeads());
            case TransformerDecoder d -> "transformer decoder: " + d.numLayers() + " decoder blocks in a row";
            case Sequential s -> "container: runs its " + s.size() + " layers in order, each one's output the next one's input";
            default -> m.getClass().getSimpleName() + " (" + firstLine(m) + "): a module of its own; its inner layers are listed separately where the explainer could run them";
        };
    }

    private static String conv2d(Conv2d c) {
        int[] w = c.weight().shape();   // [out, in/groups, kh, kw]
        int out = w[0], in = c.inChannels(), kh = w[2], kw = w[3];
        Conv2d.Config cfg = c.config();
        int[] s = {cfg.strideH(), cfg.strideW()}, d = {cfg.dilationH(), cfg.dilationW()}, p = cfg.pads();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%dx%d convolution, %d -> %d channels, stride %s", kh, kw, in, out, s[0] == s[1] ? s[0] : s[0] + "x" + s[1]));
        if (Arrays.stream(p).anyMatch(v -> v != 0)) sb.append(", padding ").append(p[0]);
        if (d[0] != 1 || d[1] != 1) sb.append(", dilation ").append(d[0]);
        if (c.groups() == in && in == out && in > 1) {
            sb.append(String.format(Locale.ROOT, " (depthwise): filters each of the %d channels on its own with a %dx%d window", in, kh, kw));
        } else {
            sb.append(String.format(Locale.ROOT, ": looks for %d local patterns in each %dx%d window", out, kh, kw));
            if (c.groups() > 1) sb.append(String.format(Locale.ROOT, " (in %d groups of %d input channels)", c.groups(), in / c.groups()));
            if (kh == 1 && kw == 1) sb.append(", that is, mixes channels at each position");
        }
        if (s[0] > 1) sb.append(String.format(Locale.ROOT, ", shrinking height and width %dx", s[0]));
        return sb.toString();
    }

    private static String conv1d(Conv1d c) {
        int[] w = c.weight().shape();   // [out, in/groups, k]
        int in = w[1] * c.groups();
        Conv1d.Config cfg = c.config();
        return String.format(Locale.ROOT, "1-D convolution of width %d, %d -> %d channels, stride %d%s: looks for %d local patterns in each window of %d steps",
                w[2], in, w[0], cfg.stride(), cfg.dilation() != 1 ? ", dilation " + cfg.dilation() : "", w[0], w[2]);
    }

    private static String pool2d(String kind, String does, PoolOps.Window w, int[] in) {
        String shrink = w.sh() == w.kh() && w.sh() > 1 ? (w.sh() == 2 ? ", halving height and width" : String.format(Locale.ROOT, ", shrinking height and width %dx", w.sh())) : "";
        return String.format(Locale.ROOT, "%dx%d %s pooling, stride %d: %s in each %dx%d window%s; tolerates small shifts; no parameters",
                w.kh(), w.kw(), kind, w.sh(), does, w.kh(), w.kw(), shrink);
    }

    private static String rnn(RNNBase r, String kind, String how) {
        String dir = r.bidirectional() ? ", both directions" : "";
        return String.format(Locale.ROOT, "%s, %d -> %d, %d layer%s%s: reads the sequence step by step, keeping %s; carries context from earlier steps to later ones",
                kind, r.inputSize(), r.hiddenSize(), r.numLayers(), r.numLayers() == 1 ? "" : "s", dir, how);
    }

    /** {@code config} is the cell's toString, "LSTMCell(inputSize=28, hiddenSize=128, bias=true)". */
    private static String cell(String config, String kind, String how) {
        String in = between(config, "inputSize="), hidden = between(config, "hiddenSize=");
        return kind + ", " + in + " -> " + hidden + ": one step of a recurrent network, updating " + how;
    }

    private static String between(String s, String key) {
        int i = s.indexOf(key);
        if (i < 0) return "?";
        int j = i + key.length();
        while (j < s.length() && Character.isDigit(s.charAt(j))) j++;
        return s.substring(i + key.length(), j);
    }

    private static String transformerLayer(TransformerEncoderLayer t) {
        Module ff = t.children().get("linear1");
        String width = ff instanceof Linear l ? " " + l.outFeatures() + " wide" : "";
        return String.format(Locale.ROOT, "transformer block (%s), d_model %d: self-attention with %d heads lets each position gather context, then a feed-forward network%s (%s) transforms each position on its own; each part adds to a residual stream",
                t.normFirst() ? "pre-norm" : "post-norm", t.dModel(), t.selfAttn().numHeads(), width, t.activation().getClass().getSimpleName());
    }

    private static String sizeAfter(int[] out) {
        return out != null && out.length >= 3 ? " to " + Shape.str(tail(tail(out))).replace(", ", "x").replace("[", "").replace("]", "") : "";
    }

    private static int[] tail(int[] shape) {
        return Arrays.copyOfRange(shape, 1, shape.length);
    }

    private static String firstLine(Module m) {
        String s = m.toString();
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
