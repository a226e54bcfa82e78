package dev.lamina.onnx;

import dev.lamina.autograd.Autograd;
import dev.lamina.nn.Embedding;
import dev.lamina.models.LanguageModel;
import dev.lamina.nn.Module;
import dev.lamina.nn.Sequential;
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
import java.util.concurrent.ConcurrentHashMap;

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
    public record Traced(String name, Tensor value) {}

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

    /** Exporters by layer class: the built-in families and any a user registers. */
    private static final Map<Class<?>, LayerExporter<?>> EXPORTERS = new ConcurrentHashMap<>();

    static {
        LayerStructureExport.registerAll();
        ConvExport.registerAll();
        PoolExport.registerAll();
        NormExport.registerAll();
        ActivationExport.registerAll();
        RecurrentExport.registerAll();
        UpsampleExport.registerAll();
        TransformerExport.registerAll();
    }

    /**
     * Registers how layers of {@code type} (and of its subclasses without an exporter of their own) become ONNX
     * nodes; a later registration for the same class replaces the earlier one.
     */
    public static <M extends Module> void register(Class<M> type, LayerExporter<? super M> exporter) {
        EXPORTERS.put(type, exporter);
    }

    /** The exporter for m's class or its nearest superclass that has one; null when none. */
    @SuppressWarnings("unchecked")
    private static LayerExporter<Module> exporterFor(Module m) {
        for (Class<?> c = m.getClass(); c != null; c = c.getSuperclass()) {
            LayerExporter<?> x = EXPORTERS.get(c);
            if (x != null) return (LayerExporter<Module>) x;
        }
        return null;
    }

    Traced emit(String prefix, Module m, Traced x) {
        if (m instanceof Sequential seq) {
            Traced cur = x;
            for (Map.Entry<String, Module> c : seq.children().entrySet()) cur = emit(prefix + c.getKey() + ".", c.getValue(), cur);
            return cur;
        }
        Tensor y = transformer.trace(m, x.value);
        String where = prefix.isEmpty() ? m.getClass().getSimpleName() : prefix.substring(0, prefix.length() - 1);
        LayerExporter<Module> exporter = exporterFor(m);
        if (exporter == null) throw unsupported(where, m, "no ONNX mapping for this layer (OnnxExport.register adds one)");
        return new Traced(exporter.emit(this, prefix, where, m, x, y), y);
    }

    /** The transformer family's exporter of this graph (it keeps per-graph state). */
    TransformerExport transformer() {
        return transformer;
    }

    /** Name of the graph input (an Embedding reads it directly). */
    public String inputName() {
        return inputName;
    }

    static IllegalArgumentException unsupported(String where, Module m, String why) {
        return new IllegalArgumentException("export: cannot export " + where + " (" + m.getClass().getSimpleName() + "): " + why);
    }

    // ------------------------------------------------------------------------------------------------ graph building

    /** The names, trailing nulls (absent optional inputs) dropped. */
    public static List<String> inputs(String... names) {
        List<String> l = new ArrayList<>(Arrays.asList(names));
        while (!l.isEmpty() && l.get(l.size() - 1) == null) l.remove(l.size() - 1);
        return l;
    }

    /** Adds {@code t} as an initializer called {@code name}; returns the name. */
    public String param(String name, Tensor t) {
        graph.addInitializer(DataTypes.encode(name, t));
        return name;
    }

    /** {@link #param}, or null (an absent optional input) for a null tensor. */
    public String optParam(String name, Tensor t) {
        return t == null ? null : param(name, t);
    }

    /** A 0-D float initializer. */
    public String constFloat(String name, float v) {
        return param(name, Tensor.scalar(v));
    }

    /** A 1-D int64 initializer. */
    public String constInt64(String name, long[] v) {
        graph.addInitializer(DataTypes.encodeInt64(name, v, v.length));
        return name;
    }

    /** A 0-D int64 initializer. */
    public String scalarInt64(String name, long v) {
        graph.addInitializer(DataTypes.encodeInt64(name, new long[] {v}));
        return name;
    }

    /** Adds a node named {@code where/Op_k}; returns its (single) output name. */
    public String node(String op, String where, List<String> in, AttributeProto... attrs) {
        return nodeN(op, where, 1, in, attrs)[0];
    }

    /** Adds a node with {@code outputs} outputs named {@code where/Op_k:i}; returns their names. */
    public String[] nodeN(String op, String where, int outputs, List<String> in, AttributeProto... attrs) {
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

    public static AttributeProto ints(String name, int... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (int x : v) a.addInts(x);
        return a.build();
    }

    public static AttributeProto intAttr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    public static AttributeProto floatAttr(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    /** A tensor-valued attribute holding one float (ConstantOfShape's {@code value}). */
    static AttributeProto floatTensorAttr(String name, float v) {
        TensorProto t = DataTypes.encode(name, Tensor.of(new float[] {v}, 1));
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR).setT(t).build();
    }

    public static AttributeProto stringAttr(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(v)).build();
    }

}
