package dev.lamina.onnx;

import dev.lamina.nn.functional.NormOp;
import dev.lamina.tensor.Tensor;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.NodeProto;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Normalizations written out in tensor arithmetic, as model code often does instead of calling a LayerNorm module,
 * run as Lamina's normalization kernel (one pass over each row instead of nine operators):
 * <ul>
 *   <li>LayerNorm: {@code d = x − ReduceMean(x); d / Sqrt(ReduceMean(d²) + eps)}, then optionally {@code · weight}
 *       and {@code + bias} (constants);</li>
 *   <li>RMSNorm (T5, LLaMA): {@code x · 1/Sqrt(ReduceMean(x²) + eps)} (or {@code x / Sqrt(...)}, or with
 *       Reciprocal), then optionally {@code · weight};</li>
 * </ul>
 * both over the last axis ({@code axes = [-1]}, {@code keepdims = 1}), with {@code d²} as {@code Pow(d, 2)} or
 * {@code Mul(d, d)}. Only chains whose intermediate values nothing else reads are fused. The kernel accumulates in
 * double, so results differ from the separate operators by float rounding (relative error about 1e-7): the rewrite
 * is part of {@link OnnxModel.Optimization#FAST} only.
 */
final class NormFusion {
    private NormFusion() {}

    /** Internal operator: inputs X, Scale (or ""), B (or ""); attributes epsilon and rms (0 or 1). */
    static final String NORM = "lamina.Normalize";

    static void registerAll() {
        Ops.register(NORM, 1, 3, 1, (n, in) -> {
            Tensor x = Ops.floatInput(n, in[0], "X");
            if (x.dim() == 0) throw n.error("input is a scalar; normalizing over its last axis needs at least one dimension");
            int d = x.size(x.dim() - 1);
            Tensor scale = in.length > 1 && in[1] != null ? row(n, Ops.floatInput(n, in[1], "Scale"), d, "weight") : null;
            Tensor bias = in.length > 2 && in[2] != null ? row(n, Ops.floatInput(n, in[2], "B"), d, "bias") : null;
            float eps = n.f("epsilon", 1e-5f);
            return Ops.one(n.i("rms", 0) != 0 ? NormOp.rmsNorm(x, new int[] {d}, scale, eps)
                    : NormOp.layerNorm(x, new int[] {d}, scale, bias, eps));
        });
    }

    /** A weight or bias of the normalized row: [d], a broadcast of it with leading ones, or one value for all. */
    private static Tensor row(GraphNode n, Tensor p, int d, String what) {
        if (p.numel() == d) return p.reshape(d);
        if (p.numel() == 1) return p.reshape(1).expand(d).contiguous();
        throw n.error(what + " of shape " + dev.lamina.tensor.Shape.str(p.shape()) + " does not broadcast over rows of " + d);
    }

    /** The graph as seen by the matchers. */
    private record Graph(Map<String, GraphNode> producer, Map<String, List<GraphNode>> consumers, Map<String, Tensor> constants, Set<String> outputs) {
        /** The only node reading {@code value}, when it is not a graph output; else null. */
        GraphNode only(String value) {
            List<GraphNode> c = consumers.getOrDefault(value, List.of());
            return c.size() == 1 && !outputs.contains(value) ? c.get(0) : null;
        }

        double scalar(String name) {
            return Fusion.constant(name, constants, producer);
        }

        /** A constant whose dimensions but the last are 1 (a weight or bias of the row), or null. */
        Tensor row(String name) {
            Tensor v = constants.get(name);
            if (v == null || !Ops.isFloat(v) || v.dim() == 0) return null;
            for (int i = 0; i < v.dim() - 1; i++) if (v.shape()[i] != 1) return null;
            return v;
        }
    }

    private static String out(GraphNode n) {
        return n.proto.getOutput(0);
    }

    private static String in(GraphNode n, int k) {
        return n.proto.getInputCount() > k ? n.proto.getInput(k) : "";
    }

    private static boolean is(GraphNode n, String op, int inputs) {
        return n != null && n.op.equals(op) && n.proto.getInputCount() == inputs && n.proto.getOutputCount() == 1;
    }

    /** ReduceMean over the last axis only, keeping it. */
    private static boolean meanOfLastAxis(GraphNode n, Graph g) {
        if (n == null || !n.op.equals("ReduceMean") || n.proto.getOutputCount() != 1 || n.i("keepdims", 1) != 1) return false;
        long[] axes;
        if (n.proto.getInputCount() > 1 && !in(n, 1).isEmpty()) {
            Tensor a = g.constants.get(in(n, 1));
            if (a == null || Ops.isFloat(a)) return false;
            axes = Ops.toLongs(a, "axes");
        } else {
            if (!n.has("axes")) return false;
            axes = toLongs(n.ints("axes"));
        }
        return axes != null && axes.length == 1 && axes[0] == -1;
    }

    private static long[] toLongs(int[] a) {
        long[] l = new long[a.length];
        for (int i = 0; i < a.length; i++) l[i] = a[i];
        return l;
    }

    /** Pow(v, 2) or Mul(v, v). */
    private static boolean squares(GraphNode n, String v, Graph g) {
        if (is(n, "Mul", 2)) return in(n, 0).equals(v) && in(n, 1).equals(v);
        return is(n, "Pow", 2) && in(n, 0).equals(v) && g.scalar(in(n, 1)) == 2.0;
    }

    /** ReduceMean(sq) + eps → Sqrt, from the ReduceMean: the Sqrt and eps, or null. */
    private record Root(GraphNode sqrt, double eps, List<GraphNode> nodes) {}

    private static Root rootOfMean(GraphNode mean, Graph g) {
        GraphNode add = g.only(out(mean));
        if (!is(add, "Add", 2)) return null;
        double eps = g.scalar(Fusion.other(add, out(mean)));
        if (!(eps > 0 && eps < 1)) return null;
        GraphNode sqrt = g.only(out(add));
        if (!is(sqrt, "Sqrt", 1)) return null;
        return new Root(sqrt, eps, List.of(mean, add, sqrt));
    }

    /** What one match replaces: its nodes, the last of them, and the fused node. */
    private record Match(List<GraphNode> nodes, GraphNode last, GraphNode fused) {}

    private static GraphNode fused(GraphNode last, String x, String weight, String bias, double eps, boolean rms) {
        NodeProto.Builder p = NodeProto.newBuilder().setOpType(NORM).setName(last.name + (rms ? " (RMSNorm fused)" : " (LayerNorm fused)"))
                .addInput(x).addInput(weight == null ? "" : weight).addInput(bias == null ? "" : bias).addOutput(out(last))
                .addAttribute(AttributeProto.newBuilder().setName("epsilon").setType(AttributeProto.AttributeType.FLOAT).setF((float) eps))
                .addAttribute(AttributeProto.newBuilder().setName("rms").setType(AttributeProto.AttributeType.INT).setI(rms ? 1 : 0));
        return new GraphNode(p.build(), last.index, last.opset);
    }

    /** Optionally · weight and + bias (constants) after the normalized value {@code n}: the nodes taken, weight, bias. */
    private static Match affine(List<GraphNode> taken, GraphNode n, String x, double eps, boolean rms, Graph g) {
        List<GraphNode> nodes = new ArrayList<>(taken);
        GraphNode last = n;
        String weight = null, bias = null;
        GraphNode mul = g.only(out(last));
        if (is(mul, "Mul", 2) && g.row(Fusion.other(mul, out(last))) != null) {
            weight = Fusion.other(mul, out(last));
            nodes.add(mul);
            last = mul;
            GraphNode add = rms ? null : g.only(out(last));
            if (is(add, "Add", 2) && g.row(Fusion.other(add, out(last))) != null) {
                bias = Fusion.other(add, out(last));
                nodes.add(add);
                last = add;
            }
        }
        return new Match(nodes, last, fused(last, x, weight, bias, eps, rms));
    }

    private static Match layerNorm(GraphNode mean, Graph g) {
        if (!meanOfLastAxis(mean, g)) return null;
        String x = in(mean, 0);
        GraphNode sub = g.only(out(mean));
        if (!is(sub, "Sub", 2) || !in(sub, 0).equals(x) || !in(sub, 1).equals(out(mean))) return null;
        String d = out(sub);
        List<GraphNode> users = g.consumers.getOrDefault(d, List.of());
        if (users.size() != 2 || g.outputs.contains(d)) return null;
        GraphNode sq = squares(users.get(0), d, g) ? users.get(0) : squares(users.get(1), d, g) ? users.get(1) : null;
        if (sq == null) return null;
        GraphNode div = users.get(0) == sq ? users.get(1) : users.get(0);
        GraphNode mean2 = g.only(out(sq));
        if (!meanOfLastAxis(mean2, g)) return null;
        Root root = rootOfMean(mean2, g);
        if (root == null || g.only(out(root.sqrt)) != div || !is(div, "Div", 2) || !in(div, 0).equals(d) || !in(div, 1).equals(out(root.sqrt))) return null;
        List<GraphNode> taken = new ArrayList<>(List.of(mean, sub, sq));
        taken.addAll(root.nodes);
        taken.add(div);
        return affine(taken, div, x, root.eps, false, g);
    }

    private static Match rmsNorm(GraphNode sq, Graph g) {
        if (sq == null || !(is(sq, "Pow", 2) || is(sq, "Mul", 2))) return null;
        String x = in(sq, 0);
        if (!squares(sq, x, g)) return null;
        GraphNode mean = g.only(out(sq));
        if (!meanOfLastAxis(mean, g)) return null;
        Root root = rootOfMean(mean, g);
        if (root == null) return null;
        List<GraphNode> taken = new ArrayList<>(List.of(sq));
        taken.addAll(root.nodes);
        GraphNode next = g.only(out(root.sqrt));
        GraphNode normalized;
        if (is(next, "Div", 2) && in(next, 0).equals(x) && in(next, 1).equals(out(root.sqrt))) {
            normalized = next;                                              // x / sqrt(...)
        } else {
            boolean reciprocal = is(next, "Reciprocal", 1) || (is(next, "Div", 2) && in(next, 1).equals(out(root.sqrt)) && g.scalar(in(next, 0)) == 1.0);
            if (!reciprocal) return null;
            taken.add(next);
            GraphNode mul = g.only(out(next));
            if (!is(mul, "Mul", 2) || !x.equals(Fusion.other(mul, out(next)))) return null;   // x · 1/sqrt(...)
            normalized = mul;
        }
        taken.add(normalized);
        return affine(taken, normalized, x, root.eps, true, g);
    }

    /** The plan with every hand-written LayerNorm and RMSNorm replaced by one {@value #NORM} node. */
    static List<GraphNode> plan(List<GraphNode> nodes, Map<String, Tensor> constants, Set<String> graphOutputs) {
        Map<String, GraphNode> producer = new HashMap<>();
        Map<String, List<GraphNode>> consumers = new HashMap<>();
        for (GraphNode n : nodes) {
            for (String o : n.proto.getOutputList()) producer.put(o, n);
            for (String i : new LinkedHashSet<>(n.proto.getInputList())) if (!i.isEmpty()) consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(n);
        }
        Graph g = new Graph(producer, consumers, constants, graphOutputs);
        Set<GraphNode> removed = new HashSet<>();
        Map<GraphNode, GraphNode> replaced = new HashMap<>();
        for (GraphNode n : nodes) {
            if (removed.contains(n)) continue;
            Match m = n.op.equals("ReduceMean") ? layerNorm(n, g) : rmsNorm(n, g);
            if (m == null || m.nodes.stream().anyMatch(removed::contains)) continue;
            removed.addAll(m.nodes);
            removed.remove(m.last);
            replaced.put(m.last, m.fused);
        }
        List<GraphNode> out = new ArrayList<>();
        for (GraphNode n : nodes) {
            if (removed.contains(n)) continue;
            out.add(replaced.getOrDefault(n, n));
        }
        return out;
    }
}
