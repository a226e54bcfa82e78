package dev.lamina.onnx;

import dev.lamina.tensor.Tensor;
import onnx.Onnx.NodeProto;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Graph rewrites applied after validation, for speed and to run exactly Lamina's own kernels: the exact GELU that
 * exporters spell out, {@code Div(x, √2) → Erf → Add 1 → Mul x → Mul ½}, becomes one fused node running
 * {@link Tensor#gelu()}; attention chains become Lamina's attention kernel ({@link AttentionFusion}); convolutions take
 * their BatchNorm, activation and residual add ({@link ConvFusion}); hand-written LayerNorm and RMSNorm become
 * Lamina's normalization kernel ({@link NormFusion}); what element-wise operators remain run in one
 * blocked pass per connected region ({@link ChainFusion}). Only chains whose intermediate values are used by nothing
 * else are fused.
 */
final class Fusion {
    private Fusion() {}

    /** Internal operator of the fused GELU (never accepted from a file: validation only admits ONNX operators). */
    static final String GELU = "lamina.Gelu";

    static void registerAll() {
        Ops.register(GELU, 1, 1, 1, (n, in) -> Ops.one(Ops.floatInput(n, in[0], "X").gelu()));
        AttentionFusion.registerAll();
        ChainFusion.registerAll();
        NormFusion.registerAll();
    }

    /** The execution plan: {@code nodes} with fusable chains replaced. */
    static List<GraphNode> plan(List<GraphNode> nodes, Map<String, Tensor> initializers, Set<String> graphOutputs, boolean fast) {
        Map<String, Integer> uses = new HashMap<>();
        Map<String, GraphNode> producer = new HashMap<>();
        Map<String, GraphNode> consumer = new HashMap<>();
        for (GraphNode n : nodes) {
            for (String in : n.proto.getInputList()) {
                if (in.isEmpty()) continue;
                uses.merge(in, 1, Integer::sum);
                consumer.put(in, n);
            }
            for (String out : n.proto.getOutputList()) producer.put(out, n);
        }
        for (String o : graphOutputs) uses.merge(o, 1, Integer::sum);
        Set<GraphNode> removed = new HashSet<>();
        Map<GraphNode, GraphNode> replaced = new HashMap<>();
        for (GraphNode erf : nodes) {
            if (!erf.op.equals("Erf")) continue;
            GraphNode div = producer.get(erf.proto.getInput(0));
            if (div == null || !div.op.equals("Div") || !near(constant(div.proto.getInput(1), initializers, producer), Math.sqrt(2))) continue;
            String x = div.proto.getInput(0);
            GraphNode add = single(erf, uses, consumer);
            if (add == null || !add.op.equals("Add") || !near(constant(other(add, erf.proto.getOutput(0)), initializers, producer), 1)) continue;
            GraphNode mul = single(add, uses, consumer);
            if (mul == null || !mul.op.equals("Mul") || !x.equals(other(mul, add.proto.getOutput(0)))) continue;
            GraphNode half = single(mul, uses, consumer);
            if (half == null || !half.op.equals("Mul") || !near(constant(other(half, mul.proto.getOutput(0)), initializers, producer), 0.5)) continue;
            if (!singleUse(div, uses)) continue;
            NodeProto fused = NodeProto.newBuilder().setOpType(GELU).setName(half.name + " (GELU fused)").addInput(x).addOutput(half.proto.getOutput(0)).build();
            removed.addAll(List.of(div, erf, add, mul));
            replaced.put(half, new GraphNode(fused, half.index, half.opset));
        }
        List<GraphNode> out = new ArrayList<>();
        for (GraphNode n : nodes) {
            if (removed.contains(n)) continue;
            out.add(replaced.getOrDefault(n, n));
        }
        if (fast) out = NormFusion.plan(out, initializers, graphOutputs);   // FAST only: the kernel rounds differently
        List<GraphNode> fused = ConvFusion.plan(AttentionFusion.plan(out, initializers, graphOutputs), initializers, graphOutputs, fast);
        return ChainFusion.plan(fused, graphOutputs);
    }

    static boolean singleUse(GraphNode n, Map<String, Integer> uses) {
        return n.proto.getOutputCount() == 1 && uses.getOrDefault(n.proto.getOutput(0), 0) == 1;
    }

    /** The only consumer of {@code n}'s single output, or null. */
    static GraphNode single(GraphNode n, Map<String, Integer> uses, Map<String, GraphNode> consumer) {
        return singleUse(n, uses) ? consumer.get(n.proto.getOutput(0)) : null;
    }

    /** The input of a two-input node that is not {@code name}, or null. */
    static String other(GraphNode n, String name) {
        if (n.proto.getInputCount() != 2) return null;
        if (n.proto.getInput(0).equals(name)) return n.proto.getInput(1);
        if (n.proto.getInput(1).equals(name)) return n.proto.getInput(0);
        return null;
    }

    /** A one-element float constant (initializer or Constant node), or NaN. */
    static double constant(String name, Map<String, Tensor> initializers, Map<String, GraphNode> producer) {
        if (name == null) return Double.NaN;
        Tensor v = initializers.get(name);
        if (v == null) {
            GraphNode c = producer.get(name);
            if (c == null || !c.op.equals("Constant") || !c.has("value")) return Double.NaN;
            v = DataTypes.decode(c.tensorAttr("value").getT(), c.describe());
        }
        return Ops.isFloat(v) && v.numel() == 1 ? v.toArray()[0] : Double.NaN;
    }

    private static boolean near(double v, double target) {
        return Math.abs(v - target) <= 1e-6 * Math.abs(target);
    }
}
