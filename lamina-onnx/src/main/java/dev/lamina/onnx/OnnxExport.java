package dev.lamina.onnx;

import dev.lamina.autograd.Autograd;
import dev.lamina.nn.AdaptiveAvgPool1d;
import dev.lamina.nn.AdaptiveAvgPool2d;
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
import dev.lamina.nn.GRU;
import dev.lamina.nn.Flatten;
import dev.lamina.nn.GELU;
import dev.lamina.nn.GlobalAvgPool;
import dev.lamina.nn.GlobalMaxPool;
import dev.lamina.nn.Input;
import dev.lamina.nn.InstanceNormBase;
import dev.lamina.nn.LayerNorm;
import dev.lamina.nn.LearnedPositionalEncoding;
import dev.lamina.nn.MultiheadAttention;
import dev.lamina.nn.SinusoidalPositionalEncoding;
import dev.lamina.nn.TransformerEncoder;
import dev.lamina.nn.TransformerEncoderLayer;
import dev.lamina.models.LanguageModel;
import dev.lamina.nn.LSTM;
import dev.lamina.nn.LastStep;
import dev.lamina.nn.LeakyReLU;
import dev.lamina.nn.Linear;
import dev.lamina.nn.LogSoftmax;
import dev.lamina.nn.MaxPool1d;
import dev.lamina.nn.MaxPool2d;
import dev.lamina.nn.Module;
import dev.lamina.nn.RNNBase;
import dev.lamina.nn.ReLU;
import dev.lamina.nn.Reshape;
import dev.lamina.nn.Sequential;
import dev.lamina.nn.SiLU;
import dev.lamina.nn.Sigmoid;
import dev.lamina.nn.Softmax;
import dev.lamina.nn.Tanh;
import dev.lamina.nn.Upsample;
import dev.lamina.nn.functional.PoolOps;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;
import onnx.Onnx.TensorProto;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link Sequential} model (or a single layer) as an ONNX model, opset 17, IR version 8: one graph input
 * {@code input} of the given shape with a symbolic batch dimension {@code N}, one output {@code output}, parameters
 * as initializers under their state-dict names. The model is exported in evaluation mode (dropout is the identity,
 * batch norm uses its running statistics) and traced once on zeros to know every intermediate shape.
 *
 * <p>Layers: Linear, Conv1d, Conv2d, ConvTranspose2d, MaxPool1d/2d, AvgPool1d/2d, AdaptiveAvgPool2d (output 1×1 or
 * an exact divisor of the input), GlobalAvgPool, GlobalMaxPool, BatchNorm1d/2d, LayerNorm, InstanceNorm1d/2d, ReLU,
 * LeakyReLU, ELU, GELU (exact via Erf, or the tanh form), SiLU, Sigmoid, Tanh, Softmax, LogSoftmax, Flatten,
 * Reshape, Dropout, Dropout2d, Input, LastStep, Embedding (first layer: the graph input is then int64 indices), LSTM and GRU
 * (every layer and direction as an ONNX LSTM/GRU node, gates reordered; the output sequence, as their
 * {@code forward}), MultiheadAttention (self-attention, batch- or sequence-first), TransformerEncoderLayer (pre- or
 * post-norm, ReLU or GELU), TransformerEncoder, LearnedPositionalEncoding and SinusoidalPositionalEncoding (see
 * {@link TransformerExport}; attention layers causal with {@link #export(Module, int[], boolean, Path)}; a model of
 * only these and Linear, LayerNorm, ReLU, GELU and dropout declares both its batch and length dimensions symbolic,
 * {@code [N, L, E]} or {@code [L, N, E]}); other
 * layers fail with their path and class named. The character language models export with
 * {@link #exportLanguageModel}.
 */
public final class OnnxExport {
    public static final int OPSET = 17;
    public static final int IR_VERSION = 8;

    private final GraphProto.Builder graph = GraphProto.newBuilder().setName("lamina");
    private final List<NodeProto.Builder> nodes = new ArrayList<>();
    private int counter;
    /** Name of the graph input (an Embedding reads it directly). */
    private String inputName = "input";
    /** Attention layers mask causally (each position sees itself and earlier ones), as {@code forward(..., causal=true)}. */
    final boolean causal;
    private final TransformerExport transformer = new TransformerExport(this);

    private OnnxExport(boolean causal) {
        this.causal = causal;
    }

    /**
     * Exports {@code model} for inputs of {@code inputShape} (batch first) to {@code out}, written atomically.
     *
     * @throws IllegalArgumentException for a layer that cannot be exported, naming it
     */
    public static void export(Module model, int[] inputShape, Path out) throws IOException {
        export(model, inputShape, false, out);
    }

    /**
     * As {@link #export(Module, int[], Path)}; with {@code causal}, every attention layer (MultiheadAttention,
     * TransformerEncoderLayer, TransformerEncoder) masks future positions like their {@code forward(..., causal=true)}.
     */
    public static void export(Module model, int[] inputShape, boolean causal, Path out) throws IOException {
        write(toModelProto(model, inputShape, causal), out);
    }

    /**
     * Exports a language model ({@link dev.lamina.models.CharLstm}, {@link dev.lamina.models.CharTransformer}) as
     * {@code ids} int64 [N, T] → {@code logits} float [N, T, vocabulary], both N and T symbolic (the transformer's
     * T at most its context length); see {@link TransformerExport#languageModel}.
     */
    public static void exportLanguageModel(LanguageModel model, Path out) throws IOException {
        write(toModelProto(model), out);
    }

    private static void write(ModelProto model, Path out) throws IOException {
        dev.lamina.io.AtomicFiles.write(out, model.toByteArray());
    }

    /** The ONNX model as a protobuf message. */
    public static ModelProto toModelProto(Module model, int[] inputShape) {
        return toModelProto(model, inputShape, false);
    }

    /** The ONNX model as a protobuf message, attention layers causal or not. */
    public static ModelProto toModelProto(Module model, int[] inputShape, boolean causal) {
        if (inputShape.length == 0) throw new IllegalArgumentException("export: the input shape needs a batch dimension, got []");
        for (int d : inputShape) if (d <= 0) throw new IllegalArgumentException("export: input shape " + Shape.str(inputShape) + " must be positive");
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var scope = Autograd.noGrad()) {
            OnnxExport e = new OnnxExport(causal);
            Tensor probe = Tensor.zeros(inputShape);
            Traced last = e.emit("", model, new Traced("input", probe));
            String outName = last.name;
            if (outName.equals("input")) outName = e.node("Identity", "output", List.of("input"));
            else e.rename(outName, "output");
            // attention models: [N, L, E] or [L, N, E] in and out, both free when every layer keeps them free
            String[] free = inputShape.length == 3 && last.value.dim() == 3 ? TransformerExport.freeDims(model) : null;
            String[] dims = free != null ? free : new String[] {"N"};
            e.graph.addInput(valueInfo("input", dims, inputShape, firstLeaf(model) instanceof Embedding ? DataTypes.INT64 : DataTypes.FLOAT));
            e.graph.addOutput(valueInfo("output", dims, last.value.shape(), DataTypes.FLOAT));
            return e.model();
        } finally {
            model.train(wasTraining);
        }
    }

    /** A language model as an ONNX model: {@code ids} int64 [N, T] → {@code logits} [N, T, V], N and T symbolic. */
    public static ModelProto toModelProto(LanguageModel model) {
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var scope = Autograd.noGrad()) {
            OnnxExport e = new OnnxExport(true);
            e.inputName = "ids";
            int probeLength = model.contextLength() > 0 ? model.contextLength() : 8;
            Traced logits = e.transformer.languageModel(model, new Traced("ids", Tensor.zeros(1, probeLength)));
            e.rename(logits.name, "logits");
            e.graph.addInput(valueInfo("ids", new String[] {"N", "T"}, new int[] {1, probeLength}, DataTypes.INT64));
            e.graph.addOutput(valueInfo("logits", new String[] {"N", "T", null}, logits.value.shape(), DataTypes.FLOAT));
            return e.model();
        } finally {
            model.train(wasTraining);
        }
    }

    private ModelProto model() {
        for (NodeProto.Builder n : nodes) graph.addNode(n);
        return ModelProto.newBuilder()
                    .setIrVersion(IR_VERSION)
                    .setProducerName("lamina")
                    .setProducerVersion("0.1.0")
                    .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                    .setGraph(graph)
                    .build();
    }

    /** A value in the graph being built: its name and the traced tensor (for shapes). */
    record Traced(String name, Tensor value) {}

    private static Module firstLeaf(Module m) {
        while (m instanceof Sequential s && !s.layers().isEmpty()) m = s.layers().get(0);
        return m;
    }

    private static ValueInfoProto valueInfo(String name, int[] shape, int elemType) {
        return valueInfo(name, new String[] {"N"}, shape, elemType);
    }

    /** {@code symbolic[d]}, where given and not null, names dimension d; the others are fixed to {@code shape[d]}. */
    private static ValueInfoProto valueInfo(String name, String[] symbolic, int[] shape, int elemType) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (int d = 0; d < shape.length; d++) {
            String p = d < symbolic.length ? symbolic[d] : null;
            s.addDim(p != null ? TensorShapeProto.Dimension.newBuilder().setDimParam(p) : TensorShapeProto.Dimension.newBuilder().setDimValue(shape[d]));
        }
        TypeProto.Tensor t = TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(s).build();
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(t)).build();
    }

    // ------------------------------------------------------------------------------------------------ layers

    Traced emit(String prefix, Module m, Traced x) {
        if (m instanceof Sequential seq) {
            Traced cur = x;
            for (Map.Entry<String, Module> c : seq.children().entrySet()) cur = emit(prefix + c.getKey() + ".", c.getValue(), cur);
            return cur;
        }
        Tensor y = transformer.trace(m, x.value);
        String where = prefix.isEmpty() ? m.getClass().getSimpleName() : prefix.substring(0, prefix.length() - 1);
        String in = x.name;
        String out = switch (m) {
            case Input i -> in;
            case Dropout d -> in;
            case Dropout2d d -> in;
            case Linear l -> linear(prefix, where, l, x);
            case Embedding emb -> {
                if (!in.equals(inputName)) throw unsupported(where, m, "an embedding must be the first layer (its input is the graph's int64 input)");
                yield node("Gather", where, List.of(param(prefix + "weight", emb.weight()), in), intAttr("axis", 0));
            }
            case RNNBase r -> rnn(prefix, where, r, x);
            case MultiheadAttention a -> transformer.attention(prefix, where, a, x);
            case TransformerEncoderLayer l -> transformer.encoderLayer(prefix, where, l, x);
            case TransformerEncoder enc -> transformer.encoder(prefix, where, enc, x);
            case LearnedPositionalEncoding p -> transformer.positions(prefix + "weight", where, p.weight(), p.batchFirst(), x);
            case SinusoidalPositionalEncoding p -> transformer.positions(prefix + "pe", where, p.pe(), p.batchFirst(), x);
            case LastStep l -> {
                // [N, T, F] → [N, F]: Gather with a scalar index drops the time axis
                String idx = where + ".last";
                graph.addInitializer(DataTypes.encodeInt64(idx, new long[] {x.value.size(1) - 1}));
                yield node("Gather", where, List.of(in, idx), intAttr("axis", 1));
            }
            case Conv1d c -> node("Conv", where, inputs(in, param(prefix + "weight", c.weight()), optParam(prefix + "bias", c.bias())),
                    ints("kernel_shape", c.weight().size(2)), ints("strides", c.strides()), ints("dilations", c.dilations()),
                    ints("pads", c.pads()), intAttr("group", c.groups()));
            case Conv2d c -> {
                int[] p = c.pads(); // top, bottom, left, right
                yield node("Conv", where, inputs(in, param(prefix + "weight", c.weight()), optParam(prefix + "bias", c.bias())),
                        ints("kernel_shape", c.weight().size(2), c.weight().size(3)), ints("strides", c.strides()), ints("dilations", c.dilations()),
                        ints("pads", p[0], p[2], p[1], p[3]), intAttr("group", c.groups()));
            }
            case ConvTranspose2d c -> {
                int[] p = c.paddings();
                yield node("ConvTranspose", where, inputs(in, param(prefix + "weight", c.weight()), optParam(prefix + "bias", c.bias())),
                        ints("kernel_shape", c.weight().size(2), c.weight().size(3)), ints("strides", c.strides()), ints("dilations", c.dilations()),
                        ints("pads", p[0], p[1], p[0], p[1]), ints("output_padding", c.outputPaddings()), intAttr("group", c.groups()));
            }
            case ConvTranspose1d c -> {
                if (x.value.dim() != 3) throw unsupported(where, m, "export needs a batched [N, C, L] input, got " + Shape.str(x.value.shape()));
                yield node("ConvTranspose", where, inputs(in, param(prefix + "weight", c.weight()), optParam(prefix + "bias", c.bias())),
                        ints("kernel_shape", c.weight().size(2)), ints("strides", c.strides()), ints("dilations", c.dilations()),
                        ints("pads", c.paddings()[0], c.paddings()[0]), ints("output_padding", c.outputPaddings()), intAttr("group", c.groups()));
            }
            case MaxPool1d p -> pool("MaxPool", where, in, p.window(), null);
            case MaxPool2d p -> pool("MaxPool", where, in, p.window(), null);
            case AvgPool1d p -> pool("AveragePool", where, in, p.window(), p.countIncludePad());
            case AvgPool2d p -> pool("AveragePool", where, in, p.window(), p.countIncludePad());
            case AdaptiveAvgPool2d p -> adaptive(where, in, p, p.outputSize(), x.value);
            case AdaptiveAvgPool1d p -> adaptive(where, in, p, new int[] {p.outputSize()}, x.value);
            case GlobalAvgPool p -> global("GlobalAveragePool", where, in, p.keepDim());
            case GlobalMaxPool p -> global("GlobalMaxPool", where, in, p.keepDim());
            case BatchNormBase b -> {
                if (b.runningMean() == null) throw unsupported(where, m, "batch norm without running statistics uses batch statistics in evaluation");
                int c = b.numFeatures();
                yield node("BatchNormalization", where, inputs(in,
                                b.weight() != null ? param(prefix + "weight", b.weight()) : param(prefix + "weight", Tensor.ones(c)),
                                b.bias() != null ? param(prefix + "bias", b.bias()) : param(prefix + "bias", Tensor.zeros(c)),
                                param(prefix + "running_mean", b.runningMean()), param(prefix + "running_var", b.runningVar())),
                        floatAttr("epsilon", (float) b.eps()));
            }
            case LayerNorm l -> layerNorm(prefix, where, l, in);
            case InstanceNormBase n -> {
                int c = n.numFeatures();
                yield node("InstanceNormalization", where, inputs(in,
                                n.weight() != null ? param(prefix + "weight", n.weight()) : param(prefix + "weight", Tensor.ones(c)),
                                n.bias() != null ? param(prefix + "bias", n.bias()) : param(prefix + "bias", Tensor.zeros(c))),
                        floatAttr("epsilon", (float) n.eps()));
            }
            case ReLU r -> node("Relu", where, List.of(in));
            case Sigmoid s -> node("Sigmoid", where, List.of(in));
            case Tanh t -> node("Tanh", where, List.of(in));
            case LeakyReLU l -> node("LeakyRelu", where, List.of(in), floatAttr("alpha", l.negativeSlope()));
            case ELU e -> node("Elu", where, List.of(in), floatAttr("alpha", e.alpha()));
            case GELU g -> g.tanhApproximation() ? geluTanh(where, in) : geluErf(where, in);
            case SiLU s -> node("Mul", where, List.of(in, node("Sigmoid", where, List.of(in))));
            case Softmax s -> node("Softmax", where, List.of(in), intAttr("axis", s.dim()));
            case LogSoftmax s -> node("LogSoftmax", where, List.of(in), intAttr("axis", s.dim()));
            case Flatten f -> flatten(where, in, f, x.value, y);
            case Upsample u -> UpsampleExport.emit(this, where, u, in, x.value);
            case Reshape r -> {
                int[] s = r.shape();
                long[] target = new long[s.length + 1];
                for (int k = 0; k < s.length; k++) target[k + 1] = s[k];
                yield node("Reshape", where, List.of(in, constInt64(where + ".shape", target)));
            }
            default -> throw unsupported(where, m, "no ONNX mapping for this layer");
        };
        return new Traced(out, y);
    }

    String layerNorm(String prefix, String where, LayerNorm l, String in) {
        int[] ns = l.normalizedShape();
        return node("LayerNormalization", where, inputs(in,
                        l.weight() != null ? param(prefix + "weight", l.weight()) : param(prefix + "weight", Tensor.ones(ns)),
                        optParam(prefix + "bias", l.bias())),
                intAttr("axis", -ns.length), floatAttr("epsilon", (float) l.eps()));
    }

    static IllegalArgumentException unsupported(String where, Module m, String why) {
        return new IllegalArgumentException("export: cannot export " + where + " (" + m.getClass().getSimpleName() + "): " + why);
    }

    String linear(String prefix, String where, Linear l, Traced x) {
        if (x.value.dim() == 2) {
            return node("Gemm", where, inputs(x.name, param(prefix + "weight", l.weight()), optParam(prefix + "bias", l.bias())), intAttr("transB", 1));
        }
        String y = node("MatMul", where, List.of(x.name, param(prefix + "weight.T", l.weight().t().contiguous())));
        return l.bias() == null ? y : node("Add", where, List.of(y, param(prefix + "bias", l.bias())));
    }

    /** ONNX gate blocks from PyTorch's: LSTM (i, f, g, o) → (i, o, f, c), GRU (r, z, n) → (z, r, h). */
    private static final int[] LSTM_FROM_TORCH = {0, 3, 1, 2}, GRU_FROM_TORCH = {1, 0, 2};

    private String rnn(String prefix, String where, RNNBase r, Traced x) {
        boolean lstm = r instanceof LSTM;
        if (!lstm && !(r instanceof GRU)) throw unsupported(where, r, "only LSTM and GRU have ONNX operators");
        if (x.value.dim() != 3) throw unsupported(where, r, "export needs a batched 3-D input, got " + Shape.str(x.value.shape()));
        int hidden = r.hiddenSize(), dirs = r.directions(), gates = lstm ? 4 : 3;
        int[] order = lstm ? LSTM_FROM_TORCH : GRU_FROM_TORCH;
        String cur = r.isBatchFirst() ? node("Transpose", where, List.of(x.name), ints("perm", 1, 0, 2)) : x.name;
        for (int layer = 0; layer < r.numLayers(); layer++) {
            List<Tensor> ws = new ArrayList<>(), rs = new ArrayList<>(), bs = new ArrayList<>();
            for (int d = 0; d < dirs; d++) {
                Tensor[] w = r.weights(layer, d); // weight_ih, weight_hh, bias_ih, bias_hh
                ws.add(reorder(w[0], hidden, order));
                rs.add(reorder(w[1], hidden, order));
                Tensor bih = w[2] == null ? Tensor.zeros(gates * hidden) : reorder(w[2], hidden, order);
                Tensor bhh = w[3] == null ? Tensor.zeros(gates * hidden) : reorder(w[3], hidden, order);
                bs.add(Tensor.cat(List.of(bih, bhh), 0));
            }
            String sfx = "_l" + layer;
            String wName = param(prefix + "onnx_W" + sfx, Tensor.stack(ws, 0)), rName = param(prefix + "onnx_R" + sfx, Tensor.stack(rs, 0));
            String bName = param(prefix + "onnx_B" + sfx, Tensor.stack(bs, 0));
            List<AttributeProto> a = new ArrayList<>(List.of(intAttr("hidden_size", hidden)));
            if (dirs == 2) a.add(stringAttr("direction", "bidirectional"));
            if (!lstm) a.add(intAttr("linear_before_reset", 1));
            String y = node(lstm ? "LSTM" : "GRU", where, List.of(cur, wName, rName, bName), a.toArray(AttributeProto[]::new));
            // Y [seq, dirs, batch, H] → [seq, batch, dirs·H]
            String t = node("Transpose", where, List.of(y), ints("perm", 0, 2, 1, 3));
            cur = node("Reshape", where, List.of(t, constInt64(where + ".l" + layer + ".shape", new long[] {0, 0, -1})));
        }
        return r.isBatchFirst() ? node("Transpose", where, List.of(cur), ints("perm", 1, 0, 2)) : cur;
    }

    private static Tensor reorder(Tensor t, int hidden, int[] order) {
        List<Tensor> blocks = new ArrayList<>();
        for (int g : order) blocks.add(t.narrow(0, g * hidden, hidden));
        return Tensor.cat(blocks, 0).contiguous();
    }

    private String pool(String op, String where, String in, PoolOps.Window w, Boolean countIncludePad) {
        List<AttributeProto> a = new ArrayList<>();
        if (w.oneD()) {
            a.add(ints("kernel_shape", w.kw()));
            a.add(ints("strides", w.sw()));
            a.add(ints("pads", w.pw(), w.pw()));
            if (w.dw() != 1) a.add(ints("dilations", w.dw()));
        } else {
            a.add(ints("kernel_shape", w.kh(), w.kw()));
            a.add(ints("strides", w.sh(), w.sw()));
            a.add(ints("pads", w.ph(), w.pw(), w.ph(), w.pw()));
            if (w.dh() != 1 || w.dw() != 1) a.add(ints("dilations", w.dh(), w.dw()));
        }
        if (w.ceilMode()) a.add(intAttr("ceil_mode", 1));
        if (countIncludePad != null) a.add(intAttr("count_include_pad", countIncludePad ? 1 : 0));
        return node(op, where, List.of(in), a.toArray(AttributeProto[]::new));
    }

    /** Adaptive average pooling over the last o.length dimensions of x, as an AveragePool with a fixed window. */
    private String adaptive(String where, String in, Module p, int[] o, Tensor x) {
        // a fixed window (also for output 1 or 1x1, where it sums like Lamina's adaptive kernel)
        int[] window = new int[o.length];
        for (int d = 0; d < o.length; d++) {
            int size = x.size(x.dim() - o.length + d);
            if (size % o[d] != 0) {
                throw unsupported(where, p, "output " + Shape.str(o) + " does not divide the input " + Shape.str(x.shape()) + " (no fixed window)");
            }
            window[d] = size / o[d];
        }
        if (x.dim() != o.length + 2) throw unsupported(where, p, "export needs a batched input [N, C, ...], got " + Shape.str(x.shape()));
        return node("AveragePool", where, List.of(in), ints("kernel_shape", window), ints("strides", window));
    }

    private String global(String op, String where, String in, boolean keepDim) {
        String y = node(op, where, List.of(in));
        return keepDim ? y : node("Flatten", where, List.of(y), intAttr("axis", 1));
    }

    private String flatten(String where, String in, Flatten f, Tensor x, Tensor y) {
        int r = x.dim();
        int s = f.startDim() < 0 ? f.startDim() + r : f.startDim(), e = f.endDim() < 0 ? f.endDim() + r : f.endDim();
        if (s == 1 && e == r - 1) return node("Flatten", where, List.of(in), intAttr("axis", 1));
        long[] target = new long[y.dim()];
        for (int k = 0; k < target.length; k++) target[k] = k == 0 && s > 0 ? 0 : y.size(k);
        return node("Reshape", where, List.of(in, constInt64(where + ".shape", target)));
    }

    /** x · ½ · (1 + erf(x / √2)), as PyTorch exports GELU. */
    String geluErf(String where, String in) {
        String d = node("Div", where, List.of(in, constFloat(where + ".sqrt2", (float) Math.sqrt(2))));
        String e = node("Erf", where, List.of(d));
        String a = node("Add", where, List.of(e, constFloat(where + ".one", 1f)));
        String m = node("Mul", where, List.of(in, a));
        return node("Mul", where, List.of(m, constFloat(where + ".half", 0.5f)));
    }

    /** ½ · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))). */
    String geluTanh(String where, String in) {
        String cube = node("Mul", where, List.of(in, node("Mul", where, List.of(in, in))));
        String inner = node("Add", where, List.of(in, node("Mul", where, List.of(cube, constFloat(where + ".c", 0.044715f)))));
        String t = node("Tanh", where, List.of(node("Mul", where, List.of(inner, constFloat(where + ".k", (float) Math.sqrt(2 / Math.PI))))));
        String a = node("Add", where, List.of(t, constFloat(where + ".one", 1f)));
        return node("Mul", where, List.of(node("Mul", where, List.of(in, constFloat(where + ".half", 0.5f))), a));
    }

    // ------------------------------------------------------------------------------------------------ graph building

    static List<String> inputs(String... names) {
        List<String> l = new ArrayList<>(Arrays.asList(names));
        while (!l.isEmpty() && l.get(l.size() - 1) == null) l.remove(l.size() - 1);
        return l;
    }

    String param(String name, Tensor t) {
        graph.addInitializer(DataTypes.encode(name, t));
        return name;
    }

    String optParam(String name, Tensor t) {
        return t == null ? null : param(name, t);
    }

    String constFloat(String name, float v) {
        return param(name, Tensor.scalar(v));
    }

    String constInt64(String name, long[] v) {
        graph.addInitializer(DataTypes.encodeInt64(name, v, v.length));
        return name;
    }

    /** A 0-D int64 initializer. */
    String scalarInt64(String name, long v) {
        graph.addInitializer(DataTypes.encodeInt64(name, new long[] {v}));
        return name;
    }

    /** Adds a node named {@code where/Op_k}; returns its (single) output name. */
    String node(String op, String where, List<String> in, AttributeProto... attrs) {
        return nodeN(op, where, 1, in, attrs)[0];
    }

    /** Adds a node with {@code outputs} outputs named {@code where/Op_k:i}; returns their names. */
    String[] nodeN(String op, String where, int outputs, List<String> in, AttributeProto... attrs) {
        String name = where + "/" + op + "_" + counter++;
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(in);
        String[] out = new String[outputs];
        for (int k = 0; k < outputs; k++) n.addOutput(out[k] = name + ":" + k);
        for (AttributeProto a : attrs) n.addAttribute(a);
        nodes.add(n);
        return out;
    }

    void rename(String from, String to) {
        for (NodeProto.Builder n : nodes) {
            for (int k = 0; k < n.getOutputCount(); k++) if (n.getOutput(k).equals(from)) n.setOutput(k, to);
            for (int k = 0; k < n.getInputCount(); k++) if (n.getInput(k).equals(from)) n.setInput(k, to);
        }
    }

    static AttributeProto ints(String name, int... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (int x : v) a.addInts(x);
        return a.build();
    }

    static AttributeProto intAttr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    static AttributeProto floatAttr(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    /** A tensor-valued attribute holding one float (ConstantOfShape's {@code value}). */
    static AttributeProto floatTensorAttr(String name, float v) {
        TensorProto t = DataTypes.encode(name, Tensor.of(new float[] {v}, 1));
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR).setT(t).build();
    }

    private static AttributeProto stringAttr(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(v)).build();
    }

}
