package dev.lamina.onnx;

import dev.lamina.fusion.FusionRule;
import dev.lamina.fusion.FusionRules;
import dev.lamina.fusion.OpKind;
import dev.lamina.kernels.Activation;
import dev.lamina.tensor.Tensor;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.NodeProto;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The convolution rules of the one fusion table ({@link FusionRules}, read when the model loads; a rule withdrawn
 * from it is not applied here either): folds an inference BatchNormalization that follows a convolution into its
 * weights ({@code conv_batch_norm}), then what follows a convolution
 * into its epilogue ({@link dev.lamina.backend.ConvEpilogue}): a residual
 * {@code Add} and then one activation — {@code Relu}, {@code Clip} with constant bounds (ReLU6), {@code Sigmoid},
 * {@code HardSwish}, or SiLU spelled {@code Mul(y, Sigmoid(y))} — become one {@code lamina.Conv} node that writes
 * each image's output once. A chain is folded only when each intermediate value has no other use and is no graph
 * output, and each node joins one chain at most (of a residual block's two convolutions, the first in graph order
 * takes the {@code Add}; the other stays the residual). The fused node takes the place of the chain's last node,
 * where every input it needs is defined.
 */
final class ConvFusion {
    private ConvFusion() {}

    /** Internal operator of the fused convolution: inputs X, W, B (may be empty), residual (may be empty). */
    static final String CONV = "lamina.Conv";
    static final String ACTIVATION = "lamina_activation", CLIP_MIN = "lamina_clip_min", CLIP_MAX = "lamina_clip_max";

    /** @param foldBatchNorm {@link OnnxModel.Optimization#FAST}: also the rewrites that change the rounding */
    static List<GraphNode> plan(List<GraphNode> nodes, Map<String, Tensor> initializers, Set<String> graphOutputs, boolean foldBatchNorm) {
        FusionRules rules = FusionRules.current();
        boolean fold = foldBatchNorm && rules.has(FusionRules.CONV_BATCH_NORM);
        return fuseEpilogues(fold ? foldBatchNorm(nodes, initializers, graphOutputs) : nodes, initializers, graphOutputs, foldBatchNorm, rules);
    }

    /**
     * The fusion kind of an operator type: the one place ONNX operators map to the rules' {@link OpKind}s (SiLU,
     * spelt {@code Mul(y, Sigmoid(y))}, is recognised as a pattern in {@link #fuseEpilogues}).
     */
    static OpKind kindOf(String opType) {
        return switch (opType) {
            case "Conv" -> OpKind.CONVOLUTION;
            case "BatchNormalization" -> OpKind.BATCH_NORM;
            case "Add" -> OpKind.RESIDUAL_ADD;
            case "MaxPool" -> OpKind.MAX_POOL;
            case "Relu" -> OpKind.RELU;
            case "Clip" -> OpKind.CLIP;
            case "Sigmoid" -> OpKind.SIGMOID;
            case "HardSwish" -> OpKind.HARDSWISH;
            default -> null;
        };
    }

    /**
     * An inference BatchNormalization after a Conv with constant weights folds into the convolution:
     * {@code W' = W · γ/√(σ² + ε)} per output channel, {@code b' = (b − μ)·γ/√(σ² + ε) + β}. The folded weight and
     * bias join {@code constants} under names derived from the BatchNormalization node; the Conv takes its place.
     */
    private static List<GraphNode> foldBatchNorm(List<GraphNode> nodes, Map<String, Tensor> constants, Set<String> graphOutputs) {
        Index index = new Index(nodes, graphOutputs);
        Map<String, Integer> uses = index.uses;
        Map<String, List<GraphNode>> consumers = index.consumers;
        Set<GraphNode> removed = new HashSet<>();
        Map<GraphNode, GraphNode> replaced = new HashMap<>();
        for (GraphNode conv : nodes) {
            if (!conv.op.equals("Conv") || conv.proto.getOutputCount() != 1) continue;
            GraphNode bn = only(conv.proto.getOutput(0), uses, consumers);
            if (bn == null || !bn.op.equals("BatchNormalization") || bn.i("training_mode", 0) != 0 || bn.proto.getOutputCount() != 1) continue;
            Tensor w = constants.get(conv.proto.getInput(1));
            Tensor b = conv.proto.getInputCount() > 2 && !conv.proto.getInput(2).isEmpty() ? constants.get(conv.proto.getInput(2)) : null;
            if (w == null || !Ops.isFloat(w) || w.shape().length < 3 || conv.proto.getInputCount() > 2 && !conv.proto.getInput(2).isEmpty() && b == null) continue;
            Tensor[] p = new Tensor[4]; // scale, B, mean, var
            boolean ok = true;
            for (int i = 0; i < 4; i++) {
                p[i] = constants.get(bn.proto.getInput(i + 1));
                ok &= p[i] != null && Ops.isFloat(p[i]) && p[i].numel() == w.shape()[0];
            }
            if (!ok || b != null && (!Ops.isFloat(b) || b.numel() != w.shape()[0])) continue;
            float eps = bn.f("epsilon", 1e-5f);
            float[] gamma = p[0].toArray(), beta = p[1].toArray(), mean = p[2].toArray(), var = p[3].toArray();
            float[] wd = w.toArray(), bd = b == null ? new float[w.shape()[0]] : b.toArray();
            int oc = w.shape()[0], per = wd.length / oc;
            float[] fw = new float[wd.length], fb = new float[oc];
            for (int o = 0; o < oc; o++) {
                double k = gamma[o] / Math.sqrt((double) var[o] + eps);
                for (int i = 0; i < per; i++) fw[o * per + i] = (float) (wd[o * per + i] * k);
                fb[o] = (float) ((bd[o] - mean[o]) * k + beta[o]);
            }
            String wName = bn.name + " (folded weight)", bName = bn.name + " (folded bias)";
            constants.put(wName, Tensor.of(fw, w.shape().clone()));
            constants.put(bName, Tensor.of(fb, oc));
            NodeProto folded = conv.proto.toBuilder().setName(bn.name + " (batch norm folded)").clearInput().clearOutput()
                    .addInput(conv.proto.getInput(0)).addInput(wName).addInput(bName).addOutput(bn.proto.getOutput(0)).build();
            removed.add(conv);
            replaced.put(bn, new GraphNode(folded, bn.index, bn.opset));
        }
        if (replaced.isEmpty()) return nodes;
        List<GraphNode> out = new ArrayList<>();
        for (GraphNode n : nodes) {
            if (removed.contains(n)) continue;
            out.add(replaced.getOrDefault(n, n));
        }
        return out;
    }

    /** Residual adds and activations into conv epilogues; the σ-family ones (not bit-exact) only when {@code fast}. */
    private static List<GraphNode> fuseEpilogues(List<GraphNode> nodes, Map<String, Tensor> initializers, Set<String> graphOutputs, boolean fast, FusionRules rules) {
        Index index = new Index(nodes, graphOutputs);
        Map<String, Integer> uses = index.uses;
        Map<String, GraphNode> producer = index.producer;
        Map<String, List<GraphNode>> consumers = index.consumers;
        Set<GraphNode> removed = new HashSet<>();
        Map<GraphNode, GraphNode> replaced = new HashMap<>();
        for (GraphNode conv : nodes) {
            if (!conv.op.equals("Conv") || conv.proto.getOutputCount() != 1) continue;
            List<GraphNode> chain = new ArrayList<>(List.of(conv));
            String y = conv.proto.getOutput(0);
            String residual = "";
            GraphNode next = only(y, uses, consumers);
            if (next != null && kindOf(next.op) == OpKind.RESIDUAL_ADD && next.proto.getInputCount() == 2 && rules.has(FusionRules.CONV_RESIDUAL_ADD)) {
                String other = next.proto.getInput(0).equals(y) ? next.proto.getInput(1) : next.proto.getInput(0);
                if (!other.equals(y)) {
                    residual = other;
                    chain.add(next);
                    y = next.proto.getOutput(0);
                }
            }
            Activation act = Activation.NONE;
            float lo = Float.NEGATIVE_INFINITY, hi = Float.POSITIVE_INFINITY;
            List<GraphNode> users = consumers.getOrDefault(y, List.of());
            GraphNode a = only(y, uses, consumers);
            OpKind kind = a == null ? null : kindOf(a.op);
            if (kind == OpKind.RELU || kind == OpKind.HARDSWISH || kind == OpKind.SIGMOID) {
                act = kind.epilogue();
            } else if (kind == OpKind.CLIP) {
                double min = a.proto.getInputCount() > 1 && !a.proto.getInput(1).isEmpty() ? Fusion.constant(a.proto.getInput(1), initializers, producer) : Double.NEGATIVE_INFINITY;
                double max = a.proto.getInputCount() > 2 && !a.proto.getInput(2).isEmpty() ? Fusion.constant(a.proto.getInput(2), initializers, producer) : Double.POSITIVE_INFINITY;
                if (!Double.isNaN(min) && !Double.isNaN(max) && min <= max) {
                    act = Activation.CLIP;
                    lo = (float) min;
                    hi = (float) max;
                }
            } else if (!graphOutputs.contains(y) && uses.getOrDefault(y, 0) == 2 && users.size() == 2) {
                // SiLU: Sigmoid(y) used only by Mul(y, Sigmoid(y))
                GraphNode sig = users.get(0).op.equals("Sigmoid") ? users.get(0) : users.get(1);
                GraphNode mul = sig == users.get(0) ? users.get(1) : users.get(0);
                if (sig.op.equals("Sigmoid") && mul.op.equals("Mul") && Fusion.singleUse(sig, uses)
                        && only(sig.proto.getOutput(0), uses, consumers) == mul && mul.proto.getInputList().contains(y)) {
                    act = Activation.SILU;
                    a = mul;
                }
            }
            FusionRule rule = act == Activation.NONE ? null : rules.convolutionEpilogue(kindFor(act));
            if (rule == null || !rule.exact() && !fast) act = Activation.NONE; // not in the table, or rounds differently from the separate operators
            if (act == Activation.SILU) chain.add(producer.get(a.proto.getInput(0).equals(y) ? a.proto.getInput(1) : a.proto.getInput(0)));
            if (act != Activation.NONE) chain.add(a);
            if (chain.size() == 1 || chain.stream().anyMatch(c -> removed.contains(c) || replaced.containsKey(c))) continue;
            GraphNode last = chain.get(chain.size() - 1);
            NodeProto.Builder fused = conv.proto.toBuilder().setOpType(CONV).setName(last.name + " (conv fused)")
                    .clearInput().clearOutput()
                    .addInput(conv.proto.getInput(0)).addInput(conv.proto.getInput(1))
                    .addInput(conv.proto.getInputCount() > 2 ? conv.proto.getInput(2) : "").addInput(residual)
                    .addOutput(last.proto.getOutput(0))
                    .addAttribute(AttributeProto.newBuilder().setName(ACTIVATION).setType(AttributeProto.AttributeType.STRING)
                            .setS(com.google.protobuf.ByteString.copyFromUtf8(act.name())))
                    .addAttribute(AttributeProto.newBuilder().setName(CLIP_MIN).setType(AttributeProto.AttributeType.FLOAT).setF(lo))
                    .addAttribute(AttributeProto.newBuilder().setName(CLIP_MAX).setType(AttributeProto.AttributeType.FLOAT).setF(hi));
            removed.addAll(chain.subList(0, chain.size() - 1));
            replaced.put(last, new GraphNode(fused.build(), last.index, last.opset));
        }
        List<GraphNode> out = new ArrayList<>();
        for (GraphNode n : nodes) {
            if (removed.contains(n)) continue;
            out.add(replaced.getOrDefault(n, n));
        }
        return out;
    }

    private static OpKind kindFor(Activation act) {
        for (OpKind k : OpKind.values()) if (k.epilogue() == act) return k;
        throw new IllegalStateException("no fusion kind for epilogue " + act);
    }

    /** Who reads and who writes each value of a node list (a graph output counts as one more read). */
    private static final class Index {
        final Map<String, Integer> uses = new HashMap<>();
        final Map<String, GraphNode> producer = new HashMap<>();
        final Map<String, List<GraphNode>> consumers = new HashMap<>();

        Index(List<GraphNode> nodes, Set<String> graphOutputs) {
            for (GraphNode n : nodes) {
                for (String in : n.proto.getInputList()) {
                    if (in.isEmpty()) continue;
                    uses.merge(in, 1, Integer::sum);
                    consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
                }
                for (String out : n.proto.getOutputList()) producer.put(out, n);
            }
            for (String o : graphOutputs) uses.merge(o, 1, Integer::sum);
        }
    }

    /** The one consumer of a value used once and not a graph output (graph outputs count as a use), or null. */
    private static GraphNode only(String value, Map<String, Integer> uses, Map<String, List<GraphNode>> consumers) {
        if (uses.getOrDefault(value, 0) != 1) return null;
        List<GraphNode> c = consumers.get(value);
        return c == null || c.size() != 1 ? null : c.get(0);
    }
}
