package dev.lamina.onnx;

import dev.lamina.backend.ElementwiseProgram;
import dev.lamina.kernels.Elementwise.Binary;
import dev.lamina.kernels.Elementwise.Unary;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;
import onnx.Onnx.NodeProto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Regions of element-wise operators run as one pass: the tanh GELU an exporter spells out in nine nodes, a
 * hand-written Swish or HardSwish, bias-plus-activation chains. A region is a set of connected element-wise nodes
 * (Add, Sub, Mul, Div, Pow, Relu, Sigmoid, Tanh, Exp, Log, Sqrt, Reciprocal, Neg, Abs) whose intermediate values
 * nothing outside the region reads; it becomes one {@value #CHAIN} node whose inputs are the values the region reads
 * from outside and whose output is the region's last value.
 *
 * <p>At run time the region is an {@link ElementwiseProgram} the backend runs in one pass (on the CPU: blocks that stay
 * in the core's cache, each operator applied with the kernel the separate node would use, so results are identical
 * bit for bit; blocks are shared among the worker threads). Every input must be a float tensor that is
 * either the full output shape (contiguous), a single value, or a trailing row broadcast over it (a bias), and each
 * operator must read at least one full-shape value; any other case (integer shape arithmetic, other broadcasts)
 * runs the original nodes one by one.
 */
final class ChainFusion {
    private ChainFusion() {}

    /** Internal operator of a fused region (never accepted from a file). */
    static final String CHAIN = "lamina.Elementwise";

    private static final Map<String, Unary> UNARY = Map.of("Relu", Unary.RELU, "Sigmoid", Unary.SIGMOID, "Tanh", Unary.TANH, "Exp", Unary.EXP,
            "Log", Unary.LOG, "Sqrt", Unary.SQRT, "Reciprocal", Unary.RECIPROCAL, "Neg", Unary.NEG, "Abs", Unary.ABS);
    private static final Map<String, Binary> BINARY = Map.of("Add", Binary.ADD, "Sub", Binary.SUB, "Mul", Binary.MUL, "Div", Binary.DIV,
            "Pow", Binary.POW);

    static void registerAll() {
        Ops.register(CHAIN, 1, Ops.MANY, 1, (n, in) -> Ops.one(n.chain.run(n, in)));
    }

    private static boolean elementwise(GraphNode n) {
        if (n.proto.getOutputCount() != 1 || n.proto.getOutput(0).isEmpty()) return false;
        int arity = UNARY.containsKey(n.op) ? 1 : BINARY.containsKey(n.op) ? 2 : 0;
        if (arity == 0 || n.proto.getInputCount() != arity) return false;
        for (String in : n.proto.getInputList()) if (in.isEmpty()) return false;
        return true;
    }

    /** The plan with each region of two or more element-wise nodes replaced by one {@value #CHAIN} node. */
    static List<GraphNode> plan(List<GraphNode> nodes, Set<String> graphOutputs) {
        Map<String, GraphNode> producer = new HashMap<>();
        Map<String, List<GraphNode>> consumers = new HashMap<>();
        for (GraphNode n : nodes) {
            for (String out : n.proto.getOutputList()) producer.put(out, n);
            for (String in : n.proto.getInputList()) if (!in.isEmpty()) consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        }
        Map<GraphNode, Integer> position = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) position.put(nodes.get(i), i);
        Set<GraphNode> assigned = new HashSet<>();
        Map<GraphNode, GraphNode> replacement = new HashMap<>();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            GraphNode sink = nodes.get(i);
            if (assigned.contains(sink) || !elementwise(sink)) continue;
            Set<GraphNode> region = new HashSet<>(List.of(sink));
            for (boolean grew = true; grew; ) {
                grew = false;
                for (GraphNode r : List.copyOf(region)) {
                    for (String in : r.proto.getInputList()) {
                        GraphNode p = producer.get(in);
                        if (p == null || region.contains(p) || assigned.contains(p) || !elementwise(p) || graphOutputs.contains(in)) continue;
                        if (region.containsAll(consumers.getOrDefault(in, List.of()))) {
                            region.add(p);
                            grew = true;
                        }
                    }
                }
            }
            if (region.size() < 2) continue;
            assigned.addAll(region);
            List<GraphNode> steps = new ArrayList<>(region);
            steps.sort(Comparator.comparing(position::get));
            Region compiled = Region.of(steps);
            NodeProto.Builder p = NodeProto.newBuilder().setOpType(CHAIN).setName(sink.name + " (" + steps.size() + " element-wise ops fused)")
                    .addAllInput(compiled.inputs).addOutput(sink.proto.getOutput(0));
            GraphNode fused = new GraphNode(p.build(), sink.index, sink.opset);
            fused.chain = compiled;
            replacement.put(sink, fused);
        }
        List<GraphNode> out = new ArrayList<>();
        for (GraphNode n : nodes) {
            if (replacement.containsKey(n)) out.add(replacement.get(n));
            else if (!assigned.contains(n)) out.add(n);
        }
        return out;
    }

    /**
     * A compiled region: {@code inputs} are the values read from outside (the program's slots 0..E-1); step j computes
     * slot E+j from one or two slots ({@link ElementwiseProgram}, run by the tensors' backend).
     */
    static final class Region {
        final List<String> inputs;
        final List<GraphNode> steps;
        private final ElementwiseProgram program;

        private Region(List<String> inputs, List<GraphNode> steps, ElementwiseProgram program) {
            this.inputs = inputs;
            this.steps = steps;
            this.program = program;
        }

        static Region of(List<GraphNode> steps) {
            Map<String, Integer> slot = new LinkedHashMap<>();
            List<String> inputs = new ArrayList<>();
            Map<String, Integer> stepOf = new HashMap<>();
            for (int j = 0; j < steps.size(); j++) stepOf.put(steps.get(j).proto.getOutput(0), j);
            for (GraphNode s : steps) {
                for (String in : s.proto.getInputList()) {
                    if (!stepOf.containsKey(in) && !slot.containsKey(in)) {
                        slot.put(in, inputs.size());
                        inputs.add(in);
                    }
                }
            }
            int e = inputs.size();
            List<ElementwiseProgram.Step> program = new ArrayList<>();
            for (GraphNode s : steps) {
                List<String> ins = s.proto.getInputList();
                int[] operands = new int[ins.size()];
                for (int k = 0; k < ins.size(); k++) {
                    Integer st = stepOf.get(ins.get(k));
                    operands[k] = st != null ? e + st : slot.get(ins.get(k));
                }
                program.add(operands.length == 1 ? ElementwiseProgram.Step.of(UNARY.get(s.op), operands[0])
                        : ElementwiseProgram.Step.of(BINARY.get(s.op), operands[0], operands[1]));
            }
            return new Region(List.copyOf(inputs), List.copyOf(steps), ElementwiseProgram.of(e, program));
        }

        Tensor run(GraphNode fused, Tensor[] in) {
            int[] main = null;
            for (Tensor v : in) {
                if (v == null || (!Ops.isFloat(v) && v.numel() != 1)) return runNodes(in);
                if (Ops.isFloat(v) && (main == null || v.numel() > Shape.size(main))) main = v.shape();
            }
            if (main == null) return runNodes(in);
            Tensor[] t = new Tensor[in.length];
            for (int k = 0; k < in.length; k++) t[k] = Ops.toFloat(in[k]);   // an integer input is a single value here, as a float
            if (program.onePassKinds(t, main) == null) return runNodes(in);
            return t[0].backend().run(program, t, main.clone());
        }

        /** The original nodes one after another: the region's meaning for inputs the one-pass run does not take. */
        private Tensor runNodes(Tensor[] in) {
            Map<String, Tensor> env = new HashMap<>();
            for (int k = 0; k < in.length; k++) env.put(inputs.get(k), in[k]);
            for (GraphNode s : steps) OnnxModel.evaluate(s, env);
            return env.get(steps.get(steps.size() - 1).proto.getOutput(0));
        }
    }
}
