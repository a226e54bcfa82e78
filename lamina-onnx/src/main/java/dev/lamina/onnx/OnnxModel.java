package dev.lamina.onnx;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.lamina.autograd.Autograd;
import dev.lamina.tensor.Buffers;
import dev.lamina.tensor.DType;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An imported ONNX model, validated up front and runnable with Lamina's ops.
 *
 * <p>{@link #load} parses the protobuf and checks everything that can be checked without running: the default-domain
 * opset is 13–20, every node's operator is supported at that opset (ONNX semantics of the operator's version for it:
 * see {@link Ops}), has a valid number of inputs and outputs and none of the attributes its version removed (otherwise an
 * {@link UnsupportedOperatorException} naming operator and node), nodes are in topological order and refer only to
 * defined values, and every initializer decodes (raw_data or typed fields; its size matches its type and dims;
 * external data is read from files beside the model, never from outside its directory). {@link #run} then evaluates the nodes in order under {@link Autograd#noGrad()}.
 *
 * <p>Every value is a {@link Tensor}: float32, float64 and float16 in the file run as {@link DType#F32}, every
 * integer type (shapes, indices, token ids) as {@link DType#I64}, bool (masks) as {@link DType#BOOL}; shape ops move
 * every dtype alike and integer arithmetic is exact ({@link dev.lamina.tensor.TypedOps}). Outputs come back in their
 * dtype; an integer input takes an I64 tensor or an F32 one holding whole numbers (see {@link #run(Map)}).
 */
public final class OnnxModel {
    /** Default-domain opsets the importer implements. */
    public static final int MIN_OPSET = 13, MAX_OPSET = 20;

    /** A graph input or output: name, element type and dims (a number, a symbolic name, or "?" when unknown). */
    public record ValueInfo(String name, String elementType, List<String> dims) {
        @Override
        public String toString() {
            return name + ": " + elementType + "[" + String.join(", ", dims) + "]";
        }
    }

    /** From the ModelProto, which is not kept: its initializers' bytes would double the memory a model takes. */
    private final long irVersion;
    private final String producer;
    private final int opset;
    private final List<GraphNode> nodes = new ArrayList<>();
    /** What {@link #run} evaluates: {@link #nodes} with fused chains (see {@link Fusion}). */
    private final List<GraphNode> plan;
    /** Values of the nodes folded at load (every input constant), with the initializers: what each run starts from. */
    private final Map<String, Tensor> constants;
    private final int folded;
    /** Per plan node, the values it reads last: their arrays go back to the run's {@link Buffers.Pool} after it. */
    private final List<List<String>> lastReads;
    /** One pool per calling thread: concurrent runs never share one. */
    private final ThreadLocal<Buffers.Pool> pools = ThreadLocal.withInitial(Buffers.Pool::new);
    /** Whether runs reuse arrays through {@link #pools} (off only to measure what the reuse saves). */
    boolean reuseBuffers = true;
    private final Map<String, Tensor> initializers = new LinkedHashMap<>();
    private final List<ValueInfoProto> inputs = new ArrayList<>();
    private final List<ValueInfoProto> outputs;

    /**
     * How freely loading may rewrite the graph. {@link #FAST} (the default) also folds BatchNormalization into the
     * preceding Conv's weights and fuses Sigmoid, SiLU and HardSwish into convolutions (computed in float lanes), which
     * round differently (relative error about 1e-7 to 1e-6 against the separate operators). {@link #BIT_EXACT} keeps only
     * the rewrites that give Lamina's own operator results bit for bit (folded constants, ReLU/Clip and residual adds in
     * the convolution, the attention kernel, packed weights), so that a model exported from Lamina computes exactly
     * what the module computes.
     */
    public enum Optimization { BIT_EXACT, FAST }

    private OnnxModel(ModelProto model, Optimization optimization, ExternalData externalData) {
        this.irVersion = model.getIrVersion();
        this.producer = (model.getProducerName() + " " + model.getProducerVersion()).trim();
        if (!model.hasGraph()) throw new OnnxException("the model has no graph");
        GraphProto g = model.getGraph();
        this.opset = defaultOpset(model);
        if (g.getSparseInitializerCount() > 0) throw new OnnxException("sparse initializers are not supported");
        for (TensorProto t : g.getInitializerList()) {
            if (t.getName().isEmpty()) throw new OnnxException("an initializer has no name");
            if (initializers.put(t.getName(), DataTypes.decode(t, "initializer", externalData)) != null) {
                throw new OnnxException("initializer '" + t.getName() + "' is defined twice");
            }
        }
        Set<String> defined = new HashSet<>(initializers.keySet());
        for (ValueInfoProto v : g.getInputList()) {
            if (initializers.containsKey(v.getName())) continue; // older exporters list initializers as inputs too
            checkTensorType(v, "input");
            if (!defined.add(v.getName())) throw new OnnxException("graph input '" + v.getName() + "' is defined twice");
            inputs.add(v);
        }
        for (int k = 0; k < g.getNodeCount(); k++) {
            GraphNode node = new GraphNode(g.getNode(k), k, opset);
            validate(node, defined);
            nodes.add(node);
        }
        this.outputs = List.copyOf(g.getOutputList());
        if (outputs.isEmpty()) throw new OnnxException("the graph has no outputs");
        for (ValueInfoProto v : outputs) {
            if (!defined.contains(v.getName())) throw new OnnxException("graph output '" + v.getName() + "' is not produced by any node");
            checkTensorType(v, "output");
        }
        Set<String> outputNames = new HashSet<>();
        for (ValueInfoProto v : outputs) outputNames.add(v.getName());
        this.constants = new HashMap<>(initializers);
        // Fold first, so that fusion sees computed constants (a scale written as Reciprocal(Pow(...)), a causal mask)
        List<GraphNode> live = foldConstants(nodes, constants);
        this.folded = nodes.size() - live.size();
        this.plan = Fusion.plan(live, constants, outputNames, optimization == Optimization.FAST);
        for (GraphNode n : plan) {
            prepareConvWeight(n);
            packConstantB(n);
        }
        this.lastReads = lastReads(plan, outputNames);
    }

    /** For each plan position, the values read there for the last time (graph outputs never are). */
    private static List<List<String>> lastReads(List<GraphNode> plan, Set<String> outputs) {
        Map<String, Integer> last = new HashMap<>();
        for (int i = 0; i < plan.size(); i++) for (String in : plan.get(i).proto.getInputList()) if (!in.isEmpty()) last.put(in, i);
        List<List<String>> byNode = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) byNode.add(new ArrayList<>());
        for (Map.Entry<String, Integer> e : last.entrySet()) if (!outputs.contains(e.getKey())) byNode.get(e.getValue()).add(e.getKey());
        return byNode;
    }

    /** Packs the constant 2-D B of a MatMul or Gemm once for the GEMM (see {@link GraphNode#packedB}). */
    private void packConstantB(GraphNode n) {
        if (!n.op.equals("MatMul") && !n.op.equals("Gemm")) return;
        Tensor b = constants.get(n.proto.getInput(1));
        if (b == null || !Ops.isFloat(b) || b.shape().length != 2 || b.numel() == 0) return;
        boolean transB = n.op.equals("Gemm") && n.i("transB", 0) != 0;
        n.packedB = b.backend().packRight(b, transB);
    }

    /**
     * Evaluates once, at load, every node whose inputs are all constant (initializers, Constant nodes and what is
     * computed from them alone), adding its outputs to {@code constants}; returns the nodes left to run. A node that
     * fails here is kept, so that its error is reported by {@link #run} as usual.
     */
    private static List<GraphNode> foldConstants(List<GraphNode> plan, Map<String, Tensor> constants) {
        List<GraphNode> kept = new ArrayList<>();
        try (var scope = Autograd.noGrad()) {
            for (GraphNode node : plan) {
                boolean constant = true;
                for (String in : node.proto.getInputList()) constant &= in.isEmpty() || constants.containsKey(in);
                if (constant) {
                    try {
                        evaluate(node, constants); // adds the node's outputs, or throws before adding any
                        continue;
                    } catch (RuntimeException e) {
                        // not folded: run() reports it with the inputs of that run
                    }
                }
                kept.add(node);
            }
        }
        return kept;
    }

    /** Packs the constant weight of a Conv node for the GEMM once, instead of on every run (see {@link GraphNode#preparedWeight}). */
    private void prepareConvWeight(GraphNode n) {
        if (!n.op.equals("Conv") && !n.op.equals(ConvFusion.CONV)) return;
        Tensor w = constants.get(n.proto.getInput(1));
        if (w == null || !Ops.isFloat(w) || (w.shape().length != 3 && w.shape().length != 4)) return;
        long group = n.i("group", 1);
        if (group < 1 || group > Integer.MAX_VALUE || w.shape()[0] % group != 0) return; // invalid: left for run to report
        Tensor w4 = w.shape().length == 3 ? w.unsqueeze(2) : w;
        n.preparedWeight = dev.lamina.nn.functional.ConvOp.prepare(w4, (int) group);
    }

    /** Reads and validates a model file, with every graph rewrite ({@link Optimization#FAST}). */
    public static OnnxModel load(Path path) throws IOException {
        return load(path, Optimization.FAST);
    }

    /** Reads and validates a model file, rewriting it as {@code optimization} allows. */
    public static OnnxModel load(Path path, Optimization optimization) throws IOException {
        long size = Files.size(path);
        if (size > Integer.MAX_VALUE - 8) {
            throw new OnnxException(path + ": file of " + size + " bytes is too large for one protobuf message; a model this large keeps its weights "
                    + "in external data files (torch.onnx.export does so above 2 GB), which Lamina reads from beside the model");
        }
        try (ExternalData external = ExternalData.besideModel(path)) {
            return parse(Files.readAllBytes(path), optimization, external);
        } catch (OnnxException e) {
            throw rethrow(path + ": ", e);
        }
    }

    /** Parses and validates a serialized ModelProto ({@link Optimization#FAST}). */
    public static OnnxModel parse(byte[] bytes) {
        return parse(bytes, Optimization.FAST);
    }

    /**
     * Parses and validates a serialized ModelProto, rewriting it as {@code optimization} allows. A model whose tensors
     * live in external data files must be {@linkplain #load loaded from its file} instead.
     */
    public static OnnxModel parse(byte[] bytes, Optimization optimization) {
        return parse(bytes, optimization, ExternalData.NONE);
    }

    private static OnnxModel parse(byte[] bytes, Optimization optimization, ExternalData externalData) {
        ModelProto m;
        try {
            m = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxException("not a valid ONNX model (protobuf: " + e.getMessage() + ")", e);
        }
        if (bytes.length == 0) throw new OnnxException("not a valid ONNX model (empty file)");
        return new OnnxModel(m, optimization, externalData);
    }

    private static OnnxException rethrow(String prefix, OnnxException e) {
        if (e instanceof UnsupportedOperatorException u) {
            return new UnsupportedOperatorException(u.opType(), u.nodeName(), prefix + e.getMessage());
        }
        return new OnnxException(prefix + e.getMessage(), e.getCause());
    }

    private static int defaultOpset(ModelProto m) {
        Integer v = null;
        for (OperatorSetIdProto o : m.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) v = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, o.getVersion()));
        }
        if (v == null) throw new OnnxException("the model imports no default-domain opset");
        if (v < MIN_OPSET || v > MAX_OPSET) {
            throw new OnnxException("default-domain opset " + v + " is not supported (supported: " + MIN_OPSET + " to " + MAX_OPSET + ")");
        }
        return v;
    }

    private static void checkTensorType(ValueInfoProto v, String what) {
        if (v.getName().isEmpty()) throw new OnnxException("a graph " + what + " has no name");
        if (v.hasType() && v.getType().getValueCase() != TypeProto.ValueCase.TENSOR_TYPE && v.getType().getValueCase() != TypeProto.ValueCase.VALUE_NOT_SET) {
            throw new OnnxException("graph " + what + " '" + v.getName() + "' is a " + v.getType().getValueCase() + ", only tensors are supported");
        }
        int type = v.getType().getTensorType().getElemType();
        if (type != 0 && !DataTypes.isFloating(type) && !DataTypes.isInteger(type)) {
            throw new OnnxException("graph " + what + " '" + v.getName() + "' has unsupported element type " + DataTypes.name(type));
        }
    }

    private void validate(GraphNode node, Set<String> defined) {
        NodeProto p = node.proto;
        String domain = p.getDomain();
        boolean defaultDomain = domain.isEmpty() || domain.equals("ai.onnx");
        Ops.Spec spec = defaultDomain ? Ops.spec(node.op, opset) : null;
        if (spec == null) {
            String op = defaultDomain ? node.op : domain + "::" + node.op;
            int first = defaultDomain ? Ops.firstOpset(node.op) : -1;
            throw new UnsupportedOperatorException(op, node.name, "unsupported operator " + op + " in node '" + node.name + "'"
                    + (defaultDomain ? "" : " (only the default ONNX domain is supported)")
                    + (first > opset ? " (" + op + " exists from opset " + first + "; the model imports opset " + opset + ")" : ""));
        }
        for (Map.Entry<String, String> removed : spec.removedAttributes().entrySet()) {
            if (node.has(removed.getKey())) {
                throw new OnnxException(node.describe() + ": attribute '" + removed.getKey() + "' is not part of " + node.op + " at opset " + opset
                        + " (" + removed.getValue() + ")");
            }
        }
        int nin = p.getInputCount(), nout = p.getOutputCount();
        if (nin < spec.minInputs() || nin > spec.maxInputs()) {
            throw new OnnxException(node.describe() + ": " + nin + " inputs, expected " + spec.minInputs()
                    + (spec.maxInputs() == spec.minInputs() ? "" : spec.maxInputs() == Ops.MANY ? " or more" : " to " + spec.maxInputs()));
        }
        if (nout < 1) throw new OnnxException(node.describe() + ": no outputs");
        for (int k = 0; k < nout; k++) {
            if (k >= spec.maxOutputs() && !p.getOutput(k).isEmpty()) {
                throw new UnsupportedOperatorException(node.op, node.name, node.describe() + ": output " + k + " ('" + p.getOutput(k) + "') is not supported");
            }
        }
        for (int k = 0; k < nin; k++) {
            String in = p.getInput(k);
            if (in.isEmpty()) {
                if (k < spec.minInputs()) throw new OnnxException(node.describe() + ": required input " + k + " is empty");
                continue;
            }
            if (!defined.contains(in)) throw new OnnxException(node.describe() + ": input '" + in + "' is not defined before the node (nodes must be in topological order)");
        }
        for (String out : p.getOutputList()) {
            if (out.isEmpty()) continue;
            if (!defined.add(out)) throw new OnnxException(node.describe() + ": output '" + out + "' is already defined");
        }
        if (node.op.equals("Constant") && node.has("value")) DataTypes.decode(node.tensorAttr("value").getT(), node.describe());
    }

    // ------------------------------------------------------------------------------------------------ description

    /** The default-domain opset version the model imports. */
    public int opset() {
        return opset;
    }

    public long irVersion() {
        return irVersion;
    }

    public String producer() {
        return producer;
    }

    /** Graph inputs that are not initializers (the ones {@link #run} needs). */
    public List<ValueInfo> inputs() {
        return inputs.stream().map(OnnxModel::info).toList();
    }

    public List<ValueInfo> outputs() {
        return outputs.stream().map(OnnxModel::info).toList();
    }

    /** How often each operator occurs, by name. */
    public Map<String, Integer> operatorCounts() {
        Map<String, Integer> counts = new TreeMap<>();
        for (GraphNode n : nodes) counts.merge(n.op, 1, Integer::sum);
        return counts;
    }

    public int nodeCount() {
        return nodes.size();
    }

    /** Nodes {@link #run} evaluates after fusing chains and folding constants. */
    public int executedNodeCount() {
        return plan.size();
    }

    /** The names of the nodes {@link #run} executes, in order; a fused node's name says what it fused. */
    public List<String> executedNodeNames() {
        List<String> names = new ArrayList<>();
        for (GraphNode n : plan) names.add(n.name);
        return names;
    }

    /**
     * How often each operator occurs in what {@link #run} executes, after folding and fusion: fused chains appear under
     * their internal operator ({@code lamina.Conv}, {@code lamina.Attention}, {@code lamina.Gelu},
     * {@code lamina.Elementwise}).
     */
    public Map<String, Integer> executedOperatorCounts() {
        Map<String, Integer> counts = new TreeMap<>();
        for (GraphNode n : plan) counts.merge(n.op, 1, Integer::sum);
        return counts;
    }

    /** Nodes of the graph that were computed once at load because all their inputs are constant. */
    public int foldedNodeCount() {
        return folded;
    }

    /** Elements of all initializers: parameters, but also batch-norm statistics and constant tensors. */
    public long parameterCount() {
        long s = 0;
        for (Tensor v : initializers.values()) s += v.numel();
        return s;
    }

    /** An initializer as a float tensor (integers converted), or null when there is none of that name. */
    public Tensor initializer(String name) {
        Tensor v = initializers.get(name);
        return v == null ? null : Ops.toFloat(v);
    }

    private static ValueInfo info(ValueInfoProto v) {
        TypeProto.Tensor t = v.getType().getTensorType();
        List<String> dims = new ArrayList<>();
        if (t.hasShape()) {
            for (TensorShapeProto.Dimension d : t.getShape().getDimList()) {
                dims.add(d.hasDimValue() ? Long.toString(d.getDimValue()) : d.hasDimParam() && !d.getDimParam().isEmpty() ? d.getDimParam() : "?");
            }
        }
        return new ValueInfo(v.getName(), t.getElemType() == 0 ? "?" : DataTypes.name(t.getElemType()), List.copyOf(dims));
    }

    // ------------------------------------------------------------------------------------------------ running

    /**
     * Runs the graph.
     *
     * @param feeds one tensor per graph input ({@link #inputs()}), by name; shapes must match the declared fixed dims.
     *              A float input takes an F32 tensor; an integer input an I64 tensor (or an F32 one holding whole
     *              numbers, converted); a bool input a BOOL tensor (or numbers, read as ≠ 0)
     * @return every graph output by name, in graph order, each in the dtype its ONNX type runs as: F32 for float,
     *         double and float16, I64 for every integer type, BOOL for bool (as ONNX Runtime returns them)
     * @throws OnnxException for a missing, unknown or mis-shaped input, or a node that fails (the message names it)
     */
    public Map<String, Tensor> run(Map<String, Tensor> feeds) {
        return run(feeds, null);
    }

    /** {@link #run(Map)}, adding each executed node's wall time to {@code profile} (when not null). */
    public Map<String, Tensor> run(Map<String, Tensor> feeds, NodeProfile profile) {
        return run(feeds, profile, null);
    }

    /** {@link #run(Map)}, showing every executed node's inputs and outputs to {@code observer}. */
    public Map<String, Tensor> runObserved(Map<String, Tensor> feeds, NodeObserver observer) {
        return run(feeds, null, java.util.Objects.requireNonNull(observer, "observer"));
    }

    private Map<String, Tensor> run(Map<String, Tensor> feeds, NodeProfile profile, NodeObserver observer) {
        Map<String, Tensor> env = new HashMap<>(constants);
        Set<String> expected = new HashSet<>();
        for (ValueInfoProto v : inputs) expected.add(v.getName());
        for (String name : feeds.keySet()) {   // a misspelt name is reported as such, before the input it was meant for is missed
            if (!expected.contains(name)) throw new OnnxException("unknown input '" + name + "'; the model's inputs: " + inputs());
        }
        for (ValueInfoProto v : inputs) {
            Tensor t = feeds.get(v.getName());
            if (t == null) throw new OnnxException("missing input '" + v.getName() + "' (" + info(v) + "); the model's inputs: " + inputs());
            env.put(v.getName(), feed(v, t));
        }
        Buffers.Pool pool = pools.get();
        Map<Object, Integer> readers = new java.util.IdentityHashMap<>(); // live values holding each intermediate storage
        for (Tensor v : env.values()) if (Ops.isFloat(v)) readers.put(v.storageIdentity(), NEVER_FREED); // constants and the caller's feeds
        try (var scope = Autograd.noGrad(); var buffers = Buffers.use(reuseBuffers ? pool : null)) {
            for (int i = 0; i < plan.size(); i++) {
                GraphNode node = plan.get(i);
                long t0 = profile == null ? 0 : System.nanoTime();
                evaluate(node, env);
                if (profile != null) profile.add(node, System.nanoTime() - t0);
                if (observer != null) observe(node, env, observer);
                for (String out : node.proto.getOutputList()) {
                    Tensor v = out.isEmpty() ? null : env.get(out);
                    if (v != null && Ops.isFloat(v)) readers.merge(v.storageIdentity(), 1, Integer::sum);
                }
                if (reuseBuffers) for (String name : lastReads.get(i)) release(env.remove(name), readers, pool);
            }
            if (profile != null) profile.endRun();
        } finally {
            if (reuseBuffers) pool.endRun();
        }
        Map<String, Tensor> result = new LinkedHashMap<>();
        for (ValueInfoProto o : outputs) {
            Tensor v = env.get(o.getName());
            checkDeclared(o, v.shape(), "output");
            result.put(o.getName(), v.contiguous());   // in its dtype: I64 for integer outputs, BOOL for bool, as ONNX Runtime returns them
        }
        return Collections.unmodifiableMap(result);
    }

    /**
     * A value read for the last time: when no live value holds its array any more (views share it), the array goes
     * back to the pool. Arrays of constants and of the caller's inputs start at {@link #NEVER_FREED} readers.
     */
    private static void release(Tensor v, Map<Object, Integer> readers, Buffers.Pool pool) {
        if (v == null || !Ops.isFloat(v)) return;
        Object a = v.storageIdentity();
        Integer left = readers.merge(a, -1, Integer::sum);
        if (left != null && left == 0) {
            readers.remove(a);
            pool.giveStorageOf(v);
        }
    }

    /** Floats the calling thread's buffer pool holds for the next run (for the tests of its bound). */
    long pooledFloats() {
        return pools.get().heldFloats();
    }

    private static final int NEVER_FREED = Integer.MAX_VALUE / 2;

    /**
     * A caller's input in the dtype its declared element type runs as: an integer input may come as I64 (kept), BOOL
     * or an F32 tensor of whole numbers (converted; a fraction is refused, naming the input); a bool input as BOOL or as
     * numbers (≠ 0); a float input must be F32.
     */
    private static Tensor feed(ValueInfoProto v, Tensor t) {
        checkDeclared(v, t.shape(), "input");
        int type = v.getType().getTensorType().getElemType();
        if (type == 0) return t;
        DType want = DataTypes.dtype(type);
        if (t.dtype() == want) return t;
        String what = "input '" + v.getName() + "' (" + DataTypes.name(type) + ")";
        return switch (want) {
            case F32 -> throw new OnnxException(what + " must be fed an F32 tensor, got " + t.dtype() + " of shape " + Shape.str(t.shape()) + "; convert it with to(DType.F32)");
            case BOOL -> t.to(DType.BOOL);
            case I64 -> {
                try {
                    yield Tensor.ofLongs(Ops.toLongs(t, what), t.shape());
                } catch (IllegalArgumentException e) {
                    throw new OnnxException(e.getMessage());
                }
            }
        };
    }

    /** Checks a runtime shape against the declared dims (fixed dims must match; symbolic ones match anything). */
    private static void checkDeclared(ValueInfoProto v, int[] shape, String what) {
        TypeProto.Tensor t = v.getType().getTensorType();
        if (!t.hasShape()) return;
        List<TensorShapeProto.Dimension> dims = t.getShape().getDimList();
        boolean ok = dims.size() == shape.length;
        for (int d = 0; ok && d < shape.length; d++) {
            if (dims.get(d).hasDimValue() && dims.get(d).getDimValue() != shape[d]) ok = false;
        }
        if (!ok) throw new OnnxException(what + " '" + v.getName() + "' has shape " + Shape.str(shape) + ", the model declares " + info(v));
    }

    private void observe(GraphNode node, Map<String, Tensor> env, NodeObserver observer) {
        NodeProto p = node.proto;
        List<Tensor> in = new ArrayList<>(), out = new ArrayList<>();
        boolean[] constant = new boolean[p.getInputCount()];
        for (int k = 0; k < p.getInputCount(); k++) {
            String name = p.getInput(k);
            Tensor v = name.isEmpty() ? null : env.get(name);
            in.add(v != null && Ops.isFloat(v) ? v : null);
            constant[k] = !name.isEmpty() && constants.containsKey(name);
        }
        for (String name : p.getOutputList()) {
            Tensor v = name.isEmpty() ? null : env.get(name);
            out.add(v != null && Ops.isFloat(v) ? v : null);
        }
        observer.node(node.name, node.op, in, constant, out);
    }

    /** Runs one node on the values in {@code env} and puts its outputs there; errors name the node. */
    static void evaluate(GraphNode node, Map<String, Tensor> env) {
        NodeProto p = node.proto;
        Tensor[] in = new Tensor[p.getInputCount()];
        for (int k = 0; k < in.length; k++) {
            String name = p.getInput(k);
            in[k] = name.isEmpty() ? null : env.get(name);
        }
        Tensor[] out;
        try {
            out = Ops.internalSpec(node.op, node.opset).impl().apply(node, in);
        } catch (OnnxException e) {
            throw e.getMessage().startsWith(node.describe()) ? e : new OnnxException(node.describe() + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException | ArithmeticException e) { // ShapeException included
            throw new OnnxException(node.describe() + ": " + e.getMessage(), e);
        } catch (IndexOutOfBoundsException e) {
            if (e instanceof ArrayIndexOutOfBoundsException || e instanceof StringIndexOutOfBoundsException) throw e;
            throw new OnnxException(node.describe() + ": " + e.getMessage(), e);
        }
        for (int k = 0; k < p.getOutputCount(); k++) {
            String name = p.getOutput(k);
            if (name.isEmpty()) continue;
            if (k >= out.length) throw new OnnxException(node.describe() + ": output " + k + " is not produced");
            env.put(name, out[k]);
        }
    }

    @Override
    public String toString() {
        return "OnnxModel(opset " + opset + ", " + nodes.size() + " nodes, inputs " + inputs() + ", outputs " + outputs() + ")";
    }

    /** The operators the importer supports (default domain). */
    public static List<String> supportedOperators() {
        return List.copyOf(Ops.supported());
    }

    static List<String> names(List<ValueInfo> infos) {
        return infos.stream().map(ValueInfo::name).toList();
    }

    static String dims(int[] s) {
        return Arrays.toString(s);
    }
}
