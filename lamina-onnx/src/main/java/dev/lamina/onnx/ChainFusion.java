package dev.lamina.onnx;

import dev.lamina.kernels.Elementwise;
import dev.lamina.kernels.Elementwise.Binary;
import dev.lamina.kernels.Elementwise.Unary;
import dev.lamina.kernels.Parallel;
import dev.lamina.tensor.Buffers;
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
 * <p>At run time the region walks its output in blocks of {@link #BLOCK} elements that stay in the core's cache, each
 * operator applied to the block with the same kernel the separate node would use ({@link Elementwise}), so results
 * are identical bit for bit; blocks are shared among the worker threads. Every input must be a float tensor that is
 * either the full output shape (contiguous), a single value, or a trailing row broadcast over it (a bias), and each
 * operator must read at least one full-shape value; any other case (integer shape arithmetic, other broadcasts)
 * runs the original nodes one by one.
 */
final class ChainFusion {
    private ChainFusion() {}

    /** Internal operator of a fused region (never accepted from a file). */
    static final String CHAIN = "lamina.Elementwise";

    /** Elements per block: a few live blocks of 16 KB fit in the first-level cache. */
    static final int BLOCK = 4096;

    private static final Map<String, Unary> UNARY = Map.of("Relu", Unary.RELU, "Sigmoid", Unary.SIGMOID, "Tanh", Unary.TANH, "Exp", Unary.EXP,
            "Log", Unary.LOG, "Sqrt", Unary.SQRT, "Reciprocal", Unary.RECIPROCAL, "Neg", Unary.NEG, "Abs", Unary.ABS);
    private static final Map<String, Binary> BINARY = Map.of("Add", Binary.ADD, "Sub", Binary.SUB, "Mul", Binary.MUL, "Div", Binary.DIV,
            "Pow", Binary.POW);

    static void registerAll() {
        Ops.register(CHAIN, 1, Ops.MANY, 1, (n, in) -> Ops.one(n.chain.run(n, in)));
    }

    private static boolean elementwise(Node n) {
        if (n.proto.getOutputCount() != 1 || n.proto.getOutput(0).isEmpty()) return false;
        int arity = UNARY.containsKey(n.op) ? 1 : BINARY.containsKey(n.op) ? 2 : 0;
        if (arity == 0 || n.proto.getInputCount() != arity) return false;
        for (String in : n.proto.getInputList()) if (in.isEmpty()) return false;
        return true;
    }

    /** The plan with each region of two or more element-wise nodes replaced by one {@value #CHAIN} node. */
    static List<Node> plan(List<Node> nodes, Set<String> graphOutputs) {
        Map<String, Node> producer = new HashMap<>();
        Map<String, List<Node>> consumers = new HashMap<>();
        for (Node n : nodes) {
            for (String out : n.proto.getOutputList()) producer.put(out, n);
            for (String in : n.proto.getInputList()) if (!in.isEmpty()) consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        }
        Map<Node, Integer> position = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) position.put(nodes.get(i), i);
        Set<Node> assigned = new HashSet<>();
        Map<Node, Node> replacement = new HashMap<>();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node sink = nodes.get(i);
            if (assigned.contains(sink) || !elementwise(sink)) continue;
            Set<Node> region = new HashSet<>(List.of(sink));
            for (boolean grew = true; grew; ) {
                grew = false;
                for (Node r : List.copyOf(region)) {
                    for (String in : r.proto.getInputList()) {
                        Node p = producer.get(in);
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
            List<Node> steps = new ArrayList<>(region);
            steps.sort(Comparator.comparing(position::get));
            Region compiled = Region.of(steps);
            NodeProto.Builder p = NodeProto.newBuilder().setOpType(CHAIN).setName(sink.name + " (" + steps.size() + " element-wise ops fused)")
                    .addAllInput(compiled.inputs).addOutput(sink.proto.getOutput(0));
            Node fused = new Node(p.build(), sink.index, sink.opset);
            fused.chain = compiled;
            replacement.put(sink, fused);
        }
        List<Node> out = new ArrayList<>();
        for (Node n : nodes) {
            if (replacement.containsKey(n)) out.add(replacement.get(n));
            else if (!assigned.contains(n)) out.add(n);
        }
        return out;
    }

    /**
     * A compiled region: {@code inputs} are the values read from outside (slots 0..E-1); step j computes slot E+j
     * from one or two slots. Each step's result lives in a block register, reused once its last reader has run.
     */
    static final class Region {
        final List<String> inputs;
        final List<Node> steps;
        private final int[][] operands;     // per step: the slots it reads
        private final int[] register;       // per step: the block register its result goes to (the last step: the output)
        private final int registers;
        private final ThreadLocal<float[][]> scratch;

        private Region(List<String> inputs, List<Node> steps, int[][] operands, int[] register, int registers) {
            this.inputs = inputs;
            this.steps = steps;
            this.operands = operands;
            this.register = register;
            this.registers = registers;
            this.scratch = ThreadLocal.withInitial(() -> new float[registers][BLOCK]);
        }

        static Region of(List<Node> steps) {
            Map<String, Integer> slot = new LinkedHashMap<>();
            List<String> inputs = new ArrayList<>();
            Map<String, Integer> stepOf = new HashMap<>();
            for (int j = 0; j < steps.size(); j++) stepOf.put(steps.get(j).proto.getOutput(0), j);
            for (Node s : steps) {
                for (String in : s.proto.getInputList()) {
                    if (!stepOf.containsKey(in) && !slot.containsKey(in)) {
                        slot.put(in, inputs.size());
                        inputs.add(in);
                    }
                }
            }
            int e = inputs.size();
            int[][] operands = new int[steps.size()][];
            int[] lastRead = new int[e + steps.size()];
            for (int j = 0; j < steps.size(); j++) {
                List<String> ins = steps.get(j).proto.getInputList();
                operands[j] = new int[ins.size()];
                for (int k = 0; k < ins.size(); k++) {
                    Integer st = stepOf.get(ins.get(k));
                    operands[j][k] = st != null ? e + st : slot.get(ins.get(k));
                    lastRead[operands[j][k]] = j;
                }
            }
            // registers by liveness: a step's result may reuse a register whose value its own step reads last
            // (element i is read before it is written in every kernel)
            int[] register = new int[steps.size()];
            List<Integer> free = new ArrayList<>();
            int count = 0;
            for (int j = 0; j < steps.size(); j++) {
                for (int o : operands[j]) if (o >= e && lastRead[o] == j && register[o - e] >= 0 && !free.contains(register[o - e])) free.add(register[o - e]);
                if (j == steps.size() - 1) {
                    register[j] = -1;   // the output array
                } else {
                    register[j] = free.isEmpty() ? count++ : free.remove(free.size() - 1);
                }
            }
            return new Region(List.copyOf(inputs), List.copyOf(steps), operands, register, Math.max(1, count));
        }

        /** How an input is read in the fast path. */
        private enum Kind { FULL, SCALAR, ROW }

        Value run(Node fused, Value[] in) {
            int e = inputs.size();
            int[] main = null;
            for (Value v : in) if (v != null && v.isFloat() && (main == null || v.numel() > Shape.size(main))) main = v.shape;
            Kind[] kinds = main == null ? null : kinds(in, main);
            if (kinds == null || !everyStepReadsAFullValue(kinds)) return runNodes(in);
            int n = Shape.size(main);
            float[] out = Buffers.uninitialized(n);
            Tensor[] t = new Tensor[e];
            for (int k = 0; k < e; k++) t[k] = in[k].toFloat();   // an integer input is a single value here, as a float
            int blocks = (n + BLOCK - 1) / BLOCK;
            int minChunk = Math.max(1, (2 * Elementwise.PARALLEL_GRAIN) / (BLOCK * steps.size()));
            Parallel.forRange(blocks, minChunk, (b0, b1) -> {
                float[][] regs = scratch.get();
                for (int b = b0; b < b1; b++) block(b * BLOCK, Math.min(BLOCK, n - b * BLOCK), t, kinds, regs, out);
            });
            return Value.of(Tensor.of(out, main.clone()));
        }

        private Kind[] kinds(Value[] in, int[] main) {
            Kind[] kinds = new Kind[in.length];
            for (int k = 0; k < in.length; k++) {
                Value v = in[k];
                if (v == null) return null;
                if (v.numel() == 1 && v.rank() <= main.length) kinds[k] = Kind.SCALAR;   // a higher rank would raise the output's
                else if (!v.isFloat()) return null;
                else if (Arrays.equals(v.shape, main) && v.f.isContiguous()) kinds[k] = Kind.FULL;
                else if (v.f.isContiguous() && v.rank() <= main.length && Shape.isTrailing(v.shape, main)) kinds[k] = Kind.ROW;
                else return null;
            }
            return kinds;
        }

        private boolean everyStepReadsAFullValue(Kind[] kinds) {
            int e = inputs.size();
            for (int[] ops : operands) {
                boolean full = false;
                for (int o : ops) full |= o >= e || kinds[o] == Kind.FULL;
                if (!full) return false;
            }
            return true;
        }

        /** Elements [start, start + len) of the output through every step. */
        private void block(int start, int len, Tensor[] in, Kind[] kinds, float[][] regs, float[] out) {
            int e = inputs.size();
            for (int j = 0; j < steps.size(); j++) {
                float[] dst = register[j] < 0 ? out : regs[register[j]];
                int dOff = register[j] < 0 ? start : 0;
                int[] ops = operands[j];
                Node s = steps.get(j);
                if (ops.length == 1) {
                    int o = ops[0];
                    float[] a = o >= e ? regs[register[o - e]] : in[o].storage();
                    int aOff = o >= e ? 0 : in[o].storageOffset() + start;
                    Elementwise.unary(UNARY.get(s.op), a, aOff, dst, dOff, len);
                    continue;
                }
                Binary op = BINARY.get(s.op);
                int x = ops[0], y = ops[1];
                Kind kx = x >= e ? Kind.FULL : kinds[x], ky = y >= e ? Kind.FULL : kinds[y];
                float[] xa = x >= e ? regs[register[x - e]] : in[x].storage();
                float[] ya = y >= e ? regs[register[y - e]] : in[y].storage();
                int xo = x >= e ? 0 : in[x].storageOffset() + (kx == Kind.FULL ? start : 0);
                int yo = y >= e ? 0 : in[y].storageOffset() + (ky == Kind.FULL ? start : 0);
                if (kx == Kind.FULL && ky == Kind.FULL) {
                    Elementwise.binary(op, xa, xo, ya, yo, dst, dOff, len);
                } else if (ky == Kind.SCALAR) {
                    Elementwise.binaryScalar(op, xa, xo, ya[yo], dst, dOff, len);
                } else if (kx == Kind.SCALAR) {
                    Elementwise.scalarBinary(op, xa[xo], ya, yo, dst, dOff, len);
                } else if (ky == Kind.ROW) {
                    int row = in[y].numel();
                    for (int p = 0; p < len; ) {
                        int r = (start + p) % row, seg = Math.min(row - r, len - p);
                        Elementwise.binary(op, xa, xo + p, ya, yo + r, dst, dOff + p, seg);
                        p += seg;
                    }
                } else {
                    int row = in[x].numel();
                    for (int p = 0; p < len; ) {
                        int r = (start + p) % row, seg = Math.min(row - r, len - p);
                        Elementwise.binary(op, xa, xo + r, ya, yo + p, dst, dOff + p, seg);
                        p += seg;
                    }
                }
            }
        }

        /** The original nodes one after another: the region's meaning for inputs the fast path does not take. */
        private Value runNodes(Value[] in) {
            Map<String, Value> env = new HashMap<>();
            for (int k = 0; k < in.length; k++) env.put(inputs.get(k), in[k]);
            for (Node s : steps) OnnxModel.evaluate(s, env);
            return env.get(steps.get(steps.size() - 1).proto.getOutput(0));
        }
    }
}
